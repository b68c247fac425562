"""Running a query string on the store and writing its results in a chosen format."""

from __future__ import annotations

import pyoxigraph as ox

from ntrkkg.store import plain

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "table": ox.RdfFormat.TURTLE,
}


class QueryFailed(Exception):
    """The query could not be parsed or evaluated; the message says why."""


def _as_table(results: ox.QuerySolutions) -> str:
    names = [v.value for v in results.variables]
    rows = [[plain(sol[n]) for n in names] for sol in results]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _decoded(data: bytes | None) -> str:
    return (data or b"").decode("utf-8")


def run_and_format(store: ox.Store, sparql: str, fmt: str) -> str:
    """Evaluate ``sparql`` over the union of the graphs and serialise its results."""
    try:
        results = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise QueryFailed(f"syntax error in query: {error}") from None
    except OSError as error:
        raise QueryFailed(f"query failed: {error}") from None
    if isinstance(results, ox.QueryBoolean):
        value = bool(results)
        if fmt in RESULT_FORMATS:
            return _decoded(results.serialize(format=RESULT_FORMATS[fmt]))
        return ("true" if value else "false") + "\n"
    if isinstance(results, ox.QuerySolutions):
        if fmt == "table":
            return _as_table(results)
        if fmt not in RESULT_FORMATS:
            raise QueryFailed(f"format {fmt!r} is for CONSTRUCT/DESCRIBE results")
        return _decoded(results.serialize(format=RESULT_FORMATS[fmt]))
    if fmt not in GRAPH_FORMATS:
        raise QueryFailed(f"format {fmt!r} is for SELECT/ASK results; use turtle or ntriples")
    return _decoded(results.serialize(format=GRAPH_FORMATS[fmt]))
