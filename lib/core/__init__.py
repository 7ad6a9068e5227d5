"""The core every stage shares.

The canonical schema, small value types, billing periods, the clock, languages and formatting,
labels, and the ``Dataset`` a source hands back.
"""
