"""Vetting: decide whether a SPARQL query may reach the engine, and rewrite it into the text the engine runs.

The engine (pyoxigraph) fetches ``SERVICE`` IRIs over HTTP and dies of a stack overflow on very deep or
very long queries. So a query is tokenized by the exact SPARQL tokenizer of :mod:`.lexer`, checked on its
tokens, and **re-emitted** from them in a small unambiguous subset of the syntax: every prefixed name
expanded to ``<IRI>``, no comments, strings in one canonical escaping, SERVICE targets absolute, tokens
separated by single spaces, newlines where the client's lines ended. The engine never sees the client's
string, only :attr:`VettedQuery.text`, so however another reader would have read the client's string,
the engine runs what was checked.

One construct is refused beyond SPARQL: Oxigraph's parser reads ``<`` after a value inside an
expression as less-than even when an IRIREF follows (``FILTER(?x <?a)SERVICE#>`` hides a SERVICE behind
a comment). SPARQL reads an IRI there, which is a syntax error anyway, so an IRI right after a value
inside an expression's parentheses is refused.

Limits. Measured with pyoxigraph 0.5.13 on an empty ``Store()``, the query evaluated in a thread (default
8 MiB stack) of a child process; ``n`` is the smallest count that crashed (SIGSEGV) or ran over 5 s, and the
measure is this module's depth or size of that query::

    shape                                                 n  measure        outcome
    SUM( nested (aggregates)                            832  depth 833      crash
    FILTER EXISTS { nested                              848  depth 849      crash
    COALESCE( / STR( / IF( nested                   928-960  depth 930-962  crash
    { nested (groups)                                 2,208  depth 2,208    crash
    { SELECT * WHERE nested (subqueries)              2,560  depth 2,562    crash
    OPTIONAL { / MINUS { nested                       2,624  depth 2,625    crash
    ((...)) in an expression                          4,672  depth 4,674    crash
    1+1+... / 1-1-... (+1 is one token)               6,912  size 6,923     crash
    !!!...true                                        9,472  size 9,484     crash
    (1 AS ?v) in SELECT                               2,624  size 13,127    crash
    1*1*...                                           6,912  size 13,834    crash
    BIND(...) / MINUS {...} in a row                  2,624  size 15,752    crash
    true&&true... / ||                                9,472  size 18,954    crash
    {}UNION{}...                                      6,656  size 19,975    crash
    OPTIONAL {} in a row                              6,656  size 19,976    crash
    :p|:p|...                                        11,008  size 22,025    crash
    OPTIONAL { BIND(...) } in a row                   2,624  size 23,624    crash
    REGEX( SUBSTR( REPLACE( GROUP_CONCAT( nested      20-22  2^n parses     > 5 s
    ((((1)))) nested collections                        154  depth 155      > 5 s
    ?s :p ?o1 . ?s :p ?o2 ... (a star)                  150  size 608       > 5 s
    (1 1 1 ...) collection                              200  size 212       > 5 s
    OPTIONAL { ?s :p ?o } in a row                      320  size 1,931     > 5 s
    :p/:p/...                                           400  size 809       > 5 s
    ?v1 :p ?v2 . ?v2 :p ?v3 ... (a chain)               424  size 1,704     > 5 s
    FILTER(1) repeated                                8,192  size 32,776    > 5 s
    VALUES ?x {...}, IN (...), CONCAT(...)        > 262,144                 fine

The defaults stay a factor of four or more below every crash: ``DEFAULT_MAX_DEPTH`` = 200 (832 / 200 = 4.2)
and ``DEFAULT_MAX_SIZE`` = 1,500 tokens (6,923 / 1,500 = 4.6); both limits reached at once still run. The
nested REPARSED_CALLS cost 2^n (Oxigraph's parser reads them twice per level), so they may nest at most
MAX_REPARSED_NESTING = 8 deep. The other slow shapes are not crashes and no token count can stop them
without refusing ordinary queries: Oxigraph's join planning grows with the cube of the triple patterns of
a group (a star of 150 takes over 5 s, a chain of 300 about 2 s): the engine's time limit ends them.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from functools import lru_cache
from typing import Final

from .canonical import (
    _CACHED_BELOW,
    MAX_REPARSED_NESTING,
    REPARSED_CALLS,
    QueryRejected,
    VettedQuery,
    _Vetting,
    point_at,
)
from .lexer import IRIREF, KEYWORD, PNAME_NS, tokenize

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_MAX_SIZE",
    "MAX_REPARSED_NESTING",
    "REPARSED_CALLS",
    "QueryRejected",
    "VettedQuery",
    "vet",
]

#: Characters a query may have (checked before tokenizing).
DEFAULT_MAX_LENGTH: Final = 100_000
#: Deepest nesting of ``{ ( [`` brackets.
DEFAULT_MAX_DEPTH: Final = 200
#: Most tokens outside the data blocks of VALUES.
DEFAULT_MAX_SIZE: Final = 1_500


def vet(
    query: str,
    *,
    max_length: int = DEFAULT_MAX_LENGTH,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_size: int = DEFAULT_MAX_SIZE,
    allowed_services: Set[str] = frozenset(),
    prefixes: Mapping[str, str] | None = None,
    known_prefixes: Mapping[str, str] | None = None,
) -> VettedQuery:
    """Check ``query`` and return its canonical form; raises :class:`QueryRejected` naming the problem.

    ``prefixes`` maps prefix names (``"rdfs"`` or ``"rdfs:"``) to IRIs a query may use undeclared.
    ``known_prefixes`` are only suggested: a query that uses one undeclared is told the IRI to declare.
    The message of a refusal with a place ends with the query's line and a caret under the place.
    """
    if len(query) > max_length:
        raise QueryRejected(f"the query is {len(query):,} characters long; the limit is {max_length:,}", reason="limit")
    declared = tuple(sorted((name.removesuffix(":"), iri) for name, iri in (prefixes or {}).items()))
    for name, iri in declared:
        _check_prefix(name, iri)
    args = (query, max_depth, max_size, frozenset(allowed_services), declared)
    # Short queries repeat (examples, dashboards, retries): remember their outcome.
    outcome = _vet_remembered(*args) if len(query) < _CACHED_BELOW else _vet_outcome(*args)
    if isinstance(outcome, VettedQuery):
        return outcome
    message, line, column, prefix, reason = outcome
    if prefix is not None:
        message = _suggestion(message, prefix, known_prefixes or {})
    if line is not None and column is not None:
        message += point_at(query, line, column)
    raise QueryRejected(message, line=line, column=column, prefix=prefix, reason=reason)


def _suggestion(message: str, prefix: str, known: Mapping[str, str]) -> str:
    """The message about an undeclared prefix, naming its IRI when it is a known one (its case aside)."""
    names = {name.removesuffix(":"): iri for name, iri in known.items()}
    iri = names.get(prefix) or next((iri for name, iri in names.items() if name.lower() == prefix.lower()), None)
    if iri is None:
        return message
    return (
        message.replace(f"PREFIX {prefix}: <...>", f"PREFIX {prefix}: <{iri}>") + " (a prefix the dataset's map knows)"
    )


#: A refusal, remembered as data (an exception instance re-raised would grow its traceback).
_Refusal = tuple[str, int | None, int | None, str | None, str]  # message, line, column, prefix, reason


@lru_cache(maxsize=1024)
def _vet_remembered(
    query: str, max_depth: int, max_size: int, allowed: frozenset[str], declared: tuple[tuple[str, str], ...]
) -> VettedQuery | _Refusal:
    return _vet_outcome(query, max_depth, max_size, allowed, declared)


def _vet_outcome(
    query: str, max_depth: int, max_size: int, allowed: frozenset[str], declared: tuple[tuple[str, str], ...]
) -> VettedQuery | _Refusal:
    try:
        return _Vetting(query, max_depth, max_size, allowed, dict(declared)).run()
    except QueryRejected as rejected:
        return str(rejected), rejected.line, rejected.column, rejected.prefix, rejected.reason


@lru_cache(maxsize=256)
def _check_prefix(name: str, iri: str) -> None:
    """Refuse a predeclared prefix that is not a prefix name and an IRI as they would be written."""
    tokens = tokenize(f"PREFIX {name}: <{iri}>") if "\\" not in iri else []
    if [t.kind for t in tokens] != [KEYWORD, PNAME_NS, IRIREF] or tokens[1].value != name:
        raise ValueError(f"not a prefix and an IRI: {name!r}, {iri!r}")
