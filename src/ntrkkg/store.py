"""The graph for notebooks and scripts: as an rdflib Dataset, a pyoxigraph Store, or query rows."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Dataset

from ntrkkg.build import BuildResult, build_dataset

if TYPE_CHECKING:
    import pandas

DEFAULT_DIST = Path(os.environ.get("NTRKKG_DIST", "dist"))


def _dump(dist: Path) -> Path | None:
    dumps = sorted(dist.glob("ntrkkg-*.nq"))
    return dumps[-1] if dumps else None


def store_from_build(result: BuildResult) -> ox.Store:
    """An in-memory store with the asserted and inferred graphs of ``result``."""
    store = ox.Store()
    data = result.dataset().serialize(format="nquads", encoding="utf-8")
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    return store


def store_from_dist(dist: Path) -> ox.Store:
    """An in-memory store loaded from the N-Quads dump in ``dist``."""
    dump = _dump(dist)
    if dump is None:
        raise FileNotFoundError(f"no ntrkkg-*.nq dump in {dist}; run `ntrkkg build` first")
    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    return store


@cache
def _built() -> BuildResult:
    return build_dataset()


def open_store(dist: Path | None = None) -> ox.Store:
    """The store of the built graph: from ``dist`` if it holds a build, else built now (once)."""
    dist = dist or DEFAULT_DIST
    return store_from_dist(dist) if _dump(dist) else store_from_build(_built())


def dataset(dist: Path | None = None) -> Dataset:
    """The graph as an rdflib Dataset, with the asserted and inferred named graphs."""
    dist = dist or DEFAULT_DIST
    dump = _dump(dist)
    if dump is None:
        return _built().dataset()
    ds = Dataset()
    ds.parse(dump, format="nquads")
    return ds


@cache
def _default_store() -> ox.Store:
    return open_store()


def plain(term: object) -> str:
    """A result term as text: an IRI or a literal's lexical value; ``_:id`` for a blank node."""
    if term is None:
        return ""
    if isinstance(term, (ox.Literal, ox.NamedNode)):
        return term.value
    return str(term)


def query(sparql: str, store: ox.Store | None = None, *, dataframe: bool = False
          ) -> list[dict[str, Any]] | bool | pandas.DataFrame:
    """Run a SELECT or ASK query on the union of the graphs.

    Returns the rows as dicts of plain values (IRIs and literals as strings), a boolean for ASK,
    or, with ``dataframe=True``, a pandas DataFrame (``pip install 'ntrkkg[pandas]'``).
    """
    results = (store or _default_store()).query(sparql, use_default_graph_as_union=True)
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    if not isinstance(results, ox.QuerySolutions):
        raise ValueError("query() returns rows or a boolean; use Store.query for CONSTRUCT/DESCRIBE")
    names = [v.value for v in results.variables]
    rows = [{n: plain(row[n]) for n in names if row[n] is not None} for row in results]
    if not dataframe:
        return rows
    try:
        import pandas
    except ImportError:
        raise ImportError("dataframe=True needs pandas: pip install 'ntrkkg[pandas]'") from None
    return pandas.DataFrame(rows, columns=names)
