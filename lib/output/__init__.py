"""What leaves the pipeline.

Plotly figures, CSV exports, conversions to version 2 and FOCUS, and the download page's files.
"""
