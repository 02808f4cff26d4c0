"""One key per identity, so that two records cannot both claim "the same" DOI, PMID,
PMCID or record id written in forms that only look different.

A reader (and doi.org) takes 10.1000/ABC, 10.1000/abc, 10.1000%2Fabc, a full-width
１０.1000/abc and one with a zero-width space inside as one DOI; the duplicate rules in
check/ compare these keys, not the raw text. (Whether a value is well formed, plain
ASCII included, is the identifier rule's business; the key only decides sameness.)
"""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote

# Resolver prefixes a DOI is often pasted with; the identifier rule refuses them, and
# the key drops them so the pasted form still collides with the plain one.
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")


def plain(text: str) -> str:
    """NFKC (NFD and NFC agree; full-width and other compatibility forms become plain
    ones) without invisible format characters (zero-width space and joiners, bidi
    marks, soft hyphen: Unicode category Cf) or surrounding space."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


def identifier_key(scheme: str, value: str) -> str:
    """The form two identifiers of one scheme ('doi', 'pmid', 'pmcid') are compared in.
    DOIs are case-insensitive, and so in practice are PMCIDs' 'PMC'."""
    text = plain(value)
    if "%" in text:
        text = plain(unquote(text))
    text = text.casefold()
    if scheme == "doi":
        text = next((text[len(p):] for p in _DOI_PREFIXES if text.startswith(p)), text)
    return text


def id_key(value: str) -> str:
    """The form record ids are compared in (ids are lower-case ASCII by the schema; this
    keeps the duplicate rule right for any id that reaches it)."""
    return plain(value).casefold()
