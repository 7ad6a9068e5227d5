"""Pure computations over the canonical frame.

Filters, the per-data-set working frame, aggregates, the estimate, what each page shows, the summary.
"""
