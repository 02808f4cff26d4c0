"""POEMS syndrome treatment evidence: load, check, render and export curated records."""

# The knowledge-base release; bump it with a CHANGELOG entry when records or pages change.
__version__ = "0.1.0"
