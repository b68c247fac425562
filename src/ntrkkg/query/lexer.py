"""An exact tokenizer for SPARQL 1.1 Query, after the terminals of the grammar (SPARQL 1.1 §19.8).

Tokens are found by longest match, as §19.8 requires: ``SERVICE:x`` is a prefixed name, not a keyword,
and ``<`` starts an IRI only when a whole IRIREF follows, otherwise it is the less-than operator.
Keywords are case-insensitive except ``a``; comments run from ``#`` to the next CR or LF (§19.4).

Codepoint escapes ``\\uXXXX`` and ``\\UXXXXXXXX`` are decoded inside IRIs and strings only, in one pass:
that is what Oxigraph does (it parses ``<\\u0078>`` and ``"\\u0078"`` but refuses ``\\u0053ELECT``), and
what the W3C tests expect ("\\u escapes in URIs and strings only"; an escape never yields a second
escape). A backslash anywhere else, except in the local-name escapes of prefixed names, is an error.

The scanner is a loop over the input with anchored regular expressions that cannot backtrack
(possessive quantifiers and disjoint alternatives), so it runs in linear time, without recursion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, NoReturn

__all__ = [
    "KEYWORDS",
    "LexicalError",
    "Token",
    "tokenize",
]

# Token kinds: the names of the terminals in the grammar, plus KEYWORD and PUNCT.
IRIREF: Final = "IRIREF"
PNAME_NS: Final = "PNAME_NS"
PNAME_LN: Final = "PNAME_LN"
BLANK_NODE_LABEL: Final = "BLANK_NODE_LABEL"
VAR1: Final = "VAR1"
VAR2: Final = "VAR2"
LANGTAG: Final = "LANGTAG"
INTEGER: Final = "INTEGER"
DECIMAL: Final = "DECIMAL"
DOUBLE: Final = "DOUBLE"
STRING_LITERAL1: Final = "STRING_LITERAL1"
STRING_LITERAL2: Final = "STRING_LITERAL2"
STRING_LITERAL_LONG1: Final = "STRING_LITERAL_LONG1"
STRING_LITERAL_LONG2: Final = "STRING_LITERAL_LONG2"
NIL: Final = "NIL"
ANON: Final = "ANON"
KEYWORD: Final = "KEYWORD"
PUNCT: Final = "PUNCT"

STRING_KINDS: Final = frozenset({STRING_LITERAL1, STRING_LITERAL2, STRING_LITERAL_LONG1, STRING_LITERAL_LONG2})
NUMBER_KINDS: Final = frozenset({INTEGER, DECIMAL, DOUBLE})

_KEYWORD_LIST = """
    BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP BY HAVING ORDER
    ASC DESC LIMIT OFFSET VALUES LOAD SILENT INTO CLEAR DROP CREATE ADD TO MOVE COPY INSERT DATA DELETE
    WITH USING DEFAULT ALL GRAPH OPTIONAL SERVICE BIND UNDEF MINUS UNION FILTER NOT IN EXISTS SEPARATOR
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE
    LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES
    SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT
    SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE
    GROUP_CONCAT TRUE FALSE
"""
#: Every keyword of SPARQL 1.1 Query and Update (upper case), ``a`` excepted.
KEYWORDS: Final = frozenset(_KEYWORD_LIST.split())
_LONGEST_KEYWORD: Final = max(map(len, KEYWORDS))

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME_REST = _PN_CHARS_U + "0-9\u00b7\u0300-\u036f\u203f-\u2040"
_HEX = "0-9A-Fa-f"
_PLX = rf"%[{_HEX}]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%]"

_WS = re.compile(r"[ \t\r\n]*+")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_COMMENT = re.compile(r"#[^\r\n]*+")
_IRIREF = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>')
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PN_PREFIX_RUN = re.compile(rf"[{_PN_CHARS_BASE}][{_PN_CHARS}.]*+")
_PN_LOCAL_FIRST = re.compile(rf"[{_PN_CHARS_U}:0-9]|{_PLX}")
_PN_LOCAL_RUN = re.compile(rf"(?:[{_PN_CHARS}.:]++|{_PLX})*+")
_BLANK_LABEL_RUN = re.compile(rf"[{_PN_CHARS_U}0-9][{_PN_CHARS}.]*+")
_VARNAME = re.compile(rf"[{_PN_CHARS_U}0-9][{_VARNAME_REST}]*+")
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+")
_DIGITS = re.compile(r"[0-9]*+")
_EXPONENT = re.compile(r"[eE][+-]?[0-9]++")
_KEYWORD_RUN = re.compile(r"[A-Za-z0-9_]*+")
_PLAIN = {
    1: re.compile(r"[^'\\\r\n]*+"),
    2: re.compile(r'[^"\\\r\n]*+'),
    3: re.compile(r"[^'\\]*+"),
    4: re.compile(r'[^"\\]*+'),
}
_ECHAR: Final = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_IRI_FORBIDDEN: Final = frozenset('<>"{}|^`\\') | frozenset(map(chr, range(0x21)))
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_TWO_CHAR_PUNCT: Final = ("^^", "||", "&&", "!=", "<=", ">=")
_ONE_CHAR_PUNCT: Final = frozenset("{}()[].,;*+-/!^|=<>?")


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where ``pattern`` (which may match the empty string) stops, from ``pos``."""
    m = pattern.match(text, pos)
    return m.end() if m else pos


class LexicalError(ValueError):
    """The text is not a sequence of SPARQL tokens; ``line`` and ``column`` are 1-based."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(f"line {line}, column {column}: {reason}")
        self.line, self.column, self.reason = line, column, reason


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``kind`` is a terminal name (or KEYWORD / PUNCT), ``text`` the lexeme as written.

    ``value`` is the meaning: the decoded IRI for IRIREF, the decoded string for string literals,
    the upper-case keyword (``a`` stays ``a``), the prefix without its colon for PNAME_NS and
    PNAME_LN (whose ``local`` is the local name with its ``\\`` escapes removed), and ``text`` otherwise.
    ``end_line`` is the line the token ends on (long strings, ``( )`` and ``[ ]`` may span lines).
    """

    kind: str
    text: str
    value: str
    line: int
    column: int
    end_line: int
    local: str = ""


