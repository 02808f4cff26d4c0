"""Render the site's pages from the knowledge base: `render_site(kb, out)`.

A plain step of our own (not a MkDocs plugin), so the same Markdown builds with MkDocs
and with Zensical. One small module per page kind; they share escaping and tables
(html.py), addresses (links.py), value formatting (fmt.py) and derived indexes
(context.py). Everything goes to `out` (docs/generated/), written only when changed.
"""
from __future__ import annotations

from pathlib import Path

from ..kb import KnowledgeBase
from . import comparison, criteria, dictionary, downloads, findings, home, links, measures, methods, patients, regimen, study
from .context import Site
from .writer import RenderError, RenderResult, write_tree

__all__ = ["render_site", "render_files", "RenderError", "RenderResult"]


def render_files(kb: KnowledgeBase) -> dict[str, str | bytes]:
    """Every generated file, keyed by its path under docs/generated/."""
    site = Site(kb)
    pages = [study.render_study(site, sid) for sid in kb.studies]
    pages += [regimen.render_regimen(site, rid) for rid in kb.regimens]
    pages += [study.render_index(site), regimen.render_index(site), measures.render_measures(site),
              criteria.render_criteria(site), findings.render_findings(site), dictionary.render_dictionary(site),
              patients.render_patients(site)]
    pages += methods.render_methods(site)
    exported = downloads.export_files(site)
    pages += [home.render_home(site, list(exported)), downloads.render_downloads(site, exported)]
    comparison_page, svg = comparison.render_comparison(site)
    pages.append(comparison_page)

    prefix = links.GENERATED + "/"
    files: dict[str, str | bytes] = {p.path[len(prefix):]: p.text() for p in pages}
    files[comparison.SVG_PATH[len(prefix):]] = svg
    files.update(exported)
    return files


def render_site(kb: KnowledgeBase, out: Path) -> RenderResult:
    return write_tree(Path(out), render_files(kb))
