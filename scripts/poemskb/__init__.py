"""POEMS syndrome treatment evidence: load, check, render and export curated records."""
