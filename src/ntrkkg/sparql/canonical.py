"""The token walk behind vetting: check a tokenized query and re-emit it in one canonical form.

What the engine runs is the text emitted here, never the client's string: prefixed names expanded,
no comments, strings in one escaping, SERVICE targets absolute, newlines where the client's lines
ended. See :mod:`.vetting` for the limits and why they are what they are.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Final

from .iris import is_absolute, resolve
from .lexer import (
    ANON,
    BLANK_NODE_LABEL,
    IRIREF,
    KEYWORD,
    KEYWORDS,
    LANGTAG,
    NIL,
    NUMBER_KINDS,
    PNAME_LN,
    PNAME_NS,
    PUNCT,
    STRING_KINDS,
    VAR1,
    VAR2,
    LexicalError,
    Token,
    tokenize,
)

__all__ = ["MAX_REPARSED_NESTING", "REPARSED_CALLS", "QueryRejected", "VettedQuery", "point_at"]

QUERY_FORMS: Final = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_KEYWORDS: Final = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING", "DATA", "INTO"}
    | {"TO", "DEFAULT", "ALL"}
)
NONDETERMINISTIC: Final = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})
#: Calls that Oxigraph's parser reads twice (two grammar rules share their start): nested, they cost 2^n.
REPARSED_CALLS: Final = frozenset({"REGEX", "SUBSTR", "REPLACE", "GROUP_CONCAT"})
#: How deep REPARSED_CALLS may nest in one another.
MAX_REPARSED_NESTING: Final = 8

_CACHED_BELOW: Final = 8192
_IRI_KINDS: Final = frozenset({IRIREF, PNAME_LN, PNAME_NS})
_VAR_KINDS: Final = frozenset({VAR1, VAR2})
# Tokens that can end an operand: after one, Oxigraph reads '<' as less-than.
_OPERAND_END_KINDS: Final = (
    _IRI_KINDS | _VAR_KINDS | STRING_KINDS | NUMBER_KINDS | {BLANK_NODE_LABEL, LANGTAG, NIL, ANON}
)
_OPERAND_END_WORDS: Final = frozenset({")", "]", "}", "TRUE", "FALSE", "UNDEF", "a"})
# Tokens of a VALUES data block that the size does not count.
_DATA_KINDS: Final = _IRI_KINDS | STRING_KINDS | NUMBER_KINDS | {LANGTAG, NIL, BLANK_NODE_LABEL}
_DATA_WORDS: Final = frozenset({"(", ")", "^^", "UNDEF", "TRUE", "FALSE"})
# Keywords after which '(' may open an expression again (SELECT list, GROUP BY, ORDER BY, HAVING).
_EXPRESSION_CLAUSES: Final = frozenset({"SELECT", "GROUP", "ORDER", "HAVING"})
_CLAUSE_ENDS: Final = frozenset({"WHERE", "FROM", "LIMIT", "OFFSET", "VALUES"})
_CLOSING: Final = {")": "(", "]": "[", "}": "{"}
_OPENING: Final = frozenset("([{")
_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TO_ESCAPE = re.compile(r'[\\"\n\r\t]')


class QueryRejected(Exception):
    """The query is refused before evaluation; the message says why, for the client.

    ``line`` and ``column`` (1-based) say where, when the reason has a place; ``prefix`` names an
    undeclared prefix, so that a caller knowing more prefixes can suggest its IRI. ``reason`` is one of
    :data:`REASONS`, for counting refusals without reading messages.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        prefix: str | None = None,
        reason: str = "syntax",
    ) -> None:
        super().__init__(message)
        self.line, self.column, self.prefix, self.reason = line, column, prefix, reason


#: Why a query is refused: unreadable, an update, a SERVICE not allow-listed, or past a limit.
REASONS = ("syntax", "update", "service", "limit")


@dataclass(frozen=True)
class VettedQuery:
    """A query that passed :func:`vet`; run :attr:`text`, never the client's string.

    ``services`` are the absolute, allow-listed SERVICE IRIs; ``deterministic`` is False when the query
    calls NOW, RAND, UUID, STRUUID or BNODE, or a SERVICE (its answers must not be cached).
    """

    text: str
    form: str
    services: tuple[str, ...]
    has_dataset_clause: bool
    depth: int
    size: int
    deterministic: bool
    #: The client's query, kept only to report the engine's errors at the client's own positions.
    original: str = field(default="", compare=False, repr=False)


