"""Checks a query string before it reaches the engine, without evaluating it.

Oxigraph would fetch ``SERVICE`` IRIs over HTTP and overflows its stack on very deep
nesting, so both are caught here, on a token stream that has comments, strings and IRIs
removed (a keyword inside them is not a keyword).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_STRING = "|".join((
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n]|\\.)*"',
    r"'(?:[^'\\\n]|\\.)*'",
))
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
_COMMENT = r"#[^\n]*"
_WORD = r"[?$]?[A-Za-z_][\w-]*(?::[\w.-]*)?|:[\w.-]*"
_LEXER = re.compile(rf"(?P<string>{_STRING})|(?P<iri>{_IRI})|(?P<comment>{_COMMENT})|(?P<word>{_WORD})"
                    r"|(?P<open>[{(\[])|(?P<close>[})\]])|(?P<other>\S)", re.S)

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"}


class QueryRejected(Exception):
    """The query is refused before evaluation; the message says why."""


@dataclass
class QueryShape:
    form: str | None
    services: list[str] = field(default_factory=list)
    has_dataset_clause: bool = False
    max_depth: int = 0


def inspect(query: str) -> QueryShape:
    """The query form, SERVICE targets, FROM use and nesting depth of ``query``."""
    # Short queries repeat (examples, dashboards): remember their shape; long ones are rare.
    return _inspect_remembered(query) if len(query) <= 8192 else _inspect(query)


@lru_cache(maxsize=2048)
def _inspect_remembered(query: str) -> QueryShape:
    return _inspect(query)


def _inspect(query: str) -> QueryShape:
    shape = QueryShape(form=None)
    depth = 0
    after_service = False
    for match in _LEXER.finditer(query):
        kind, text = match.lastgroup or "", match.group()
        if kind in ("comment", "string") and not after_service:
            continue
        word = text.upper() if kind == "word" else ""
        if after_service:
            if word == "SILENT":
                continue
            shape.services.append(text.strip("<>"))  # an IRI, a prefixed name or a variable
            after_service = False
        if word == "SERVICE":
            after_service = True
        elif word == "FROM":
            shape.has_dataset_clause = True
        elif shape.form is None and word in QUERY_FORMS:
            shape.form = word
        elif shape.form is None and word in UPDATE_WORDS:
            shape.form = "UPDATE"
        elif kind == "open":
            depth += 1
            shape.max_depth = max(shape.max_depth, depth)
        elif kind == "close":
            depth -= 1
    return shape


def vet(query: str, *, max_length: int, max_depth: int, allowed_services: frozenset[str]) -> QueryShape:
    """Refuse what must not reach the engine; return the query's shape otherwise."""
    if len(query) > max_length:
        raise QueryRejected(f"the query is {len(query):,} characters long; the limit is {max_length:,}")
    shape = inspect(query)
    if shape.form == "UPDATE":
        raise QueryRejected("updates are not accepted: this endpoint is read-only")
    if shape.max_depth > max_depth:
        raise QueryRejected(f"the query nests {shape.max_depth} levels deep; the limit is {max_depth}")
    refused = [s for s in shape.services if s not in allowed_services]
    if refused:
        raise QueryRejected(
            "SERVICE is disabled on this endpoint (federated queries would fetch remote URLs); "
            f"not allow-listed: {', '.join(refused)}"
        )
    return shape
