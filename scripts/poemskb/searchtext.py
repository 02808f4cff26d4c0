"""The site search's words: how text (a page when indexing, a query when searching) is
cut into the terms the index is keyed by. docs/assets/search-engine.js does the same in
the reader's browser, rule for rule; tests/site/test_search_browser.py checks the two
agree on the same strings.

- Normalised: NFKC (full-width letters, ligatures, superscripts become plain), lower
  case, 'ß' -> 'ss', final 'ς' -> 'σ', accents taken off Latin, Greek and Cyrillic
  letters ('Waldenström' -> 'waldenstrom').
- Words are runs of letters and digits; a number keeps its decimal point ('5.97').
- Chinese, Japanese and Korean text has no spaces between words, so it is indexed as
  single characters and pairs of neighbouring characters (bigrams); a query of two or
  more such characters looks up its bigrams, all of which must be found (来那度胺 ->
  来那, 那度, 度胺), so a name is found inside a sentence.
"""
from __future__ import annotations

import re
import unicodedata

# Letters of the scripts written without spaces between words (Han, kana, Hangul).
CJK = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
                 "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")
# A number with its decimal separators, or a run of letters and digits.
WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")
# Accents (the combining marks U+0300-U+036F that NFD splits off) come off letters below
# U+0530 (Latin, Greek, Cyrillic) only: elsewhere a mark can change the letter.
FOLD_BELOW = 0x530
ACCENTS = range(0x300, 0x370)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("ß", "ss").replace("ς", "σ")
    out: list[str] = []
    base = 0
    for ch in unicodedata.normalize("NFD", text):
        if ord(ch) in ACCENTS:
            if base < FOLD_BELOW:
                continue
        else:
            base = ord(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _runs(word: str) -> list[tuple[bool, str]]:
    """A word cut where it passes between CJK and other letters: [(is_cjk, part)]."""
    if not CJK.search(word):
        return [(False, word)]
    runs: list[tuple[bool, str]] = []
    for ch in word:
        cjk = bool(CJK.match(ch))
        if runs and runs[-1][0] == cjk:
            runs[-1] = (cjk, runs[-1][1] + ch)
        else:
            runs.append((cjk, ch))
    return runs


def index_terms(text: str) -> list[str]:
    """Every term of a text as it is indexed, in order, repeats kept (they count)."""
    terms: list[str] = []
    for match in WORD.finditer(normalise(text)):
        for cjk, part in _runs(match.group()):
            if not cjk:
                terms.append(part)
                continue
            terms.extend(part)
            terms.extend(part[i:i + 2] for i in range(len(part) - 1))
    return terms


def query_terms(text: str) -> list[str]:
    """The terms a query looks up, each once, in order: words as indexed; a CJK run as
    its bigrams (or itself, when it is one character)."""
    terms: list[str] = []
    for match in WORD.finditer(normalise(text)):
        for cjk, part in _runs(match.group()):
            found = [part[i:i + 2] for i in range(len(part) - 1)] if cjk and len(part) > 1 else [part]
            terms.extend(t for t in found if t not in terms)
    return terms


def is_cjk(term: str) -> bool:
    return bool(CJK.match(term))
