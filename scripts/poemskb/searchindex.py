"""The site search's index: Pagefind (pinned on PyPI, with its extended build for
Chinese and Japanese word segmentation) run over the built HTML, writing a chunked index
into <site>/pagefind/. A reader's browser then fetches only the chunks and excerpts a
query needs (docs/site.md has the measurements behind the choice). Run after every
build, MkDocs or Zensical: `poemskb search-index SITE_DIR`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# What is not indexed: the theme's chrome (header, navigation, footer, the notice bar,
# heading anchors) and whatever a renderer marked data-search-exclude (the big tables
# of index, comparison and regimen pages, which grow with the knowledge base, and the
# provenance sections of study pages).
EXCLUDE = [".md-header", ".md-banner", ".md-sidebar", ".md-footer", ".md-nav", ".md-skip", ".md-top",
           ".md-source-file", ".headerlink", "[data-search-exclude]", "#poems-search"]


def command(site: Path) -> list[str]:
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind", "--quiet"]
    for selector in EXCLUDE:
        cmd += ["--exclude-selectors", selector]
    return cmd


def build_index(site: Path) -> str:
    """Index a built site; returns Pagefind's output. Raises with its output on failure,
    or when the site holds no page (a wrong folder must not pass as an empty index)."""
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site}: no built site here (index.html missing); build the site first")
    result = subprocess.run(command(site), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pagefind failed on {site} ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    if not (site / "pagefind" / "pagefind.js").is_file():
        raise RuntimeError(f"pagefind wrote no index into {site / 'pagefind'}:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr
