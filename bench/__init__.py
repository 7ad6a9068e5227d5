"""Benchmarks for issue 5 ("Fast on big files"): a data generator and one script that prints our figures next to the anchors.

Run ``python -m bench.generate --help`` and ``python -m bench.run --help``. Generated files go to ``bench/out/`` (git-ignored).
"""
