"""The site search under `mkdocs serve`: after each build of the live site, write the
search index into the folder MkDocs serves from, as `make build` does after
`mkdocs build`. Serve-only, like live_render.py: a built site gets its index from the
plain step (`poemskb search-index SITE`), which Zensical builds need anyway (Zensical
ignores hooks), so nothing in a built site depends on this hook.
"""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.serve_search")
_serving = False


def on_startup(command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def on_post_build(config) -> None:
    if not _serving:
        return
    from poemskb.searchindex import build_index

    try:
        files = build_index(Path(config.site_dir))
    except (OSError, RuntimeError) as exc:  # the page says search is unavailable; the terminal says why
        log.warning("search index not written: %s", exc)
        return
    log.info("search index written (%d files)", len(files))
