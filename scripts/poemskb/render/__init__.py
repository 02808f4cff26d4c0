"""Render the site's pages from the knowledge base: `render_site(kb, out)`.

A plain step of our own (not a MkDocs plugin), so the same Markdown builds with MkDocs
and with Zensical. One small module per page kind; they share escaping and tables
(html.py), addresses (links.py), value formatting (fmt.py) and derived indexes
(context.py). Everything goes to `out` (docs/generated/), written only when changed.

Pages are produced one at a time (`iter_files`) and handed straight to the writer, so
memory holds the knowledge base and one page, not the whole site: at 10,000 studies
the generated tree is hundreds of megabytes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..history import History, HistoryError, read_history
from ..kb import KnowledgeBase
from . import cite, comparison, criteria, dictionary, downloads, findings, home, links, measures, methods, notchecked, patients, regimen, sof, study, whatchanged
from .context import Site
from .page import Page
from ..writer import WriteError, Written, write_tree

__all__ = ["render_site", "render_files", "iter_files", "WriteError", "Written", "History", "HistoryError", "history_of"]

_PREFIX = links.GENERATED + "/"


def _file(page: Page) -> tuple[str, str]:
    return page.path[len(_PREFIX):], page.text()


def history_of(kb: KnowledgeBase) -> History:
    """The releases and their changes, from the git history of the knowledge base's
    folder (history.py); HistoryError when a release's state cannot be found."""
    return read_history(kb.root, kb.release)


def iter_files(kb: KnowledgeBase, history: History | None = None) -> Iterator[tuple[str, str | bytes]]:
    """Every generated file as (path under docs/generated/, content), one at a time.
    The history is read first, so a release state that cannot be found stops the render
    before anything is written."""
    history = history if history is not None else history_of(kb)
    site = Site(kb)
    for sid in kb.studies:
        yield _file(study.render_study(site, sid))
    for rid in kb.regimens:
        yield _file(regimen.render_regimen(site, rid))
    for rid in sof.sof_regimens(site):
        yield _file(sof.render_sof(site, rid))
    for render in (study.render_index, regimen.render_index, measures.render_measures, criteria.render_criteria,
                   findings.render_findings, dictionary.render_dictionary, patients.render_patients, notchecked.render_not_checked):
        yield _file(render(site))
    yield _file(whatchanged.render_what_changed(site, history))
    for page in methods.render_methods(site):
        yield _file(page)
    yield from cite.citation_files(site)
    sizes: dict[str, int] = {}
    package = None
    for rel, data in downloads.export_files_for(site):
        sizes[rel] = len(data)
        if rel == f"{downloads.FOLDER}/datapackage.json":
            package = downloads.parse_package(data)
        yield rel, data
    yield _file(home.render_home(site, list(sizes)))
    yield _file(downloads.render_downloads(site, sizes, package))
    comparison_page, svg, measure_pages = comparison.render_comparison(site)
    yield _file(comparison_page)
    for page in measure_pages:
        yield _file(page)
    yield comparison.SVG_PATH[len(_PREFIX):], svg


def render_files(kb: KnowledgeBase, history: History | None = None) -> dict[str, str | bytes]:
    """Every generated file in one dict (for tests and small bases; the site streams)."""
    return dict(iter_files(kb, history))


def render_site(kb: KnowledgeBase, out: Path, history: History | None = None) -> Written:
    history = history if history is not None else history_of(kb)  # before the writer takes its lock
    return write_tree(Path(out), iter_files(kb, history), root=kb.root)
