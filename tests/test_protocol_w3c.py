"""The W3C SPARQL 1.1 Protocol test suite, run against the Flask app with its test client.

The manifest and its data are copied verbatim from the W3C test suite into ``tests/fixtures/w3c``
(https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/). Every entry of the manifest
becomes one test: its ``ht:Request`` records are sent in order, exactly as written (method, path with
``/sparql/`` mapped to ``/sparql``, query string, headers and body in the stated character encoding),
and each response is checked against its ``ht:Response``: the status class, the result format and,
for ASK, the boolean.

The endpoint is read-only, so the one deliberate departure concerns the manifest's update tests,
which expect SPARQL Update to succeed: there the update must be refused with 403, and the query that
follows it must find that nothing changed (see ``_adapt_for_read_only``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

W3C = Path(__file__).parent / "fixtures" / "w3c"
MANIFEST = W3C / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

UPDATE_MEDIA_TYPE = "application/sparql-update"
UPDATE_PARAMETERS = ("update", "using-graph-uri", "using-named-graph-uri")

# The media types that count as each ``mf:expectedFormat`` (the manifest's test names list them).
BOOLEAN_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
TABULAR_TYPES = {
    **BOOLEAN_TYPES,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": None,  # oxigraph cannot parse CSV results back; the media type is checked
}
RDF_TYPES = {
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


@dataclass(frozen=True)
class Expected:
    """An ``ht:Response``: acceptable status classes (2 for 2xx, ...), format and boolean."""

    status_classes: frozenset[int]
    format: str | None = None
    boolean: bool | None = None
    exact_status: int | None = None  # only set where this file adapts the manifest


@dataclass(frozen=True)
class ProtocolRequest:
    """An ``ht:Request``, ready for the test client."""

    method: str
    path: str  # /sparql, with the manifest's /sparql/ mapped
    query_string: str  # as written in the manifest, still percent-encoded
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return None

    @property
    def is_update(self) -> bool:
        """Whether this request asks for a SPARQL Update operation."""
        media_type = (self.content_type or "").split(";")[0].strip().lower()
        if media_type == UPDATE_MEDIA_TYPE:
            return True
        names = {name for name, _ in parse_qsl(self.query_string, keep_blank_values=True)}
        if self.body is not None and media_type == "application/x-www-form-urlencoded":
            names |= {name for name, _ in parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)}
        return bool(names & set(UPDATE_PARAMETERS))


@dataclass(frozen=True)
class ProtocolTest:
    iri: str
    name: str
    requests: tuple[ProtocolRequest, ...]
    adapted: bool = False  # changed by this file because the endpoint is read-only

    @property
    def id(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def _list(graph: Graph, head: Node | None) -> list[Node]:
    return [] if head is None else list(Collection(graph, head))


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    value = graph.value(subject, predicate)
    return None if value is None else str(value)


def _status_class(code: Node) -> int:
    name = str(code).removeprefix(str(HTS))  # hts:StatusCode2xx
    assert name.startswith("StatusCode") and name.endswith("xx"), f"unknown status {code}"
    return int(name.removeprefix("StatusCode").removesuffix("xx"))


def _request(graph: Graph, node: Node) -> ProtocolRequest:
    assert (node, RDF.type, HT.Request) in graph
    absolute = _text(graph, node, HT.absolutePath)
    assert absolute is not None and absolute.startswith("/sparql/"), absolute
    split = urlsplit(absolute)
    path = "/sparql" + split.path.removeprefix("/sparql/")
    headers = tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in _list(graph, graph.value(node, HT.headers))
    )
    body: bytes | None = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        chars = _text(graph, body_node, CNT.chars)
        assert chars is not None
        body = chars.encode(_text(graph, body_node, CNT.characterEncoding) or "utf-8")
    response = graph.value(node, HT.resp)
    assert response is not None
    boolean = graph.value(response, MF.expectedBoolean)
    expected = Expected(
        status_classes=frozenset(_status_class(c) for c in graph.objects(response, MF.expectedStatus)),
        format=_text(graph, response, MF.expectedFormat),
        boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
    )
    assert expected.status_classes, f"no expected status for {node}"
    method = _text(graph, node, HT.methodName)
    assert method is not None
    return ProtocolRequest(method, path, split.query, headers, body, expected)


def _adapt_for_read_only(test: ProtocolTest) -> ProtocolTest:
    """The endpoint refuses SPARQL Update, so a test that expects an update to succeed is adapted.

    The update request must get 403 Forbidden instead of the manifest's 2xx, and each ASK that
    follows it (which checks the update's effect) must still answer, as a boolean, but ``false``:
    the refused update changed nothing. Tests that expect an update to *fail* (``bad_update_*``)
    are not adapted: a 4xx is what they ask for.
    """
    if not any(r.is_update and 2 in r.expected.status_classes for r in test.requests):
        return test
    requests = []
    refused = False
    for req in test.requests:
        if req.is_update:
            req = replace(req, expected=Expected(frozenset({4}), exact_status=403))
            refused = True
        elif refused and req.expected.boolean is not None:
            req = replace(req, expected=replace(req.expected, boolean=False))
        requests.append(req)
    return replace(test, requests=tuple(requests), adapted=True)


def load_manifest() -> tuple[list[ProtocolTest], dict[str, Path]]:
    """The manifest's tests in order, and the data files by the graph name the tests use."""
    graph = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest, any=False)
    assert manifest is not None
    tests = []
    data: dict[str, Path] = {}
    for entry in _list(graph, graph.value(manifest, MF.entries)):
        assert (entry, RDF.type, MF.ProtocolTest) in graph, entry
        action = graph.value(entry, MF.action)
        assert action is not None and (action, RDF.type, HT.Connection) in graph
        requests = tuple(_request(graph, r) for r in _list(graph, graph.value(action, HT.requests)))
        assert requests, f"{entry} has no requests"
        tests.append(_adapt_for_read_only(ProtocolTest(str(entry), str(graph.value(entry, MF.name)), requests)))
        for graph_data in graph.objects(entry, UT.graphData):
            name = str(graph.value(graph_data, RDFS.label))
            file = W3C / unquote(str(graph.value(graph_data, UT.graph)).rsplit("/", 1)[-1])
            assert data.setdefault(name, file) == file, f"graph {name} has two data files"
    return tests, data


