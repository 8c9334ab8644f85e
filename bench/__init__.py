"""The performance benchmark: ``python -m bench --help`` (docs/performance.md)."""
