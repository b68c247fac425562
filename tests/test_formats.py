"""Writing graphs: sorted, blank nodes labelled canonically, the prefixes used, JSON-LD with a context."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox

from ntrkkg.formats import BY_KEY, write_graph

N, L, B = ox.NamedNode, ox.Literal, ox.BlankNode
NTRKKG = "https://w3id.org/ntrkkg/ontology#"
RDF_TYPE = N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = N("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
GENE, FUSION = N("https://w3id.org/ntrkkg/gene/NTRK3"), N("https://w3id.org/ntrkkg/fusion/ETV6-NTRK3")


def _written(triples: list[ox.Triple], key: str) -> str:
    out = io.BytesIO()
    write_graph(triples, BY_KEY[key], out)
    return out.getvalue().decode("utf-8")


def _graph(axiom: ox.BlankNode) -> list[ox.Triple]:
    return [
        ox.Triple(GENE, RDF_TYPE, N(NTRKKG + "Gene")),
        ox.Triple(GENE, LABEL, L("NTRK3", language="en")),
        ox.Triple(FUSION, N(NTRKKG + "threePrimePartner"), GENE),
        ox.Triple(axiom, N("http://www.w3.org/2002/07/owl#annotatedSource"), GENE),
        ox.Triple(GENE, N(NTRKKG + "count"), L("3", datatype=N(XSD + "integer"))),
    ]


def test_turtle_declares_exactly_the_prefixes_it_uses() -> None:
    turtle = _written(_graph(B("x")), "turtle")
    declared = sorted(line.split()[1] for line in turtle.splitlines() if line.startswith("@prefix"))
    # rdf:type is written "a" and the integer bare: no rdf: or xsd: line for nothing.
    assert declared == ["ntrkkg:", "owl:", "rdfs:"]
    assert "a ntrkkg:Gene" in turtle and "ntrkkg:count 3" in turtle


def test_same_graph_same_bytes_whatever_the_order_and_blank_labels() -> None:
    first, second = _graph(B("x")), list(reversed(_graph(B("another"))))
    for key in ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"):
        assert _written(first, key) == _written(second, key), key


def test_subjects_come_sorted() -> None:
    nt = _written(_graph(B("x")), "ntriples").splitlines()
    assert nt == sorted(nt) and nt[-1].startswith("_:")


def test_json_ld_context_and_round_trip() -> None:
    triples = _graph(B("x"))
    document = json.loads(_written(triples, "jsonld"))
    assert document["@context"] == {
        "ntrkkg": NTRKKG,
        "owl": "http://www.w3.org/2002/07/owl#",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": XSD,
    }
    gene = next(node for node in document["@graph"] if node["@id"] == GENE.value)
    assert gene["rdf:type"] == [{"@id": "ntrkkg:Gene"}]
    assert gene["ntrkkg:count"] == [{"@type": "xsd:integer", "@value": "3"}]
    back = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD)
    )
    expected = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    for dataset in (back, expected):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert sorted(map(str, back)) == sorted(map(str, expected))


def test_json_ld_prefix_not_ending_in_a_delimiter_is_marked() -> None:
    ncit = N("http://purl.obolibrary.org/obo/NCIT_C18551")
    document = json.loads(
        _written([ox.Triple(GENE, N("http://www.w3.org/2004/02/skos/core#exactMatch"), ncit)], "jsonld")
    )
    assert document["@context"]["NCIT"] == {"@id": "http://purl.obolibrary.org/obo/NCIT_", "@prefix": True}
    assert document["@graph"][0]["skos:exactMatch"] == [{"@id": "NCIT:C18551"}]
