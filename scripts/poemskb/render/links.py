"""Where each page lives, and links between pages and out to identifier resolvers.

Pages are named by their path under docs/ ("generated/studies/<id>.md") and served as
the same path with .html ("generated/studies/<id>.html"; mkdocs.yml sets
use_directory_urls: false). With file URLs a relative link means the same thing in the
Markdown source and in the built page, so raw HTML links need no rewriting by the site
generator; Zensical does rewrite raw HTML links for directory URLs and MkDocs does not,
so directory URLs would break one of the two builds. The record id is the page name,
so a record's address never changes while its id does not.
"""
from __future__ import annotations

import posixpath
from urllib.parse import quote

from ..sitenames import INDEX
from ..tree import mkdocs_config  # mkdocs.yml is read as every file of the tree is

GENERATED = "generated"


def study_page(sid: str) -> str:
    return f"{GENERATED}/studies/{sid}.md"


def regimen_page(rid: str) -> str:
    return f"{GENERATED}/regimens/{rid}.md"


def measure_comparison_page(mid: str) -> str:
    """One measure's comparison table, used when every outcome is too many for one page."""
    return f"{GENERATED}/compare/{mid}.md"


def sof_page(rid: str) -> str:
    """A regimen's summary-of-findings tables (curated certainty ratings)."""
    return f"{GENERATED}/sof/{rid}.md"


STUDIES_INDEX = f"{GENERATED}/studies/{INDEX}.md"  # an id the records cannot take (sitenames)
REGIMENS_INDEX = f"{GENERATED}/regimens/{INDEX}.md"
COMPARISON = f"{GENERATED}/comparison.md"
# The comparison's full outcome-by-outcome table, on a page of its own so the comparison
# page (matrix and map) finishes loading quickly on a slow phone (docs/site.md).
ALL_OUTCOMES = f"{GENERATED}/all-outcomes.md"
KEY_PLOTS = f"{GENERATED}/forest-plots.md"  # the key outcomes' forest plots, for the same reason
MEASURES = f"{GENERATED}/measures.md"
CRITERIA = f"{GENERATED}/criteria.md"
FINDINGS = f"{GENERATED}/findings.md"
DICTIONARY = f"{GENERATED}/data-dictionary.md"
DOWNLOADS = f"{GENERATED}/downloads.md"
WHAT_CHANGED = f"{GENERATED}/what-changed.md"  # what changed between releases
NOT_CHECKED = f"{GENERATED}/not-checked.md"  # what could not be checked, per study
METHODS = "methods.md"
PATIENTS = "patients.md"
HOME = "index.md"


def url(page: str) -> str:
    """The built file of a page: 'generated/studies/x.md' -> 'generated/studies/x.html'."""
    return page[: -len(".md")] + ".html" if page.endswith(".md") else page


def href(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """Relative URL from one page to another page (and an anchor on it)."""
    fragment = f"#{anchor}" if anchor else ""
    if from_page == to_page and anchor:
        return fragment
    return posixpath.relpath(url(to_page), posixpath.dirname(from_page) or ".") + fragment


def asset(from_page: str, path: str) -> str:
    """Relative URL from a page to a file under docs/ (an SVG, a download)."""
    return posixpath.relpath(path, posixpath.dirname(from_page) or ".")


# Identifier resolvers. Only ones whose address is built from the identifier alone.
def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/():;.-_")


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid)}/"


def pmc_url(pmcid: str) -> str:
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{quote(pmcid)}/"


def registry_url(registry: str, value: str) -> str | None:
    """An address for a registration number, only where the registry's own address is
    built from the number alone; other numbers are shown as text, never guessed at."""
    if registry == "NCT":
        return f"https://clinicaltrials.gov/study/{quote(value)}"
    if registry == "ISRCTN":
        return f"https://www.isrctn.com/{quote(value)}"
    if registry == "EudraCT":
        return f"https://www.clinicaltrialsregister.eu/ctr-search/search?query={quote(value)}"
    return None


# The public address ---------------------------------------------------------------------
SITE_URL_ENV = "POEMSKB_SITE_URL"


def site_url(root) -> str | None:
    """The site's public address, set once by whoever deploys it: mkdocs.yml's `site_url`,
    which reads the POEMSKB_SITE_URL environment variable (`!ENV`). None when unset: then
    no absolute link is written anywhere, and the cite boxes say the address is not set."""
    import os

    value = os.environ.get(SITE_URL_ENV, "").strip() or str(mkdocs_config(root).get("site_url") or "").strip()
    if not value.startswith(("https://", "http://")):
        return None
    return value.rstrip("/") + "/"


def absolute(base: str | None, page: str) -> str | None:
    """The absolute address of a page or file, or None when the site's address is not set."""
    return base + quote(url(page)) if base else None
