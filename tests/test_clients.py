"""Real clients against a running server (gunicorn on 127.0.0.1): SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io
from typing import Any, cast

import pytest
from rdflib import Graph, URIRef
from rdflib.query import ResultRow

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")

PARTNERS = """PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?partner WHERE { ?f ntrkkg:threePrimePartner <https://w3id.org/ntrkkg/gene/NTRK3> ;
  ntrkkg:fivePrimePartner/rdfs:label ?partner } ORDER BY ?partner"""
EXPECTED = ["EML4", "ETV6", "SPECC1L"]
CONSTRUCT = """CONSTRUCT { <https://w3id.org/ntrkkg/drug/larotrectinib> ?p ?o }
WHERE { <https://w3id.org/ntrkkg/drug/larotrectinib> ?p ?o }"""


def wrapper(url: str, query: str, fmt: str) -> Any:
    sparql = SPARQLWrapper.SPARQLWrapper(url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(SPARQLWrapper.POST)
    sparql.setTimeout(30)
    return sparql.query().convert()


def test_sparqlwrapper_json(live_server: str) -> None:
    result = wrapper(live_server, PARTNERS, SPARQLWrapper.JSON)
    assert [b["partner"]["value"] for b in result["results"]["bindings"]] == EXPECTED


def test_sparqlwrapper_xml(live_server: str) -> None:
    document = wrapper(live_server, PARTNERS, SPARQLWrapper.XML)
    values = [n.firstChild.data for n in document.getElementsByTagName("literal")]
    assert values == EXPECTED


def test_sparqlwrapper_csv_and_tsv(live_server: str) -> None:
    rows = list(csv.reader(io.StringIO(wrapper(live_server, PARTNERS, SPARQLWrapper.CSV).decode())))
    assert rows == [["partner"], *[[v] for v in EXPECTED]]
    tsv = wrapper(live_server, PARTNERS, SPARQLWrapper.TSV).decode().splitlines()
    assert tsv == ["?partner", *[f'"{v}"@en' for v in EXPECTED]]


@pytest.mark.parametrize("fmt", ["TURTLE", "JSONLD"])
def test_sparqlwrapper_construct(live_server: str, fmt: str) -> None:
    result = wrapper(live_server, CONSTRUCT, getattr(SPARQLWrapper, fmt))
    graph = (
        result
        if isinstance(result, Graph)
        else Graph().parse(data=result, format="turtle" if fmt == "TURTLE" else "json-ld")
    )
    assert (URIRef("https://w3id.org/ntrkkg/drug/larotrectinib"), None, None) in graph


def test_sparqlwrapper_sees_errors(live_server: str) -> None:
    with pytest.raises(SPARQLWrapper.SPARQLExceptions.QueryBadFormed):
        wrapper(live_server, "SELECT ?x WHERE { ?x", SPARQLWrapper.JSON)


def test_rdflib_sparqlstore(live_server: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(live_server + "/sparql", returnFormat="json")
    rows = [str(cast(ResultRow, row).partner) for row in store.query(PARTNERS)]
    assert rows == EXPECTED
    graph = Graph(store=store)
    labels = list(
        graph.objects(
            URIRef("https://w3id.org/ntrkkg/gene/NTRK1"), URIRef("http://www.w3.org/2000/01/rdf-schema#label")
        )
    )
    assert [str(x) for x in labels] == ["NTRK1"]


def test_raw_http_downloads_and_pages(live_server: str) -> None:
    import urllib.request

    with urllib.request.urlopen(live_server + "/downloads/SHA256SUMS", timeout=10) as response:
        assert response.headers["ETag"] and response.headers["Last-Modified"]
    request = urllib.request.Request(live_server + "/gene/NTRK1", headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
