"""Query answers as text for a terminal: a plain table of solutions, or the serialised result."""

from __future__ import annotations

import pyoxigraph as ox

__all__ = ["as_table", "plain"]


def plain(term: object) -> str:
    """A result term as text: an IRI or a literal's lexical value; ``_:id`` for a blank node."""
    if term is None:
        return ""
    if isinstance(term, (ox.Literal, ox.NamedNode)):
        return term.value
    return str(term)


def as_table(json_results: bytes) -> str:
    """A SELECT's JSON results as an aligned text table with a row count; ASK as true/false."""
    results = ox.parse_query_results(json_results, ox.QueryResultsFormat.JSON)
    if isinstance(results, ox.QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    names = [v.value for v in results.variables]
    rows = [[plain(sol[n]) for n in names] for sol in results]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
