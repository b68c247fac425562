"""The service through Flask's test client: formats, negotiation, pages, discovery and safety."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import cast

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, Graph, Namespace, URIRef
from werkzeug.test import TestResponse

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ASSERTED = "https://w3id.org/ntrkkg/graph/asserted"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NTRK3_PARTNERS = """PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?partner WHERE { ?f ntrkkg:threePrimePartner <https://w3id.org/ntrkkg/gene/NTRK3> ;
  ntrkkg:fivePrimePartner/rdfs:label ?partner } ORDER BY ?partner"""


def bindings(response: TestResponse) -> list[dict[str, str]]:
    data = json.loads(response.data)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


# --- Results and negotiation ---------------------------------------------------------------


def test_select_json_by_get(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": NTRK3_PARTNERS})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    assert [r["partner"] for r in bindings(response)] == ["EML4", "ETV6", "SPECC1L"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_select_negotiation(client: FlaskClient, accept: str, media_type: str) -> None:
    response = client.post("/sparql", data={"query": NTRK3_PARTNERS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert b"SPECC1L" in response.data


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": NTRK3_PARTNERS, "format": "tsv"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.mimetype == "text/tab-separated-values"
    assert response.data.decode().splitlines()[0] == "?partner"


def test_unacceptable_type_is_406(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert b"application/sparql-results+json" in response.data


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-quads", "application/n-quads", "nquads"),
        ("application/trig", "application/trig", "trig"),
    ],
)
def test_construct_formats(client: FlaskClient, accept: str, media_type: str, rdflib_format: str) -> None:
    gene = "<https://w3id.org/ntrkkg/gene/NTRK1>"
    query = f"CONSTRUCT {{ {gene} ?p ?o }} WHERE {{ {gene} ?p ?o }}"
    response = client.post("/sparql", data=query, content_type="application/sparql-query", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Content-Type"].endswith("charset=utf-8")
    from rdflib import Dataset

    parsed = Dataset().parse(data=response.data, format=rdflib_format)
    assert (URIRef("https://w3id.org/ntrkkg/gene/NTRK1"), None, None) in parsed


def test_ask_json(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK { <https://w3id.org/ntrkkg/gene/NTRK1> ?p ?o }"})
    assert json.loads(response.data)["boolean"] is True


def test_conditional_request_gives_304(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": COUNT})
    again = client.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# --- Dataset ----------------------------------------------------------------------------------


def test_default_graph_is_union_of_asserted_and_inferred(client: FlaskClient) -> None:
    inferred = "ASK { <https://w3id.org/ntrkkg/fusion/ETV6-NTRK3> a <https://w3id.org/ntrkkg/ontology#NTRKFusion> }"
    assert json.loads(client.get("/sparql", query_string={"query": inferred}).data)["boolean"] is True
    only_asserted = client.get("/sparql", query_string={"query": inferred, "default-graph-uri": ASSERTED})
    assert json.loads(only_asserted.data)["boolean"] is False


def test_named_graphs_are_addressable(client: FlaskClient) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    graphs = {r["g"]: int(r["n"]) for r in bindings(client.get("/sparql", query_string={"query": query}))}
    assert set(graphs) == {
        ASSERTED,
        "https://w3id.org/ntrkkg/graph/inferred",
        "https://w3id.org/ntrkkg/sparql/.well-known/void",
        "https://w3id.org/ntrkkg/sparql/.well-known/sparql-examples",
    }


def test_void_and_examples_are_queryable(client: FlaskClient) -> None:
    query = """PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?n WHERE { GRAPH <https://w3id.org/ntrkkg/sparql/.well-known/void> {
          <https://w3id.org/ntrkkg/dataset/linkset/ncbigene> void:triples ?n } }"""
    assert bindings(client.get("/sparql", query_string={"query": query})) == [{"n": "24"}]
    examples = """PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT (COUNT(?q) AS ?n) WHERE {
        GRAPH <https://w3id.org/ntrkkg/sparql/.well-known/sparql-examples> { ?q a sh:SPARQLExecutable } }"""
    from ntrkkg.resources import resource_dir

    expected = len(list(resource_dir("queries").glob("*.ttl")))
    assert bindings(client.get("/sparql", query_string={"query": examples})) == [{"n": str(expected)}]


@pytest.mark.parametrize("path", ["/.well-known/void", "/sparql/.well-known/void", "/.well-known/sparql-examples"])
def test_discovery_documents(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert len(Graph().parse(data=response.data, format="turtle")) > 20


def test_service_description(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    sd = Graph().parse(data=response.data, format="turtle")
    # No endpoint is configured, so the description names the IRI this request reached.
    service = URIRef("http://localhost/sparql")
    assert (service, SD.endpoint, service) in sd
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in sd
    formats = {str(o).rsplit("/", 1)[-1] for o in sd.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "Turtle", "JSON-LD"} <= formats
    names = {str(o) for o in sd.objects(None, SD.name)}
    assert ASSERTED in names and "https://w3id.org/ntrkkg/sparql/.well-known/void" in names


def test_service_description_declares_only_what_is_true(client: FlaskClient) -> None:
    sd = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/OWL-RL")) in sd
    # The default graph is asserted + inferred, not the union of every named graph (VoID, examples).
    assert (service, SD.feature, SD.UnionDefaultGraph) not in sd
    search = URIRef("https://w3id.org/ntrkkg/function#search")
    assert (service, SD.extensionFunction, search) in sd and (search, RDF.type, SD.Function) in sd
    default = sd.value(sd.value(service, SD.defaultDataset), SD.defaultGraph)
    size = int(str(sd.value(default, Namespace("http://rdfs.org/ns/void#").triples)))
    counted = bindings(client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}))
    assert size == int(counted[0]["n"])
    everything = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    assert int(bindings(client.get("/sparql", query_string={"query": everything}))[0]["n"]) > size


@pytest.mark.parametrize("accept", ["*/*", None])
def test_curl_gets_the_service_description_as_turtle(client: FlaskClient, accept: str | None) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert response.data.startswith(b"@prefix ") and b"<http://localhost/sparql> a sd:Service" in response.data


def test_service_description_names_the_configured_endpoint(dist: Path) -> None:
    from ntrkkg.config import Settings
    from ntrkkg.web import create_app

    endpoint = "https://example.org/kg/sparql"
    app = create_app(Settings(dist=dist, endpoint=endpoint, engines=1))
    try:
        response = app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
        sd = Graph().parse(data=response.data, format="turtle")
        assert (URIRef(endpoint), SD.endpoint, URIRef(endpoint)) in sd
        assert not list(sd.subjects(SD.endpoint, URIRef("http://localhost/sparql")))
    finally:
        app.extensions["ntrkkg"].service.close()


def _declared_and_used(turtle: str) -> tuple[set[str], str]:
    head = [line for line in turtle.splitlines() if line.startswith("@prefix ")]
    return {line.split()[1] for line in head}, turtle.split("\n", len(head))[-1]


@pytest.mark.parametrize(
    "path",
    [
        "/gene/NTRK1",
        "/.well-known/void",
        "/.well-known/sparql-examples",
        "/statement/spindle-cell-sclerosing-rhabdomyosarcoma/prognosis/1",
    ],
)
def test_rdf_documents_declare_the_prefixes_they_use(client: FlaskClient, path: str) -> None:
    turtle = client.get(path, headers={"Accept": "text/turtle"}).get_data(as_text=True)
    declared, body = _declared_and_used(turtle)
    assert "ntrkkg:" in declared or path.startswith("/.well-known"), declared
    assert declared, turtle[:300]
    for prefix in declared:  # each one is used; none is declared for nothing
        assert f" {prefix}" in body or f"\n{prefix}" in body or f"\t{prefix}" in body, prefix


def test_construct_turtle_is_sorted_and_deterministic(client: FlaskClient) -> None:
    forms = [
        "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o FILTER(?s = <https://w3id.org/ntrkkg/gene/NTRK1>) } UNION "
        "{ ?s ?p ?o FILTER(?s = <https://w3id.org/ntrkkg/gene/ETV6>) } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o FILTER(?s = <https://w3id.org/ntrkkg/gene/ETV6>) } UNION "
        "{ ?s ?p ?o FILTER(?s = <https://w3id.org/ntrkkg/gene/NTRK1>) } }",
    ]
    bodies = [client.get("/sparql", query_string={"query": q, "format": "turtle"}).data for q in forms]
    assert bodies[0] == bodies[1]
    text = bodies[0].decode()
    assert text.index("gene/ETV6>") < text.index("gene/NTRK1>")  # subjects in order, whatever the query's order
    assert "@prefix ntrkkg: <https://w3id.org/ntrkkg/ontology#> ." in text


def test_construct_json_ld_has_a_context_and_compact_iris(client: FlaskClient) -> None:
    gene = "<https://w3id.org/ntrkkg/gene/NTRK1>"
    query = f"CONSTRUCT {{ {gene} ?p ?o }} WHERE {{ {gene} ?p ?o }}"
    document = json.loads(client.get("/sparql", query_string={"query": query, "format": "jsonld"}).data)
    assert document["@context"]["ntrkkg"] == "https://w3id.org/ntrkkg/ontology#"
    assert document["@context"]["NCIT"] == {"@id": "http://purl.obolibrary.org/obo/NCIT_", "@prefix": True}
    (node,) = document["@graph"]
    assert {"@id": "ntrkkg:Gene"} in node["rdf:type"] and {"@id": "NCIT:C18551"} in node["skos:exactMatch"]
    # Read back by a JSON-LD processor, it is the same graph as the N-Triples answer.
    nt = client.get("/sparql", query_string={"query": query, "format": "ntriples"}).data
    back = ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD)
    assert sorted(map(str, back)) == sorted(map(str, ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)))


