"""Let MkDocs forget each page's text once it is no longer needed.

MkDocs converts every page before it writes any, and keeps each page's Markdown source
and HTML until the build ends. At 10,000 studies that is most of a gigabyte
(`make bench`: 1.06 GB peak without this hook, about 0.63 GB with it). The source is not
read again after conversion, and the HTML not after the page is written (the search
plugin takes its text earlier, in on_page_context), so both are released.

Output is unchanged, byte for byte: tests/test_reproducible.py builds once with this hook
and once without and compares every file. Zensical ignores hooks; it needs none of this.
"""
from __future__ import annotations

from mkdocs.plugins import event_priority


@event_priority(-100)  # after every plugin has seen the HTML
def on_page_content(html, page, config, files):
    page.markdown = None
    return html


@event_priority(-100)  # after the page file is written by MkDocs' own code, nothing reads it again
def on_post_page(output, page, config):
    page.content = None
    return output
