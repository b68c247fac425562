"""The graph for notebooks and scripts: query rows, an rdflib Dataset, or a pyoxigraph Store.

``query`` passes through the same door as the service (vetting, confined engines, limits).
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

__all__ = ["dataset", "open_store", "query"]


def _dist(dist: Path | None) -> Path:
    return dist if dist is not None else Settings.from_env().dist


@cache
def _built(base: str) -> BuildResult:
    from ntrkkg.build.pipeline import build_dataset

    return build_dataset(base)


def open_store(dist: Path | None = None) -> ox.Store:
    """The store of the built graph (asserted and inferred named graphs): from ``dist``, else built now."""
    from ntrkkg.store.local import find_dump, store_from_build, store_from_dist

    dist = _dist(dist)
    return store_from_dist(dist) if find_dump(dist) else store_from_build(_built(Settings.from_env().base))


def dataset(dist: Path | None = None) -> Dataset:
    """The graph as an rdflib Dataset, with the asserted and inferred named graphs."""
    from rdflib import Dataset

    from ntrkkg.store.local import find_dump

    dump = find_dump(_dist(dist))
    if dump is None:
        return _built(Settings.from_env().base).dataset()
    ds = Dataset()
    ds.parse(dump, format="nquads")
    return ds


_services: dict[object, QueryService] = {}


def _service(source: Path | ox.Store | None) -> QueryService:
    """One service per source, kept for the session: a dist folder, or a store given by the caller."""
    from ntrkkg.sparql.service import QueryService

    key: object = source if isinstance(source, ox.Store) else _dist(source).resolve()
    if key not in _services:
        store = source if isinstance(source, ox.Store) else open_store(_dist(source))
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
    sparql: str, source: Path | ox.Store | None = None, *, dataframe: bool = False
) -> list[dict[str, Any]] | bool | pandas.DataFrame:
    """Run a SELECT or ASK query on the union of the graphs, through the service's vetting and engines.

    ``source`` is a dist folder (default: ``$NTRKKG_DIST`` or ``dist``, built now if empty) or a store.

    Returns rows as dicts (IRIs as strings, numbers as numbers), a boolean for ASK, or, with
    ``dataframe=True``, a pandas DataFrame (``pip install 'ntrkkg[pandas]'``). Raises
    :class:`ntrkkg.sparql.vetting.QueryRejected` or :class:`ntrkkg.sparql.service.QueryFailed` with the reason.
    """
    service = _service(source)
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
