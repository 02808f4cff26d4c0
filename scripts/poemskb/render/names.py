"""Other names of regimens and measures: the "Also known as" list a reader sees (brand
and generic names, abbreviations, names in other languages with the record that writes
them) and the words only the site search reads (those names and common misspellings,
carried onto the pages of the studies that used a regimen, so 'Revlimid' or
'lenolidomide' finds the lenalidomide studies). The names live in the records
(`also_known_as`, `misspellings`), never in a list here."""
from __future__ import annotations

from typing import Iterable

from . import links
from .context import Site
from .html import Html, el, esc, join, link

# What a 'kind' of name is called in the list; a translation says its language instead.
KIND_WORDS = {"brand": "brand name", "generic": "generic name", "abbreviation": "abbreviation", "variant": "also written"}
# Language tags the records use, in words (BCP 47); an unknown tag is shown as the tag.
LANGUAGES = {"zh": "Chinese", "ja": "Japanese", "ko": "Korean", "fr": "French", "de": "German", "es": "Spanish",
             "it": "Italian", "pt": "Portuguese", "ru": "Russian"}
# Weight of carried names on a study page: below the page's own words, so a regimen's
# own page leads a search for its name and the studies follow (a multiplier of the
# words' count in the search index, poemskb/searchhtml.py).
CARRIED_WEIGHT = "0.5"
# Weight of a regimen's names on its own page: the page is where a search for any of
# its names should lead, above the studies and summaries that mention it.
OWN_WEIGHT = "3"


def _name(site: Site, other: dict, path: str) -> Html:
    """One name with what it is: 'Revlimid (brand name)', '来那度胺 (Chinese, as written
    in <study>, 1 Case data)'."""
    if other["kind"] == "translation":
        lang = other["lang"]
        src = other["source"]
        sid = src["study"]
        where = link(links.href(path, links.study_page(sid)), site.study_label(sid)) if sid in site.kb.studies else esc(sid)
        section = src["locator"].get("section") or src["locator"].get("label") or src["locator"]["in"]
        note = join([LANGUAGES.get(lang.split("-")[0], lang), ", as written in ", where, f", {section}"])
        return join([el("span", other["name"], lang=lang), " (", note, ")"])
    kind = KIND_WORDS.get(other["kind"])  # an alias of the record goes without a word
    return join([other["name"], f" ({kind})" if kind else ""])


def also_known_as(site: Site, record: dict, path: str) -> Html:
    """The record's aliases, then its other names grouped by the drug they name (names
    of the whole regimen or measure first); empty when it has none."""
    others = record.get("also_known_as") or []
    aliases = record.get("aliases") or []
    if not others and not aliases:
        return Html("")
    groups: dict[str, list[dict]] = {"": [{"name": a, "kind": "alias"} for a in aliases]}
    for other in others:
        groups.setdefault(other.get("of", ""), []).append(other)
    items = []
    for of, names in groups.items():
        if not names:
            continue
        listed = join((_name(site, n, path) for n in names), "; ")
        items.append(el("li", join([el("strong", of), ": ", listed]) if of else listed))
    return join([el("p", el("strong", "Also known as:"), class_="poems-aka-title"),
                 el("ul", join(items), class_="poems-aka")])


def search_words(records: Iterable[dict]) -> list[str]:
    """Every other name and misspelling of the records, each once, in order."""
    words: list[str] = []
    for record in records:
        for word in [*(o["name"] for o in record.get("also_known_as") or []), *(record.get("misspellings") or [])]:
            if word not in words:
                words.append(word)
    return words


def search_only(lead: str, words: list[str], weight: str | None = None) -> Html:
    """Words for the search index only: `hidden`, so neither the page nor a screen
    reader shows them, but the indexer reads them. A search result's excerpt can quote
    them, so they open with words saying what they are."""
    if not words:
        return Html("")
    return el("div", f"{lead}: {' '.join(words)}.", hidden=True, class_="poems-search-words", data_search_weight=weight)


def regimen_search_words(record: dict) -> Html:
    """On a regimen's page: its names and misspellings, weighted so the page leads."""
    own = [record["name"], record.get("short_name") or "", *(record.get("aliases") or [])]
    return search_only("Also found by searching", [w for w in own if w] + search_words([record]), OWN_WEIGHT)


def measure_search_words(record: dict) -> Html:
    """On the measures page: a measure's misspellings (its names are shown already)."""
    return search_only("Also found by searching", list(record.get("misspellings") or []))


def study_search_words(site: Site, sid: str) -> Html:
    """On a study page: the names and misspellings of every regimen its arms used."""
    rids: list[str] = []
    for arm in site.kb.studies[sid].get("arms", []):
        for rid in [arm["regimen"], *(step["regimen"] for step in arm.get("steps", []))]:
            if rid in site.kb.regimens and rid not in rids:
                rids.append(rid)
    return search_only("Its treatments are also found by searching", search_words(site.kb.regimens[r] for r in rids),
                       CARRIED_WEIGHT)
