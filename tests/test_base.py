"""A deployment under another base IRI: build, serve, pages, table, SSSOM and VoID all move; the ontology stays."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from conftest import SOURCE_TABLE
from ntrkkg.build.pipeline import BuildError, BuildResult, build_dataset, write_build
from ntrkkg.config import ConfigError, Settings
from ntrkkg.outputs.dumps import write_dumps
from ntrkkg.sparql.service import QueryService
from ntrkkg.table import as_text

BASE = "https://example.org/kg/"
W3ID_DATA = "https://w3id.org/ntrkkg/gene/"


@pytest.fixture(scope="module")
def rebuilt() -> BuildResult:
    return build_dataset(BASE)


@pytest.fixture(scope="module")
def other_dist(rebuilt: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("other-base") / "dist"
    write_build(out, rebuilt, write_dumps)
    return out


@pytest.fixture(scope="module")
def other_client(other_dist: Path) -> Iterator[FlaskClient]:
    from ntrkkg.web import create_app

    app = create_app(Settings(base=BASE, dist=other_dist, engines=2))
    yield app.test_client()
    app.extensions["ntrkkg"].service.close()


def _count(client: FlaskClient, query: str) -> int:
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.data
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_the_whole_build(other_client: FlaskClient, rebuilt: BuildResult) -> None:
    assert _count(other_client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == len(rebuilt.asserted) + len(
        rebuilt.inferred
    )
    assert (
        _count(other_client, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{W3ID_DATA}')) }}")
        == 0
    )
    # The ontology's own IRIs do not move: queries written against it work unchanged.
    assert _count(other_client, "SELECT (COUNT(*) AS ?n) WHERE { ?g a <https://w3id.org/ntrkkg/ontology#Gene> }") > 20


def test_entity_pages_at_the_new_base(other_client: FlaskClient) -> None:
    page = other_client.get("/gene/NTRK1", headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"NTRK1" in page.data
    turtle = other_client.get("/gene/NTRK1", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and BASE.encode() + b"gene/NTRK1" in turtle.data
    assert b"Service" in other_client.get("/sparql", headers={"Accept": "text/turtle"}).data


def test_table_round_trip_under_the_new_base(rebuilt: BuildResult) -> None:
    from ntrkkg.store.local import store_from_build

    service = QueryService.open(Settings(base=BASE), store=store_from_build(rebuilt), engines=1)
    try:
        assert as_text(service).encode("utf-8") == SOURCE_TABLE.read_bytes()
    finally:
        service.close()


def test_dumps_sssom_and_void_use_the_new_base(other_dist: Path) -> None:
    for path in [*other_dist.glob("ntrkkg-*.nt"), *other_dist.glob("*.sssom.tsv"), other_dist / "void.ttl"]:
        text = path.read_text(encoding="utf-8")
        assert W3ID_DATA not in text and "https://w3id.org/ntrkkg/statement/" not in text, path.name
        assert BASE in text, path.name


@pytest.mark.parametrize("bad", ["https://example.org/kg", "example.org/kg/", "https://exa mple.org/", "ftp://x/"])
def test_a_bad_base_is_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(BuildError, match="base IRI"):
        build_dataset(bad)
    with pytest.raises(ConfigError, match="NTRKKG_BASE"):
        Settings.from_env({"NTRKKG_BASE": bad})