def test_entity_rdf_has_no_dangling_blank_nodes(client: FlaskClient) -> None:
    nt = client.get("/gene/NTRK1", headers={"Accept": "application/n-triples"}).data
    triples = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    subjects = {t.subject for t in triples if isinstance(t.subject, ox.BlankNode)}
    objects = {t.object for t in triples if isinstance(t.object, ox.BlankNode)}
    assert objects <= subjects
    owl = "http://www.w3.org/2002/07/owl#"
    axioms = {t.subject for t in triples if t.predicate.value == owl + "annotatedSource"}
    assert len(axioms) == 4  # the gene's four links, each with its target and the label it was checked against
    for axiom in axioms:
        told = {t.predicate.value for t in triples if t.subject == axiom}
        assert {owl + "annotatedTarget", owl + "annotatedProperty", "https://w3id.org/sssom/object_label"} <= told


def test_query_errors_point_at_the_place(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC ?x WHERE { ?x ?p ?o }"})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        "400 Bad Request: line 1, column 1: unknown keyword 'SELEC'; did you mean SELECT?\n"
        "  SELEC ?x WHERE { ?x ?p ?o }\n  ^\n"
    )
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?x MONDO:1 ?o }"})
    assert response.get_data(as_text=True).startswith(
        "400 Bad Request: line 2, column 6: prefix 'MONDO:' is not declared; "
        "add PREFIX MONDO: <http://purl.obolibrary.org/obo/MONDO_>"
    )
    assert client.get("/sparql", query_string={"query": "  "}).get_data(as_text=True) == (
        "400 Bad Request: the query is empty\n"
    )