TESTS, GRAPH_DATA = load_manifest()


def w3c_store() -> ox.Store:
    """Each data file in the named graph the manifest's tests give it; nothing in the default graph.

    No test needs data in the store's default graph: every query that reads a default graph names
    it with ``default-graph-uri`` (or FROM, which the protocol dataset then overrides).
    """
    store = ox.Store()
    for name, file in sorted(GRAPH_DATA.items()):
        store.load(path=file, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    return store


@pytest.fixture(scope="module")
def w3c_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from ntrkkg.config import Settings
    from ntrkkg.sparql.service import QueryService
    from ntrkkg.web import create_app

    settings = Settings(dist=tmp_path_factory.mktemp("w3c-dist"), timeout=5, engines=1)
    store = w3c_store()
    app = create_app(settings, service=QueryService(settings, lambda: store, store=store, default_graphs=None))
    yield app
    app.extensions["ntrkkg"].service.close()


@pytest.fixture
def w3c_client(w3c_app: Flask) -> FlaskClient:
    # ht:connectionAuthority is "www.example" in every test.
    return w3c_app.test_client()


def send(client: FlaskClient, req: ProtocolRequest) -> tuple[int, str, bytes]:
    response = client.open(
        req.path,
        method=req.method,
        query_string=req.query_string,
        headers=list(req.headers),
        data=req.body,
        base_url="http://www.example",
        environ_overrides={"SERVER_PROTOCOL": "HTTP/1.1"},
    )
    return response.status_code, response.mimetype or "", response.get_data()


def check_format(expected: Expected, media_type: str, body: bytes, where: str) -> None:
    """The body is in a media type of the expected kind, parses, and holds the expected boolean."""
    if expected.format == "boolean":
        assert media_type in BOOLEAN_TYPES, f"{where}: {media_type} is not a boolean result format"
        result = ox.parse_query_results(body, BOOLEAN_TYPES[media_type])
        assert isinstance(result, ox.QueryBoolean), f"{where}: not a boolean result: {body!r}"
        if expected.boolean is not None:
            assert bool(result) is expected.boolean, f"{where}: expected {expected.boolean}, got {body!r}"
    elif expected.format == "tabular":
        assert media_type in TABULAR_TYPES, f"{where}: {media_type} is not a tabular result format"
        results_format = TABULAR_TYPES[media_type]
        if results_format is not None:
            result = ox.parse_query_results(body, results_format)
            assert isinstance(result, ox.QuerySolutions), f"{where}: not a table of solutions: {body!r}"
            list(result)
    elif expected.format == "RDF":
        assert media_type in RDF_TYPES, f"{where}: {media_type} is not an RDF format"
        list(ox.parse(body, RDF_TYPES[media_type]))
    else:
        assert expected.format is None, f"{where}: unknown expected format {expected.format!r}"
        assert expected.boolean is None, f"{where}: a boolean is expected without a format"


@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_w3c_protocol(w3c_client: FlaskClient, test: ProtocolTest) -> None:
    for number, req in enumerate(test.requests, 1):
        status, media_type, body = send(w3c_client, req)
        where = f"{test.id} request {number} ({req.method} {req.path}?{req.query_string}) -> {status}"
        assert status // 100 in req.expected.status_classes, f"{where}: {body.decode(errors='replace')}"
        if req.expected.exact_status is not None:
            assert status == req.expected.exact_status, f"{where}: {body.decode(errors='replace')}"
        check_format(req.expected, media_type, body, where)


def test_manifest_is_complete() -> None:
    """All 34 entries are run, and exactly the update tests that expect success are adapted."""
    assert len(TESTS) == 34
    assert len({t.id for t in TESTS}) == len(TESTS)
    assert {t.id for t in TESTS if t.adapted} == {
        "update_dataset_default_graph",
        "update_dataset_default_graphs",
        "update_dataset_named_graphs",
        "update_dataset_full",
        "update_post_form",
        "update_post_direct",
        "update_base_uri",
    }
    assert set(GRAPH_DATA) == {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}


# The manifest only asks for "some 4xx" on bad requests; the endpoint promises these exact codes.
EXACT_REFUSALS = {
    "bad_query_method": 405,
    "bad_multiple_queries": 400,
    "bad_query_wrong_media_type": 415,
    "bad_query_missing_form_type": 415,
    "bad_query_missing_direct_type": 415,
    "bad_query_non_utf8": 415,
    "bad_query_syntax": 400,
    "bad_update_get": 403,
    "bad_multiple_updates": 403,
    "bad_update_wrong_media_type": 415,
    "bad_update_missing_form_type": 415,
    "bad_update_non_utf8": 403,
    "bad_update_syntax": 403,
    "bad_update_dataset_conflict": 403,
}


@pytest.mark.parametrize("test_id", sorted(EXACT_REFUSALS))
def test_exact_refusal(w3c_client: FlaskClient, test_id: str) -> None:
    (test,) = [t for t in TESTS if t.id == test_id]
    (req,) = test.requests
    status, media_type, body = send(w3c_client, req)
    assert status == EXACT_REFUSALS[test_id], body.decode(errors="replace")
    assert media_type == "text/plain" and body.startswith(f"{status} ".encode())


def test_syntax_error_carries_the_parser_message(w3c_client: FlaskClient) -> None:
    response = w3c_client.get("/sparql", query_string={"query": "ASK {"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.startswith("400 Bad Request: ") and len(text) > len("400 Bad Request: \n")


def test_query_and_update_together_is_400(w3c_client: FlaskClient) -> None:
    response = w3c_client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 400
    assert "not both" in response.get_data(as_text=True)


def test_relative_iris_resolve_against_the_endpoint(w3c_client: FlaskClient) -> None:
    """The service-defined BASE IRI is the endpoint's public IRI; a BASE in the query still wins."""
    base = w3c_client.application.extensions["ntrkkg"].settings.endpoint
    for query, expected in [
        ("SELECT (<x> AS ?v) {}", base.rsplit("/", 1)[0] + "/x"),
        ("BASE <http://example.org/a/> SELECT (<x> AS ?v) {}", "http://example.org/a/x"),
    ]:
        response = w3c_client.get("/sparql", query_string={"query": query})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json is not None
        assert response.json["results"]["bindings"][0]["v"]["value"] == expected


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX ex: <http://example.org/>\nSELECT * { ex:aaaa ex:b ?o ?x }",
        "SELECT * # a comment\n{ ?s <http://example.org/p> 'x' . FILTER(?s = ) }",
        'PREFIX ex: <http://example.org/>\nSELECT * {\n  ex:s\\.x ex:p "\\t" ; ex:q ?o ?x }',
    ],
)
def test_syntax_error_positions_are_those_of_the_query_as_sent(w3c_client: FlaskClient, query: str) -> None:
    """The engine parses the canonical text, but reports where the client's own query went wrong."""
    with pytest.raises(SyntaxError) as direct:
        ox.Store().query(query)
    line, column = str(direct.value).split(": ", 1)[0].removeprefix("error at ").split(":")  # Oxigraph's place
    response = w3c_client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert body.startswith(f"400 Bad Request: line {line}, column {column}: ")
    # The client's own line follows, with a caret under the column.
    shown, caret = body.splitlines()[-2:]
    assert shown == "  " + query.splitlines()[int(line) - 1]
    assert caret == " " * (int(column) + 1) + "^"


def test_lexical_errors_name_line_and_column(w3c_client: FlaskClient) -> None:
    response = w3c_client.get("/sparql", query_string={"query": 'SELECT * {\n ?s ?p "x }'})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        '400 Bad Request: line 2, column 8: unterminated string\n   ?s ?p "x }\n         ^\n'
    )


def test_direct_post_that_is_not_utf8_is_refused(w3c_client: FlaskClient) -> None:
    response = w3c_client.post("/sparql", data=b'ASK { FILTER("\xe9" = "x") }', content_type="application/sparql-query")
    assert response.status_code == 400 and "not valid UTF-8" in response.get_data(as_text=True)
    latin1 = w3c_client.post("/sparql", data=b"ASK {}", content_type="application/sparql-query; charset=ISO-8859-1")
    assert latin1.status_code == 415