def _decode_uchars(raw: str, start: int, lexer: _Lexer) -> str:
    """``raw`` with its codepoint escapes decoded, in one pass; ``start`` locates it for errors."""

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            lexer.fail(start + match.start(), f"{match.group()} is not a Unicode character")
        return chr(code)

    return _UCHAR.sub(one, raw) if "\\" in raw else raw


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line = 1
        self.line_start = 0  # offset of the first character of the current line
        self.tokens: list[Token] = []

    def where(self, offset: int) -> tuple[int, int]:
        """Line and column of ``offset``, which must lie on or after the current line's start."""
        line, line_start = self.line, self.line_start
        for br in _LINE_BREAK.finditer(self.text, line_start, offset):
            if br.end() <= offset:
                line, line_start = line + 1, br.end()
        return line, offset - line_start + 1

    def fail(self, offset: int, reason: str) -> NoReturn:
        line, column = self.where(offset)
        raise LexicalError(line, column, reason)

    def advance_lines(self, start: int, end: int) -> None:
        """Count the line breaks in ``text[start:end]``."""
        for br in _LINE_BREAK.finditer(self.text, start, end):
            self.line += 1
            self.line_start = br.end()

    def emit(self, kind: str, start: int, end: int, value: str | None = None, local: str = "") -> None:
        line, column = self.line, start - self.line_start + 1
        text = self.text[start:end]
        if kind in (STRING_LITERAL_LONG1, STRING_LITERAL_LONG2, NIL, ANON):
            self.advance_lines(start, end)
        self.tokens.append(Token(kind, text, text if value is None else value, line, column, self.line, local))

    def run(self) -> list[Token]:
        text, n = self.text, len(self.text)
        surrogate = _SURROGATES.search(text)
        if surrogate:
            self.fail(surrogate.start(), "the text contains an unpaired surrogate, which is not a character")
        pos = 0
        while True:
            end = _end(_WS, text, pos)
            if end > pos:
                self.advance_lines(pos, end)
                pos = end
            if pos >= n:
                return self.tokens
            c = text[pos]
            if c == "#":
                pos = _end(_COMMENT, text, pos)
            elif c == "<":
                pos = self.iri_or_less(pos)
            elif c in "\"'":
                pos = self.string(pos)
            elif c in "?$":
                pos = self.variable(pos)
            elif c == "@":
                m = _LANGTAG.match(text, pos)
                if not m:
                    self.fail(pos, "'@' must start a language tag such as @en")
                self.emit(LANGTAG, pos, m.end())
                pos = m.end()
            elif c == "_":
                pos = self.blank_node(pos)
            elif "0" <= c <= "9" or (c == "." and pos + 1 < n and "0" <= text[pos + 1] <= "9"):
                pos = self.number(pos, pos)
            elif c in "+-" and pos + 1 < n and self.starts_number(pos + 1):
                pos = self.number(pos, pos + 1)
            elif c in "([":
                close = ")" if c == "(" else "]"
                end = _end(_WS, text, pos + 1)
                if end < n and text[end] == close:
                    self.emit(NIL if c == "(" else ANON, pos, end + 1, c + close)
                    pos = end + 1
                else:
                    self.emit(PUNCT, pos, pos + 1)
                    pos += 1
            elif text.startswith(_TWO_CHAR_PUNCT, pos):
                self.emit(PUNCT, pos, pos + 2)
                pos += 2
            elif c in _ONE_CHAR_PUNCT:
                self.emit(PUNCT, pos, pos + 1)
                pos += 1
            elif c == ":" or _PN_PREFIX_RUN.match(text, pos):
                pos = self.word(pos)
            elif c == "\\":
                self.fail(pos, "a backslash is only allowed inside strings, IRIs and escaped local names")
            else:
                self.fail(pos, f"unexpected character {c!r}")

    def starts_number(self, pos: int) -> bool:
        text = self.text
        return "0" <= text[pos] <= "9" or (text[pos] == "." and pos + 1 < len(text) and "0" <= text[pos + 1] <= "9")

    def iri_or_less(self, pos: int) -> int:
        m = _IRIREF.match(self.text, pos)
        if m is None:  # no IRIREF here: '<' or '<=' (longest match)
            end = pos + 2 if self.text.startswith("<=", pos) else pos + 1
            self.emit(PUNCT, pos, end)
            return end
        value = _decode_uchars(m.group()[1:-1], pos + 1, self)
        bad = next((ch for ch in value if ch in _IRI_FORBIDDEN), None) if len(value) < m.end() - pos - 2 else None
        if bad is not None:
            self.fail(pos, f"the IRI contains {bad!r} (written as an escape), which IRIs may not contain")
        self.emit(IRIREF, pos, m.end(), value)
        return m.end()

    def string(self, pos: int) -> int:
        text, quote = self.text, self.text[pos]
        long = text.startswith(quote * 3, pos)
        kind = {
            ("'", False): STRING_LITERAL1,
            ('"', False): STRING_LITERAL2,
            ("'", True): STRING_LITERAL_LONG1,
            ('"', True): STRING_LITERAL_LONG2,
        }[quote, long]
        plain = _PLAIN[(1 if quote == "'" else 2) + (2 if long else 0)]
        i = pos + (3 if long else 1)
        parts: list[str] = []
        n = len(text)
        while True:
            j = _end(plain, text, i)
            parts.append(text[i:j])
            i = j
            if i >= n:
                self.fail(pos, "unterminated string")
            c = text[i]
            if c == "\\":
                nxt = text[i + 1 : i + 2]
                if nxt in _ECHAR:
                    parts.append(_ECHAR[nxt])
                    i += 2
                    continue
                m = _UCHAR.match(text, i)
                if m is None:
                    self.fail(i, f"invalid escape {text[i : i + 2]!r} in a string")
                parts.append(_decode_uchars(m.group(), i, self))
                i = m.end()
            elif c != quote:  # a line break in a one-line string
                self.fail(pos, "unterminated string (a line break inside a one-line string)")
            elif not long:
                self.emit(kind, pos, i + 1, "".join(parts))
                return i + 1
            elif text.startswith(quote * 3, i):
                self.emit(kind, pos, i + 3, "".join(parts))
                return i + 3
            else:  # one or two quotes inside a long string
                parts.append(c)
                i += 1

    def variable(self, pos: int) -> int:
        m = _VARNAME.match(self.text, pos + 1)
        if m is None:
            if self.text[pos] == "?":  # the path modifier '?'
                self.emit(PUNCT, pos, pos + 1)
                return pos + 1
            self.fail(pos, "'$' must start a variable name")
        self.emit(VAR1 if self.text[pos] == "?" else VAR2, pos, m.end())
        return m.end()

    def blank_node(self, pos: int) -> int:
        m = _BLANK_LABEL_RUN.match(self.text, pos + 2) if self.text.startswith("_:", pos) else None
        if m is None:
            self.fail(pos, "'_' must start a blank node label such as _:b1")
        end = m.end()
        while self.text[end - 1] == ".":  # a label may not end with '.'
            end -= 1
        self.emit(BLANK_NODE_LABEL, pos, end)
        return end

    def number(self, start: int, pos: int) -> int:
        text, n = self.text, len(self.text)
        end = _end(_DIGITS, text, pos)
        has_int = end > pos
        kind = INTEGER
        if end < n and text[end] == ".":
            frac_end = _end(_DIGITS, text, end + 1)
            exp = _EXPONENT.match(text, frac_end)
            if exp and (has_int or frac_end > end + 1):
                kind, end = DOUBLE, exp.end()
            elif frac_end > end + 1:
                kind, end = DECIMAL, frac_end
        else:
            exp = _EXPONENT.match(text, end)
            if exp:
                kind, end = DOUBLE, exp.end()
        self.emit(kind, start, end)
        return end

    def word(self, pos: int) -> int:
        """A prefixed name if a ':' follows the prefix (longest match), else the longest keyword."""
        text = self.text
        m = _PN_PREFIX_RUN.match(text, pos)
        prefix_end = m.end() if m else pos
        while prefix_end > pos and text[prefix_end - 1] == ".":  # a prefix may not end with '.'
            prefix_end -= 1
        if prefix_end < len(text) and text[prefix_end] == ":":
            return self.prefixed_name(pos, prefix_end)
        m = _KEYWORD_RUN.match(text, pos, pos + _LONGEST_KEYWORD)
        run = m.group() if m else ""
        for size in range(len(run), 0, -1):
            candidate = run[:size]
            if candidate.upper() in KEYWORDS:
                self.emit(KEYWORD, pos, pos + size, candidate.upper())
                return pos + size
            if candidate == "a":
                self.emit(KEYWORD, pos, pos + 1, "a")
                return pos + 1
        whole = text[pos:prefix_end] or text[pos]
        self.fail(pos, f"unknown word {whole!r} (not a keyword; a prefixed name needs a ':')")

    def prefixed_name(self, pos: int, colon: int) -> int:
        text = self.text
        prefix = text[pos:colon]
        local_start = colon + 1
        if not _PN_LOCAL_FIRST.match(text, local_start):
            self.emit(PNAME_NS, pos, local_start, prefix)
            return local_start
        end = _end(_PN_LOCAL_RUN, text, local_start)
        while text[end - 1] == "." and text[end - 2] != "\\":  # may not end with an unescaped '.'
            end -= 1
        raw = text[local_start:end]
        local = re.sub(r"\\(.)", r"\1", raw) if "\\" in raw else raw
        self.emit(PNAME_LN, pos, end, prefix, local)
        return end


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, comments and white space dropped; raises :class:`LexicalError`."""
    return _Lexer(text).run()