def _at(token: Token, message: str, prefix: str | None = None, reason: str = "syntax") -> QueryRejected:
    return QueryRejected(
        f"line {token.line}, column {token.column}: {message}",
        line=token.line,
        column=token.column,
        prefix=prefix,
        reason=reason,
    )


def point_at(query: str, line: int, column: int) -> str:
    """The query's line ``line`` with a caret under ``column`` (both 1-based), indented for a message."""
    lines = query.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].expandtabs(1)  # one column per character, as the positions count them
    start = max(0, column - 60)  # a long line is cut around the position
    shown = ("…" if start else "") + text[start : start + 100]
    return f"\n  {shown}\n  {' ' * (column - 1 - start + (1 if start else 0))}^"


def _unknown_word(query: str, error: LexicalError) -> QueryRejected:
    """The lexer's error, with the keyword the client probably meant when a word is not a keyword."""
    if not error.reason.startswith("unknown word"):
        return QueryRejected(str(error), line=error.line, column=error.column)
    lines = query.splitlines()
    rest = lines[error.line - 1][error.column - 1 :] if error.line <= len(lines) else ""
    word = re.match(r"[\w-]*", rest).group()[:40] or rest[:1]  # type: ignore[union-attr]
    close = difflib.get_close_matches(word.upper(), sorted(KEYWORDS), n=1, cutoff=0.7)
    hint = f"; did you mean {close[0]}?" if close else " (a keyword, or a prefixed name such as rdfs:label)"
    return QueryRejected(
        f"line {error.line}, column {error.column}: unknown keyword {word!r}{hint}",
        line=error.line,
        column=error.column,
    )


def _shown(token: Token) -> str:
    text = token.text if len(token.text) <= 40 else token.text[:37] + "..."
    return repr(text)


def _string(value: str) -> str:
    return '"' + _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group()], value) + '"'


class _Frame:
    """An open bracket: its character, its role and where it was opened."""

    __slots__ = ("char", "clause", "expression", "reparsed", "token", "values")

    def __init__(self, token: Token) -> None:
        self.char = token.value
        self.token = token
        self.expression = False  # a '(' that may hold an expression
        self.values = False  # the data block of a VALUES clause
        self.clause = False  # inside this bracket, after SELECT, GROUP, ORDER or HAVING
        self.reparsed = False  # the arguments of a call in REPARSED_CALLS


