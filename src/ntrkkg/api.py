"""The graph for notebooks and scripts: query rows, an rdflib Dataset, or a pyoxigraph Store.

``query`` passes through the same door as the service (vetting, confined engines, limits). Each reads
the build in ``dist`` (``$NTRKKG_DIST``, by default ``./dist``, written by ``ntrkkg build``); with
no build there, each raises :class:`NoBuild`, unless called with ``build=True``, which builds the
graph in memory from the package's own data (some seconds, once per process).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ntrkkg.config import Settings
from ntrkkg.formats import BY_KEY

if TYPE_CHECKING:
    import pandas
    from rdflib import Dataset

    from ntrkkg.build.pipeline import BuildResult
    from ntrkkg.sparql.service import QueryService

__all__ = ["NoBuild", "dataset", "open_store", "query"]


class NoBuild(FileNotFoundError):
    """There is no build in the dist folder, and building in memory was not asked for."""


def _dist(dist: Path | None) -> Path:
    return dist if dist is not None else Settings.from_env().dist


def _no_build(dist: Path) -> NoBuild:
    return NoBuild(
        f"no build in {dist}/ (looked for its N-Quads dump): run `ntrkkg build --out {dist}` first, pass the "
        "dist folder, or call with build=True to build the graph in memory from the package's data"
    )


@cache
def _built(base: str) -> BuildResult:
    from ntrkkg.build.pipeline import build_dataset

    return build_dataset(base)


def open_store(dist: Path | None = None, *, build: bool = False) -> ox.Store:
    """The store of the built graph (asserted and inferred named graphs), read from ``dist``.

    Raises :class:`NoBuild` when ``dist`` holds no build, unless ``build=True`` (then built in memory).
    """
    from ntrkkg.store.local import find_dump, store_from_build, store_from_dist

    dist = _dist(dist)
    if find_dump(dist):
        return store_from_dist(dist)
    if not build:
        raise _no_build(dist)
    return store_from_build(_built(Settings.from_env().base))


def dataset(dist: Path | None = None, *, build: bool = False) -> Dataset:
    """The graph as an rdflib Dataset, with the asserted and inferred named graphs, read from ``dist``.

    Raises :class:`NoBuild` when ``dist`` holds no build, unless ``build=True`` (then built in memory).
    """
    from rdflib import Dataset

    from ntrkkg.store.local import find_dump

    dump = find_dump(_dist(dist))
    if dump is None:
        if not build:
            raise _no_build(_dist(dist))
        return _built(Settings.from_env().base).dataset()
    ds = Dataset()
    ds.parse(dump, format="nquads")
    return ds


_services: dict[object, QueryService] = {}


def _service(source: Path | ox.Store | None, build: bool) -> QueryService:
    """One service per source, kept for the session: a dist folder, or a store given by the caller."""
    from ntrkkg.sparql.service import QueryService

    key: object = source if isinstance(source, ox.Store) else _dist(source).resolve()
    if key not in _services:
        store = source if isinstance(source, ox.Store) else open_store(_dist(source), build=build)
        _services[key] = QueryService.open(Settings.from_env(), store=store, engines=1)
    return _services[key]


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Any:
    """A term as a Python value: IRIs as strings, typed literals as int, float, bool or str."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        try:
            if datatype in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"):
                return int(term.value)
            if datatype in ("decimal", "double", "float"):
                return float(term.value)
            if datatype == "boolean":
                return term.value in ("true", "1")
        except ValueError:
            pass
        return term.value
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def query(
    sparql: str, source: Path | ox.Store | None = None, *, dataframe: bool = False, build: bool = False
) -> list[dict[str, Any]] | bool | pandas.DataFrame:
    """Run a SELECT or ASK query on the union of the graphs, through the service's vetting and engines.

    ``source`` is a dist folder (default: ``$NTRKKG_DIST`` or ``dist``) or a store. A folder without a
    build raises :class:`NoBuild`, unless ``build=True``: then the graph is built in memory first.

    Returns rows as dicts (IRIs as strings, numbers as numbers), a boolean for ASK, or, with
    ``dataframe=True``, a pandas DataFrame (``pip install 'ntrkkg[pandas]'``). Raises
    :class:`ntrkkg.sparql.vetting.QueryRejected` or :class:`ntrkkg.sparql.service.QueryFailed` with the reason.
    """
    service = _service(source, build)
    vetted = service.vet(sparql)
    if vetted.form not in ("SELECT", "ASK"):
        raise ValueError(
            f"query() returns rows or a boolean, not the triples of a {vetted.form}; use open_store().query for those"
        )
    body = service.require(vetted, BY_KEY["json"]).body
    results = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    names = [v.value for v in results.variables]
    rows = [{n: _value(row[n]) for n in names if row[n] is not None} for row in results]
    if not dataframe:
        return rows
    try:
        import pandas
    except ImportError:
        raise ImportError("dataframe=True needs pandas: pip install 'ntrkkg[pandas]'") from None
    return pandas.DataFrame(rows, columns=names)
