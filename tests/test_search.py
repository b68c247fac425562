"""Full-text search: the index a build writes, its ranking, misspellings, the SPARQL function and the pages.

The expected hits are read off table2.txt by hand: "necrosis" and "hemorrhage" stand together only
in row 1's radiology cell (line 9), and S100 is named by the immunohistochemistry cells of rows 2,
3, 4 and 5 (lines 14, 21, 28, 35).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest

from ntrkkg.build.pipeline import BuildResult
from ntrkkg.config import Settings
from ntrkkg.outputs.search_index import INDEX_FILE, write_search_index
from ntrkkg.sparql.search import SEARCH, SearchIndex, edit_distance, words
from ntrkkg.sparql.service import QueryService

if TYPE_CHECKING:
    from flask.testing import FlaskClient

BASE = "https://w3id.org/ntrkkg/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
IFS_RADIOLOGY = BASE + "statement/ifs-canonical-etv6-ntrk3/radiology/1"
S100_STATEMENTS = {
    BASE + "statement/ifs-like-tumor/immunohistochemistry/1",
    BASE + "statement/lipofibromatosis-like-neural-tumor/immunohistochemistry/1",
    BASE + "statement/mpnst-like-spindle-cell-tumor/immunohistochemistry/1",
    BASE + "statement/adult-type-fibrosarcoma/immunohistochemistry/1",
}


@pytest.fixture(scope="module")
def index_file(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search")
    path, media_type, _ = write_search_index(out, built)
    assert path == out / INDEX_FILE and media_type == "application/vnd.sqlite3"
    return path


@pytest.fixture(scope="module")
def index(index_file: Path) -> Iterator[SearchIndex]:
    opened = SearchIndex.open(index_file)
    yield opened
    opened.close()


def _iris(index: SearchIndex, query: str, limit: int = 50) -> list[str]:
    return [hit.iri for hit in index.search(query, limit).hits]


# --- The index file ------------------------------------------------------------------------------


def test_the_index_is_the_same_bytes_every_build(built: BuildResult, index_file: Path, tmp_path: Path) -> None:
    again, _, _ = write_search_index(tmp_path, built)
    assert again.read_bytes() == index_file.read_bytes()


def test_the_build_lists_the_index_with_its_checksum(dist: Path) -> None:
    sums = (dist / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"  {INDEX_FILE}\n" in sums
    assert SearchIndex.open(dist / INDEX_FILE).documents > 70  # every statement at least


def test_a_file_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "search.sqlite"
    bogus.write_bytes(b"not a database")
    with pytest.raises(ValueError, match="not a search index"):
        SearchIndex.open(bogus)
    with pytest.raises(FileNotFoundError, match="ntrkkg build"):
        SearchIndex.open(tmp_path / "absent.sqlite")


# --- Ranking, misspellings, case ---------------------------------------------------------------


def test_necrosis_hemorrhage_finds_the_ifs_radiology_statement_first(index: SearchIndex) -> None:
    results = index.search("necrosis hemorrhage")
    assert not results.relaxed
    assert [h.iri for h in results.hits] == [IFS_RADIOLOGY]  # the only text with both words
    snippet = results.hits[0].snippet_html
    assert "<mark>necrosis</mark>" in snippet and "<mark>hemorrhage</mark>" in snippet


def test_one_word_ranks_every_statement_that_has_it(index: SearchIndex) -> None:
    hits = _iris(index, "necrosis")
    statements = [iri for iri in hits if "/statement/" in iri]
    assert statements[0] == IFS_RADIOLOGY  # the shortest text that says it
    assert set(statements) == {
        IFS_RADIOLOGY,
        BASE + "statement/ifs-canonical-etv6-ntrk3/histology/1",
        BASE + "statement/mpnst-like-spindle-cell-tumor/histology/2",
    }


def test_a_misspelt_drug_finds_larotrectinib(index: SearchIndex) -> None:
    results = index.search("larotrectnib")
    assert results.hits[0].iri == BASE + "drug/larotrectinib"
    assert results.corrections == {"larotrectnib": ["larotrectinib"]}
    # the statements that name it are found too, the printed typo "lartrectinib" is not a correction
    assert BASE + "statement/ifs-canonical-etv6-ntrk3/treatment-response/1" in _iris(index, "larotrectnib")


def test_s100_lists_the_marker_and_the_statements(index: SearchIndex) -> None:
    hits = _iris(index, "S100")
    assert hits[0] == BASE + "marker/S100"
    assert set(hits) >= S100_STATEMENTS
    assert {BASE + "gene/S100B", BASE + "gene/S100A1"} <= set(hits)  # a word finds the words it begins


def test_case_and_identifiers(index: SearchIndex) -> None:
    assert _iris(index, "ntrk1") == _iris(index, "NTRK1")
    assert _iris(index, "HGNC:8031")[0] == BASE + "gene/NTRK1"  # the HGNC identifier of NTRK1 in data/mappings
    assert _iris(index, "ETV6-NTRK3")[0] == BASE + "fusion/ETV6-NTRK3"


def test_no_resource_with_every_word_relaxes_to_any(index: SearchIndex) -> None:
    results = index.search("hemorrhage qwxzv")
    assert results.relaxed
    assert [h.iri for h in results.hits if "/statement/" in h.iri] == [IFS_RADIOLOGY]


def test_query_syntax_is_only_words(index: SearchIndex) -> None:
    for query in ('"', "NEAR(a b)", "* OR AND", "col:umn", "^", ""):
        index.search(query)  # never an FTS5 syntax error
    assert index.search("").hits == []
    assert words("ETV6-NTRK3  Müller") == [["etv6", "ntrk3"], ["muller"]]


def test_search_answers_in_under_50_ms(index: SearchIndex) -> None:
    timings = []
    for query in ("necrosis hemorrhage", "larotrectnib", "S100", "fibrosarcomaa infantil", "CD34"):
        started = time.perf_counter()
        index.search(query)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.05, timings


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("larotrectnib", "larotrectinib", 1), ("ntkr1", "ntrk1", 1), ("kitten", "sitting", 3), ("abc", "abc", 0)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, 5) == distance
    if distance:
        assert edit_distance(a, b, distance - 1) == distance  # past the limit: limit + 1


def test_iris_that_differ_only_in_case_resolve(index: SearchIndex) -> None:
    assert index.resolve(BASE + "gene/ntrk1") == BASE + "gene/NTRK1"
    assert index.resolve(BASE + "gene/NTRK1") is None  # already right
    assert index.resolve(BASE + "gene/NTRK9") is None
    assert index.nearest(BASE + "drug/larotrectnib")[0].iri == BASE + "drug/larotrectinib"
    assert {h.iri for h in index.nearest(BASE + "gene/NTRK9")[:3]} == {BASE + f"gene/NTRK{n}" for n in (1, 2, 3)}


# --- Inside SPARQL -------------------------------------------------------------------------------

_QUERY = f"""SELECT ?s ?score WHERE {{ ?s ntrkkg:verbatimText ?text
  BIND(<{SEARCH}>(?s, "%s") AS ?score) FILTER(BOUND(?score)) }} ORDER BY DESC(?score)"""


def test_the_function_in_a_query_through_the_service(service: QueryService) -> None:
    rows = service.values(_QUERY % "necrosis hemorrhage")
    assert [r["s"] for r in rows] == [IFS_RADIOLOGY]
    assert float(rows[0]["score"]) > 0
    # the cache keys on the query text, so other words are another answer
    assert len(service.values(_QUERY % "necrosis")) == 3
    assert [r["s"] for r in service.values(_QUERY % "necrosis hemorrhage")] == [IFS_RADIOLOGY]


def test_wrong_arguments_leave_the_score_unbound(service: QueryService) -> None:
    rows = service.values(f"""SELECT ?a ?b WHERE {{ BIND(<{SEARCH}>("text", "necrosis") AS ?a)
        BIND(<{SEARCH}>(<{IFS_RADIOLOGY}>) AS ?b) }}""")
    assert rows == [{}]


def test_confined_engines_read_the_build_index(store: ox.Store, tmp_path: Path) -> None:
    """An index that says NTRK1 is a zebra: only an engine that opened that file can answer so."""
    path = tmp_path / INDEX_FILE
    label = ox.Quad(ox.NamedNode(BASE + "gene/NTRK1"), ox.NamedNode(LABEL), ox.Literal("zebra"))
    source = SearchIndex.from_quads([label])
    target = sqlite3.connect(path)
    source.db.backup(target)
    target.close()
    svc = QueryService(Settings(), lambda: store, store=store, engines=1, search_index=str(path))
    try:
        rows = svc.values(f'SELECT ?score WHERE {{ BIND(<{SEARCH}>(<{BASE}gene/NTRK1>, "zebra") AS ?score) }}')
        assert rows and float(rows[0]["score"]) > 0
        assert svc.pool._confining.enabled
    finally:
        svc.close()


# --- The pages -------------------------------------------------------------------------------------


def test_search_as_json(client: FlaskClient) -> None:
    response = client.get("/search?q=necrosis+hemorrhage", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = json.loads(response.data)
    assert body["hits"][0]["iri"] == IFS_RADIOLOGY
    assert body["hits"][0]["page"] == "/statement/ifs-canonical-etv6-ntrk3/radiology/1"
    assert "Accept" in response.headers["Vary"]
    same = json.loads(client.get("/search?q=necrosis+hemorrhage&format=json").data)
    assert same["hits"] == body["hits"]


def test_search_as_html(client: FlaskClient) -> None:
    response = client.get("/search?q=larotrectnib", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.data.decode()
    assert page.index('href="/drug/larotrectinib"') < page.index("/statement/")
    assert "<mark>larotrectinib</mark>" in page


def test_search_escapes_what_it_shows(client: FlaskClient) -> None:
    page = client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").data.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("q=x&limit=many", 400, "not a whole number"),
        ("q=x&limit=0", 400, "between 1 and"),
        ("q=x&format=xml", 406, "html or json"),
        ("q=" + "a" * 501, 400, "at most 500"),
    ],
)
def test_bad_search_requests_say_why(client: FlaskClient, query: str, status: int, says: str) -> None:
    response = client.get("/search?" + query)
    assert response.status_code == status and says in response.data.decode()


def test_every_page_has_a_search_box(client: FlaskClient) -> None:
    for path in ("/", "/gene/NTRK1", "/downloads/", "/search"):
        page = client.get(path, headers={"Accept": "text/html"}).data.decode()
        assert 'action="/search"' in page and 'name="q"' in page, path


def test_an_iri_in_the_wrong_case_redirects(client: FlaskClient) -> None:
    response = client.get("/gene/ntrk1")
    assert response.status_code == 308 and response.headers["Location"] == "/gene/NTRK1"
    response = client.get("/marker/s100?format=turtle")
    assert response.status_code == 308 and response.headers["Location"] == "/marker/S100?format=turtle"


def test_an_unknown_iri_offers_the_nearest(client: FlaskClient) -> None:
    page = client.get("/drug/larotrectnib", headers={"Accept": "text/html"})
    assert page.status_code == 404 and 'href="/drug/larotrectinib"' in page.data.decode()
    text = client.get("/drug/larotrectnib", headers={"Accept": "text/turtle"})
    assert text.status_code == 404 and f"{BASE}drug/larotrectinib" in text.data.decode()


def test_a_build_without_an_index_says_so(dist: Path, tmp_path: Path) -> None:
    from ntrkkg.web import create_app

    bare = tmp_path / "dist"
    shutil.copytree(dist, bare)
    (bare / INDEX_FILE).unlink()
    app = create_app(Settings(dist=bare, engines=1))
    try:
        client = app.test_client()
        response = client.get("/search?q=S100")
        assert response.status_code == 503 and "ntrkkg build" in response.data.decode()
        assert client.get("/gene/NTRK9").status_code == 404
        # without the file, engines index their own store
        rows = app.extensions["ntrkkg"].service.values(_QUERY % "necrosis hemorrhage")
        assert [r["s"] for r in rows] == [IFS_RADIOLOGY]
    finally:
        app.extensions["ntrkkg"].service.close()


def test_the_benchmark_runs_at_10k(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "search.py"
    result = subprocess.run(
        [sys.executable, str(script), "--sizes", "10k", "--repeats", "2", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| 10k | necrosis hemorrhage | 1 |" in result.stdout