class _Vetting:
    def __init__(
        self, query: str, max_depth: int, max_size: int, allowed: frozenset[str], prefixes: dict[str, str]
    ) -> None:
        self.query, self.max_depth, self.max_size, self.allowed = query, max_depth, max_size, allowed
        self.prefixes = prefixes
        self.base: str | None = None

    def run(self) -> VettedQuery:
        try:
            tokens = tokenize(self.query)
        except LexicalError as error:
            raise _unknown_word(self.query, error) from None
        if not tokens:
            raise QueryRejected("the query is empty")
        if any(t.kind == KEYWORD and t.value in UPDATE_KEYWORDS for t in tokens):
            raise QueryRejected("updates are not accepted: this endpoint is read-only", reason="update")
        form = self.form(tokens)
        text, services, refused, depth, size = self.walk(tokens)
        if refused:
            raise QueryRejected(
                "SERVICE is disabled on this endpoint (a federated query would make it fetch remote URLs); "
                f"not allow-listed: {', '.join(refused)}",
                reason="service",
            )
        if depth > self.max_depth:
            raise QueryRejected(
                f"the query nests {depth:,} levels deep; the limit is {self.max_depth:,}", reason="limit"
            )
        if size > self.max_size:
            raise QueryRejected(
                f"the query has {size:,} tokens (names, values and symbols, not counting VALUES data); "
                f"the limit is {self.max_size:,}",
                reason="limit",
            )
        words = {t.value for t in tokens if t.kind == KEYWORD}
        return VettedQuery(
            text=text,
            form=form,
            services=tuple(dict.fromkeys(services)),
            has_dataset_clause="FROM" in words,
            depth=depth,
            size=size,
            deterministic=not (words & NONDETERMINISTIC or services),
            original=self.query,
        )

    def form(self, tokens: list[Token]) -> str:
        """The query form, after a well-formed prologue."""
        i = 0
        while i < len(tokens) and tokens[i].kind == KEYWORD and tokens[i].value in ("BASE", "PREFIX"):
            if tokens[i].value == "BASE":
                if i + 1 >= len(tokens) or tokens[i + 1].kind != IRIREF:
                    raise _at(tokens[i], "BASE must be followed by an IRI such as <http://example.org/>")
                i += 2
            else:
                if i + 2 >= len(tokens) or tokens[i + 1].kind != PNAME_NS or tokens[i + 2].kind != IRIREF:
                    raise _at(tokens[i], "PREFIX must be followed by a prefix such as ex: and an IRI")
                i += 3
        if i == len(tokens):
            raise QueryRejected("the query has no SELECT, CONSTRUCT, DESCRIBE or ASK after its PREFIX and BASE")
        first = tokens[i]
        if first.kind != KEYWORD or first.value not in QUERY_FORMS:
            raise _at(first, f"expected SELECT, CONSTRUCT, DESCRIBE or ASK, found {_shown(first)}")
        return first.value

    def resolve(self, iri: str) -> str:
        """``iri`` made absolute against the current BASE, when it is relative and there is one."""
        if self.base is None or is_absolute(iri) or not is_absolute(self.base):
            return iri
        return resolve(self.base, iri)

    def expand(self, token: Token) -> str:
        """The IRI a prefixed name stands for."""
        try:
            namespace = self.prefixes[token.value]
        except KeyError:
            name = token.value
            raise _at(token, f"prefix '{name}:' is not declared; add PREFIX {name}: <...>", prefix=name) from None
        return namespace + token.local

    def declare(self, tokens: list[Token], i: int) -> None:
        """Apply the PREFIX or BASE declaration at ``tokens[i]``."""
        keyword = tokens[i]
        if keyword.value == "BASE":
            if i + 1 >= len(tokens) or tokens[i + 1].kind != IRIREF:
                raise _at(keyword, "BASE must be followed by an IRI such as <http://example.org/>")
            self.base = self.resolve(tokens[i + 1].value)
        else:
            if i + 2 >= len(tokens) or tokens[i + 1].kind != PNAME_NS or tokens[i + 2].kind != IRIREF:
                raise _at(keyword, "PREFIX must be followed by a prefix such as ex: and an IRI")
            self.prefixes[tokens[i + 1].value] = self.resolve(tokens[i + 2].value)

    def service(self, tokens: list[Token], i: int, services: list[str], refused: list[str]) -> tuple[int, str | None]:
        """Check the target of the SERVICE at ``tokens[i]``: its index, and the IRI to emit if allowed."""
        j = i + 1
        if j < len(tokens) and tokens[j].kind == KEYWORD and tokens[j].value == "SILENT":
            j += 1
        if j >= len(tokens):
            raise _at(tokens[i], "SERVICE must be followed by an IRI and a group")
        target = tokens[j]
        if target.kind in _VAR_KINDS:
            refused.append(f"{target.text} (a variable)")
            return j, None
        if target.kind not in _IRI_KINDS:
            raise _at(target, f"SERVICE must be followed by an IRI, found {_shown(target)}")
        iri = target.value if target.kind == IRIREF else self.expand(target)
        absolute = self.resolve(iri)
        if not is_absolute(absolute):
            refused.append(f"<{iri}> (a relative IRI, and the query has no BASE)")
        elif absolute not in self.allowed:
            refused.append(f"<{absolute}>")
        else:
            services.append(absolute)
            return j, absolute
        return j, None

    def walk(self, tokens: list[Token]) -> tuple[str, list[str], list[str], int, int]:
        """The canonical text, the SERVICE targets (allowed and refused), the depth and the size."""
        out: list[str] = []
        out_line = 1
        stack: list[_Frame] = []
        services: list[str] = []
        refused: list[str] = []
        targets: dict[int, str] = {}  # token index of a SERVICE target -> the absolute IRI to emit
        prefix_names: set[int] = set()  # token indexes of the names in PREFIX declarations
        depth = size = reparsed = 0
        values = ""  # "", "header" (after VALUES) or "data" (inside its data block)
        prev: Token | None = None
        for i, token in enumerate(tokens):
            kind, lexeme, value, line = token[0], token[1], token[2], token[3]
            inner = stack[-1] if stack else None
            if values == "header" and not (kind in _VAR_KINDS or kind == NIL or value in ("(", ")", "{")):
                values = ""
            in_data = values == "data"
            if not in_data or not (kind in _DATA_KINDS or (kind in (PUNCT, KEYWORD) and value in _DATA_WORDS)):
                size += 1

            text: str
            if kind == PUNCT:
                text = lexeme
                if value in _OPENING:
                    frame = _Frame(token)
                    if value == "{":
                        if inner is not None:
                            inner.clause = False
                        if values == "header":
                            frame.values, values = True, "data"
                    elif value == "(" and not in_data and values != "header":
                        before = tokens[i - 2] if i >= 2 else None
                        frame.expression = _opens_expression(inner, prev, before)
                        if prev is not None and prev.kind == KEYWORD and prev.value in REPARSED_CALLS:
                            frame.reparsed = True
                            reparsed += 1
                            if reparsed > MAX_REPARSED_NESTING:
                                raise _at(
                                    prev,
                                    f"the query nests {', '.join(sorted(REPARSED_CALLS))} calls more than "
                                    f"{MAX_REPARSED_NESTING} deep (the engine's parser takes exponential time on them)",
                                    reason="limit",
                                )
                    stack.append(frame)
                    if len(stack) > depth:
                        depth = len(stack)
                elif value in _CLOSING:
                    if inner is None:
                        raise _at(token, f"{value!r} closes nothing")
                    if inner.char != _CLOSING[value]:
                        opened = inner.token
                        raise _at(
                            token,
                            f"{value!r} does not match {inner.char!r} opened at line {opened[3]}, column {opened[4]}",
                        )
                    stack.pop()
                    if inner.values:
                        values = ""
                    if inner.reparsed:
                        reparsed -= 1
            elif kind in _IRI_KINDS:
                if i in prefix_names:
                    text = lexeme
                elif i in targets:
                    text = "<" + targets[i] + ">"
                else:
                    text = "<" + (value if kind == IRIREF else self.expand(token)) + ">"
                    if inner is not None and inner.expression and _ends_operand(prev):
                        raise _at(
                            token,
                            f"the IRI {_shown(token)} directly follows a value inside an expression "
                            "(an operator is missing; for less-than, put a space after '<')",
                        )
            elif kind == KEYWORD:
                text = value.lower() if value in ("TRUE", "FALSE") else value
                if value in ("PREFIX", "BASE"):
                    self.declare(tokens, i)
                    if value == "PREFIX":
                        prefix_names.add(i + 1)
                elif value == "SERVICE":
                    j, absolute = self.service(tokens, i, services, refused)
                    if absolute is not None:
                        targets[j] = absolute
                elif value in _EXPRESSION_CLAUSES or value in _CLAUSE_ENDS:
                    if inner is not None:  # outside every bracket, '(' is taken as an expression anyway
                        inner.clause = value in _EXPRESSION_CLAUSES
                    if value == "VALUES":
                        values = "header"
            elif kind in STRING_KINDS:
                text = _string(value)
                if "\\u" in text or "\\U" in text:
                    raise _at(token, "a string with a backslash before 'u' or 'U' is not accepted here")
            elif kind in (NIL, ANON):
                text = value
                if len(stack) >= depth:
                    depth = len(stack) + 1
            else:
                text = lexeme
            # Newlines where the client's lines ended, so that the engine's line numbers are the client's.
            if line > out_line:
                out.append("\n" * (line - out_line))
                out_line = line
            elif out and not (prev is not None and prev.kind == KEYWORD and (kind == NIL or value == "(")):
                out.append(" ")  # but a call stays whole: Oxigraph refuses "BNODE ()", "CONCAT (", "COALESCE ("
            out.append(text)
            prev = token
        if stack:
            opened = stack[-1].token
            raise _at(opened, f"{opened.value!r} is never closed")
        canonical = "".join(out)
        if "\\u" in canonical or "\\U" in canonical:  # cannot happen: strings were checked one by one
            raise QueryRejected("the query would contain a \\u escape")
        return canonical, services, refused, depth, size


def _ends_operand(token: Token | None) -> bool:
    """After this token, Oxigraph would read '<' as the less-than operator (inside an expression)."""
    if token is None:
        return False
    return token.kind in _OPERAND_END_KINDS or (token.kind in (PUNCT, KEYWORD) and token.value in _OPERAND_END_WORDS)


def _opens_expression(inner: _Frame | None, prev: Token | None, before: Token | None) -> bool:
    """Whether a '(' may open an expression (rather than a collection or a path group); when unsure, yes."""
    if inner is None:
        return True  # SELECT list, GROUP BY, ORDER BY, HAVING
    if inner.char == "(":
        return inner.expression  # nested in an expression, or in a collection or path
    if inner.clause or prev is None:
        return True
    if prev.kind == KEYWORD:
        return prev.value != "a"  # FILTER, BIND, functions; 'a' is followed by an object
    # FILTER <f>(...) calls a function; elsewhere an IRI before '(' is a subject or predicate.
    return prev.kind in _IRI_KINDS and before is not None and before.kind == KEYWORD and before.value == "FILTER"