def test_browsers_get_the_editor(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.data.decode()
    assert "/static/yasgui/yasgui.min.js" in page and "cdn" not in page.lower()
    assert "ntrk3-partner-genes" in page
    assert client.get("/static/yasgui/yasgui.min.js").status_code == 200


# --- Errors and safety ----------------------------------------------------------------------


def test_syntax_error_is_400_with_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert response.status_code == 400
    assert response.data.startswith(b"400 Bad Request: ") and b"Traceback" not in response.data


def test_update_is_refused(client: FlaskClient) -> None:
    assert client.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}).status_code == 403
    response = client.post("/sparql", data="DROP ALL", content_type="application/sparql-update")
    assert response.status_code == 403 and b"read-only" in response.data
    smuggled = client.get("/sparql", query_string={"query": "LOAD <file:///etc/passwd>"})
    assert smuggled.status_code in (400, 403) and b"root:" not in smuggled.data


def test_from_file_reads_nothing(client: FlaskClient) -> None:
    query = "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    assert bindings(response) == []
    named = client.get(
        "/sparql", query_string={"query": "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }"}
    )
    assert named.status_code == 200 and bindings(named) == []


class Listener:
    """A loopback socket that records whether anyone connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        time.sleep(0.5)
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def test_service_and_from_never_fetch_loopback(client: FlaskClient) -> None:
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}/sparql"
        service = client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
        assert service.status_code == 400 and b"SERVICE is disabled" in service.data
        silent = client.get(
            "/sparql", query_string={"query": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}"}
        )
        assert silent.status_code == 400
        variable = client.get(
            "/sparql", query_string={"query": "SELECT * WHERE { VALUES ?e { <" + url + "> } SERVICE ?e { ?s ?p ?o } }"}
        )
        assert variable.status_code == 400
        from_url = client.get("/sparql", query_string={"query": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"})
        assert from_url.status_code == 200 and bindings(from_url) == []
    finally:
        listener.close()
    assert listener.connections == 0


def test_deep_nesting_is_refused_before_the_engine(client: FlaskClient) -> None:
    query = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400 and b"nests" in response.data


def test_timeout_answers_and_frees_the_engine(client: FlaskClient, app: Flask) -> None:
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        response = app.test_client().get("/sparql", query_string={"query": cartesian})
        slow.update(status=response.status_code, body=response.data, seconds=time.monotonic() - started)

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    fast = client.get("/sparql", query_string={"query": NTRK3_PARTNERS + " LIMIT 3"})
    assert fast.status_code == 200 and time.monotonic() - started < 2.0  # not stalled by the slow one
    thread.join(30)
    assert slow["status"] == 503 and b"longer than 3 s" in cast(bytes, slow["body"])
    assert cast(float, slow["seconds"]) < 10
    assert client.get("/sparql", query_string={"query": COUNT + " LIMIT 1"}).status_code == 200


def test_row_cap_is_reported_not_truncated(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 400
    assert b"more than 5,000 rows, this endpoint's cap" in response.data
    limited = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 4000"})
    assert limited.status_code == 200 and len(bindings(limited)) == 4000


def test_request_body_cap(client: FlaskClient) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (600 * 1024)
    response = client.post("/sparql", data=big, content_type="application/sparql-query")
    assert response.status_code == 413


def test_wrong_method_and_content_type(client: FlaskClient) -> None:
    assert client.put("/sparql", data="x").status_code == 405
    response = client.post("/sparql", data="SELECT * {}", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize("path", ["/sparql?query=SELECT%20*%20%7B", "/gene/NOPE", "/sparql", "/"])
def test_cors_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


# --- Pages --------------------------------------------------------------------------------------


def test_home_page(client: FlaskClient) -> None:
    page = client.get("/").data.decode()
    for needle in (
        "doi:10.1093/jjco/hyaf015",
        "/sparql",
        "/downloads/",
        "/ontology",
        "/.well-known/sparql-examples",
        "lipofibromatosis-like neural tumor",
    ):
        assert needle in page


def test_entity_page_html(client: FlaskClient) -> None:
    page = client.get("/disease/inflammatory-myofibroblastic-tumor").data.decode()
    assert "<h1>inflammatory myofibroblastic tumor</h1>" in page
    assert "Three out of four cases reported in two studies" in page
    assert 'href="/reference/52"' in page
    assert 'href="http://purl.obolibrary.org/obo/NCIT_C6481"' in page  # external link, clickable
    gene = client.get("/gene/NTRK1").data.decode()
    assert "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/8031" in gene


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")]
)
def test_entity_rdf(client: FlaskClient, accept: str, fmt: str) -> None:
    response = client.get("/fusion/ETV6-NTRK3", headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format=fmt)
    assert (URIRef("https://w3id.org/ntrkkg/fusion/ETV6-NTRK3"), None, None) in graph
    by_parameter = client.get("/fusion/ETV6-NTRK3?format=turtle")
    assert by_parameter.mimetype == "text/turtle"


def test_unknown_entity_is_404(client: FlaskClient) -> None:
    assert client.get("/gene/NOT-A-GENE").status_code == 404
    assert client.get("/statement/x/y/z").status_code == 404


def test_literals_are_escaped_in_html(dist: Path) -> None:
    from ntrkkg.config import Settings
    from ntrkkg.sparql.service import QueryService
    from ntrkkg.web import create_app

    def hostile_store() -> ox.Store:
        store = ox.Store()
        gene = ox.NamedNode("https://w3id.org/ntrkkg/gene/EVIL")
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        store.add(ox.Quad(gene, label, ox.Literal("<script>alert(1)</script>"), ox.NamedNode(ASSERTED)))
        return store

    settings = Settings(dist=dist, engines=1)
    app = create_app(settings, service=QueryService.open(settings, store=hostile_store()))
    try:
        page = app.test_client().get("/gene/EVIL").data.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    finally:
        app.extensions["ntrkkg"].service.close()


def test_ontology_in_three_forms(client: FlaskClient) -> None:
    html = client.get("/ontology", headers={"Accept": "text/html"})
    assert html.status_code == 200 and b"tumour type" in html.data
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (URIRef("https://w3id.org/ntrkkg/ontology#Statement"), None, None) in graph
    xml = client.get("/ontology?format=rdfxml")
    assert xml.mimetype == "application/rdf+xml"
    assert len(Graph().parse(data=xml.data, format="xml")) == len(graph)


def test_downloads_listing_and_files(client: FlaskClient, dist: Path) -> None:
    import hashlib

    listing = client.get("/downloads/", headers={"Accept": "application/json"})
    files = {f["name"]: f for f in json.loads(listing.data)}
    assert "SHA256SUMS" in files and any(n.endswith(".nt.gz") for n in files)
    name = next(n for n in files if n.endswith(".ttl") and n.startswith("ntrkkg-"))
    response = client.get(f"/downloads/{name}")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert (
        hashlib.sha256(response.data).hexdigest()
        == files[name]["sha256"]
        == hashlib.sha256((dist / name).read_bytes()).hexdigest()
    )
    assert client.get(f"/downloads/{name}", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    gz = client.get(f"/downloads/{name}.gz")
    assert gz.mimetype == "application/gzip"
    html = client.get("/downloads/").data.decode()
    assert files[name]["sha256"] in html
    assert client.get("/downloads/..%2Fpyproject.toml").status_code == 404


def test_health_and_stats(client: FlaskClient) -> None:
    assert json.loads(client.get("/health").data) == {"status": "ok"}
    before = json.loads(client.get("/stats").data)["queries_served"]
    client.get("/sparql", query_string={"query": COUNT})
    stats = json.loads(client.get("/stats").data)
    assert stats["queries_served"] == before + 1
    assert stats["triples"] == sum(stats["graphs"].values()) and len(stats["graphs"]) == 4
    assert stats["uptime_seconds"] >= 0


# --- Honest statuses and headers -------------------------------------------------------------


def test_head_works_wherever_get_does(client: FlaskClient) -> None:
    for path in ("/sparql?query=ASK%7B%7D", "/gene/NTRK1", "/", "/health", "/downloads/", "/ontology"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.data == b"" and head.headers["Content-Type"] == get.headers["Content-Type"], path


def test_negotiated_responses_vary_on_accept_and_pages_forbid_framing(client: FlaskClient) -> None:
    for path, accept in (
        ("/gene/NTRK1", "text/html"),
        ("/gene/NTRK1", "text/turtle"),
        ("/sparql", "text/html"),
        ("/sparql?query=ASK%7B%7D", "*/*"),
        ("/ontology", "text/turtle"),
    ):
        response = client.get(path, headers={"Accept": accept})
        assert "Accept" in response.headers.get("Vary", ""), path
    page = client.get("/gene/NTRK1", headers={"Accept": "text/html"})
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_curl_gets_the_service_description_not_the_editor(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "*/*"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert b"sparql-service-description" in response.data


def test_bad_graph_iri_is_a_400_that_names_it(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400 and b"default-graph-uri" in response.data and b"not an iri" in response.data
    response = client.get("/sparql", query_string={"query": "ASK {}", "named-graph-uri": "relative/x"})
    assert response.status_code == 400 and b"named-graph-uri" in response.data
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # the engine survived


@pytest.mark.parametrize("call", ["NOW()", "RAND()", "UUID()", "STRUUID()", "BNODE()"])
def test_nondeterministic_answers_are_not_cached(client: FlaskClient, call: str) -> None:
    query = f"SELECT ({call} AS ?x) WHERE {{}}"
    first = client.get("/sparql", query_string={"query": query})
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    if call != "NOW()":  # two calls within a clock tick may agree
        assert client.get("/sparql", query_string={"query": query}).data != first.data


def test_oversized_chunked_body_is_413(live_server: str) -> None:
    import socket

    host, port = live_server.removeprefix("http://").split(":")
    body = b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * (600 * 1024)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        try:
            for start in range(0, len(body), 65536):
                chunk = body[start : start + 65536]
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may close as soon as the body passes the cap
        reply = sock.recv(200)
    assert reply.startswith(b"HTTP/1.1 413"), reply
