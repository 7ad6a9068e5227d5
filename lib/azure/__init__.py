"""Live Azure: sign-in, scope discovery, Cost Management queries, forecast, invoices and cost details.

Nothing in this package imports Streamlit; ``lib.sources.azure`` turns its results into a
``Dataset``, ``lib.ui.cache_azure`` caches them and ``lib.ui.azure_panel`` draws the sidebar controls.
"""
