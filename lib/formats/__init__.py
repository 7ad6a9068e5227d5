"""Reading the usage and charges files a customer downloads or exports from Azure.

``containers`` unpacks what was given (CSV, gzip, zip of export parts with or without
``manifest.json``, Parquet), ``text`` finds the header and the cut-off in CSV bytes, ``detect``
names the layout and schema version, ``account_center`` reads the legacy sectioned file,
``read`` turns one part into raw and canonical rows, and ``merge`` joins the parts of exports
and drops month-to-date runs that a later run replaces.
"""

# lib.sources registers the files source, which imports this package: load it first so that
# importing any module here on its own never meets a half-initialised lib.sources.
import lib.sources  # noqa: F401
