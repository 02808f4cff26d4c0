"""Escaping contributor text for each place the tools print it, and naming the
characters that records may not hold.

Every record, and every file name, comes from a stranger's pull request. Its text is
printed to a reviewer's terminal, into a CI log on the git host and into JSON, so each
output escapes it for where it goes:

* `visible` for terminals and logs: control characters (C0, DEL, C1), bidirectional
  controls, zero-width and other invisible format characters, line and paragraph
  separators, surrogates and noncharacters are written as `\\x1b`, `\\u202e`, `\\n`...,
  so a terminal interprets nothing and no text can start a line of its own.
* `workflow_data` and `workflow_property` for GitHub workflow commands
  (`::error file=...,line=...::data`), as GitHub's runner unescapes them.
* `json_ascii_safe` for JSON text: the same characters as \\u escapes.

The same set of characters is refused in records (the forbidden-character rule in check/text.py),
named by `describe`. The set is written out as ranges (a character class, fast on every
string of every record and page); a test checks it against Python's Unicode database.
"""
from __future__ import annotations

import re
import unicodedata

# Unicode categories Cc (controls), Cf (format: bidi controls, zero-width characters,
# soft hyphen, tags...), Cs (surrogates), Zl and Zp (line and paragraph separators),
# plus the noncharacters (U+FDD0-FDEF and the last two code points of every plane), as
# of Unicode 14 (Python 3.11). Invisible letters and marks that show nothing at all
# (Hangul fillers, the combining grapheme joiner, Khmer inherent vowels) are added.
_BMP = ("\x00-\x09\x0b-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
        "\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
        "\u3164\ud800-\udfff\ufdd0-\ufdef\ufeff\uffa0\ufff9-\ufffb\ufffe\uffff")
_ASTRAL = ("\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
           "\U000e0001\U000e0020-\U000e007f"
           + "".join(f"{chr(plane << 16 | 0xFFFE)}-{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17)))
_ANY_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class CharacterClass:
    """A compiled character class with the methods of a compiled regex that we use.

    Python's re tests a class that stays within the BMP with one table look-up per
    character, but one holding any character past U+FFFF range by range: a hundred times
    slower (500 ns a character), too slow for every page and every record. So text
    without characters past the BMP (nearly all) is scanned with the BMP part only."""

    def __init__(self, bmp: str, astral: str):
        self._fast, self._full = re.compile(f"[{bmp}]"), re.compile(f"[{bmp}{astral}]")

    def _pick(self, text: str) -> re.Pattern:
        return self._full if _ANY_ASTRAL.search(text) else self._fast

    def search(self, text: str):
        return self._pick(text).search(text)

    def fullmatch(self, text: str):
        return self._pick(text).fullmatch(text)

    def finditer(self, text: str):
        return self._pick(text).finditer(text)

    def findall(self, text: str) -> list[str]:
        return self._pick(text).findall(text)

    def sub(self, repl, text: str) -> str:
        return self._pick(text).sub(repl, text)


HIDDEN = CharacterClass("\n" + _BMP, _ASTRAL)
HIDDEN_BUT_LINE_FEED = CharacterClass(_BMP, _ASTRAL)  # for scanning a whole file's text
EXTRA_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Controls have no Unicode name, only aliases; these are the aliases Unicode lists first.
_C0_NAMES = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
    "ACKNOWLEDGE", "ALERT", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
    "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
    "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
)


def notation(char: str) -> str:
    """A hidden character as printable text: \\n, \\x1b, \\u202e, \\U000e0001."""
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def has_hidden(text: str) -> bool:
    """Whether text holds a hidden character (a line feed included)."""
    if text.isascii():  # the common case, in C: ASCII's hidden characters are its unprintable ones
        return not text.isprintable()
    return HIDDEN.search(text) is not None


def visible(text: str) -> str:
    """Text for a terminal or a log: every hidden character written as its notation."""
    text = str(text)
    if not has_hidden(text):
        return text
    return HIDDEN.sub(lambda m: notation(m.group()), text)


def describe(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE', 'U+001B ESCAPE', 'U+0085 C1 control character'."""
    code = ord(char)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DELETE"
    elif code <= 0x9F:
        name = "C1 control character"
    elif 0xD800 <= code <= 0xDFFF:
        name = "surrogate"
    else:
        name = unicodedata.name(char, "noncharacter")
    return f"U+{code:04X} {name}"


def workflow_data(text: str) -> str:
    """The data (message) of a GitHub workflow command: '%', CR and LF escaped."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property value (file=, title=) of a workflow command: also ':' and ','."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON writes characters past the BMP as a UTF-16 surrogate pair
    return f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}"


def json_ascii_safe(text: str) -> str:
    """JSON text (from json.dumps(..., ensure_ascii=False)) with every hidden character
    written as a \\u escape: the same JSON value, nothing a terminal acts on. json.dumps
    escapes C0 controls in strings itself, so a raw line feed is indentation, kept; the
    rest can only stand inside strings, where \\u escapes are valid."""
    return HIDDEN.sub(lambda m: m.group() if m.group() == "\n" else _json_escape(m.group()), text)
