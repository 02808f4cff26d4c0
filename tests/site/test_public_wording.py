"""Public pages speak to readers: no curation jargon, no private notes, no mirror hosts.

The built site (every HTML page, generated and hand-written) must not contain phrases
that only make sense to the curators, or addresses of copies a reader cannot reuse."""
from __future__ import annotations

JARGON = (
    "worklist", "stored page", "stored cop", "stored abstract", "stored excerpt", "dossier", "shared/",
    "colleague", "verification notes", "from memory", "do not add", "scratch notes", "seed",
    "lausr.org", "proxy.weglot.com", "47.251.13.51", "scribd.com/document", "docslib.org/doc",
    "bibliotecabuap", "suppr.wilddata",
)


def test_no_page_carries_curation_jargon(built):
    found = []
    for page in sorted(built.site.rglob("*.html")):
        text = page.read_text(encoding="utf-8").lower()
        found += [f"{page.relative_to(built.site)}: {phrase}" for phrase in JARGON if phrase in text]
    assert not found, "\n".join(found)
