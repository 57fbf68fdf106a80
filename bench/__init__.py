"""``make bench``: the metrics engine beside a pandas and a Polars baseline (issue 4,
"Speed and memory"). ``python -m bench --help``."""
