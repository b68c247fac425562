"""The pyoxigraph store that queries run on, loaded from a build or its dumps."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ntrkkg.build import BuildResult

DEFAULT_DIST = Path(os.environ.get("NTRKKG_DIST", "dist"))


def store_from_build(result: BuildResult) -> ox.Store:
    """An in-memory store with the asserted and inferred graphs of ``result``."""
    store = ox.Store()
    data = result.dataset().serialize(format="nquads", encoding="utf-8")
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    return store


def store_from_dist(dist: Path) -> ox.Store:
    """An in-memory store loaded from the N-Quads dump in ``dist``."""
    dumps = sorted(dist.glob("ntrkkg-*.nq"))
    if not dumps:
        raise FileNotFoundError(f"no ntrkkg-*.nq dump in {dist}; run `ntrkkg build` first")
    store = ox.Store()
    store.bulk_load(path=str(dumps[-1]), format=ox.RdfFormat.N_QUADS)
    return store


def open_store(dist: Path | None = None) -> ox.Store:
    """The store of the built graph: from ``dist`` if it holds a build, else built now."""
    dist = dist or DEFAULT_DIST
    if any(dist.glob("ntrkkg-*.nq")):
        return store_from_dist(dist)
    from ntrkkg.build import build_dataset

    return store_from_build(build_dataset())


def _value(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term


def query(sparql: str, store: ox.Store | None = None) -> list[dict[str, Any]] | bool:
    """Run a SELECT or ASK query on the union of all graphs: rows as dicts, or a boolean."""
    store = store or open_store()
    results = store.query(sparql, use_default_graph_as_union=True)
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    if isinstance(results, ox.QuerySolutions):
        names = [v.value for v in results.variables]
        return [{n: _value(row[n]) for n in names if row[n] is not None} for row in results]
    raise ValueError("query() returns rows or a boolean; use Store.query for CONSTRUCT/DESCRIBE")
