"""Live reload for `mkdocs serve`: re-render the generated pages before each rebuild,
so editing a record under evidence/ updates the page being viewed.

Deliberately thin and serve-only. The site is never built *through* this hook:
`make build`, CI and Zensical (which ignores hooks) run `poemskb render` first.
"""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.live_render")
_serving = False


def on_startup(command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def on_pre_build(config) -> None:
    if not _serving:
        return
    from poemskb.kb import load
    from poemskb.render import render_site

    root = Path(config.config_file_path).resolve().parent
    kb, report = load(root)
    if report.errors:
        # Keep the last good pages on screen; the terminal says what to fix.
        log.warning("records have errors; pages not re-rendered:\n%s", report.format("text"))
        return
    from poemskb.tree import Refused, TreeError

    try:
        result = render_site(kb, Path(config.docs_dir) / "generated")
    except (Refused, TreeError) as exc:  # a render busy in another terminal, a refused folder
        log.warning("pages not re-rendered: %s", exc)
        return
    if result.changed or result.removed:
        log.info("re-rendered %d page(s), removed %d", result.changed, result.removed)
