"""The Python API for notebooks: query rows, DataFrames, the rdflib Dataset and the Store."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef

import ntrkkg
from ntrkkg.build.pipeline import BuildResult

DRUGS = """SELECT ?drug WHERE { ?d a <https://w3id.org/ntrkkg/ontology#TRKInhibitor> ;
  <http://www.w3.org/2000/01/rdf-schema#label> ?drug } ORDER BY ?drug"""


def test_query_rows_as_dicts(dist: Path) -> None:
    rows = ntrkkg.query(DRUGS, ntrkkg.open_store(dist))
    assert rows == [{"drug": "entrectinib"}, {"drug": "larotrectinib"}]


def test_query_ask(dist: Path) -> None:
    assert ntrkkg.query("ASK { <https://w3id.org/ntrkkg/gene/NTRK1> ?p ?o }", ntrkkg.open_store(dist)) is True


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is an optional extra")
def test_query_dataframe(dist: Path) -> None:
    frame = ntrkkg.query(DRUGS, ntrkkg.open_store(dist), dataframe=True)
    assert list(frame.columns) == ["drug"] and frame["drug"].tolist() == ["entrectinib", "larotrectinib"]


def test_query_rejects_construct(dist: Path) -> None:
    with pytest.raises(ValueError, match="CONSTRUCT"):
        ntrkkg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", ntrkkg.open_store(dist))


def test_dataset_has_named_graphs(dist: Path, built: BuildResult) -> None:
    ds = ntrkkg.dataset(dist)
    assert isinstance(ds, Dataset)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {"https://w3id.org/ntrkkg/graph/asserted", "https://w3id.org/ntrkkg/graph/inferred"} <= names
    asserted = ds.graph(URIRef("https://w3id.org/ntrkkg/graph/asserted"))
    assert len(asserted) == len(built.asserted)


def test_store_is_pyoxigraph(dist: Path) -> None:
    assert isinstance(ntrkkg.open_store(dist), ox.Store)


def test_versions() -> None:
    assert ntrkkg.dataset_version() == "0.2.0"
    assert ntrkkg.__version__


def test_no_build_is_said_not_silently_rebuilt(tmp_path: Path) -> None:
    from ntrkkg import NoBuild

    for call in (ntrkkg.open_store, ntrkkg.dataset, lambda dist: ntrkkg.query("ASK {}", dist)):
        with pytest.raises(NoBuild, match=r"no build in .*: run `ntrkkg build --out .*` first.*build=True"):
            call(tmp_path)
    assert not any(tmp_path.iterdir())


def test_build_true_builds_in_memory(tmp_path: Path, built: BuildResult) -> None:
    store = ntrkkg.open_store(tmp_path, build=True)
    asserted = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/ntrkkg/graph/asserted> { ?s ?p ?o } }"
    assert ntrkkg.query(asserted, store) == [{"n": len(built.asserted)}]
