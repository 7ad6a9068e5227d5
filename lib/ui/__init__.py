"""The only package that imports Streamlit.

Session state and the link, caches, the sidebar and its source panels, the sign-in gate, shared widgets.
"""
