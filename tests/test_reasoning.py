"""OWL-RL inferences land in their own graph, and they are the ones a user needs."""

from __future__ import annotations

import owlrl
import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace
from rdflib.term import Node

from conftest import select
from ntrkkg.build.pipeline import BuildResult
from ntrkkg.build.reasoning import _is_noise, infer

INFERRED = "https://w3id.org/ntrkkg/graph/inferred"
ASSERTED = "https://w3id.org/ntrkkg/graph/asserted"
D = "https://w3id.org/ntrkkg/disease/"


def test_asserted_and_inferred_never_mix(built: BuildResult) -> None:
    assert len(built.inferred) > 0
    assert not any(triple in built.asserted for triple in built.inferred)


def test_group_membership_is_inferred_through_the_hierarchy(store: ox.Store) -> None:
    asserted_rows = select(
        store,
        f"""SELECT ?row WHERE {{ GRAPH <{ASSERTED}> {{
        ?row <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{D}infantile-fibrosarcoma> }} }}""",
    )
    assert {r["row"] for r in asserted_rows} == {f"{D}ifs-canonical-etv6-ntrk3", f"{D}ifs-like-tumor"}
    # fibrosarcoma is reached only by inference, through both groups' rows
    rows = select(
        store,
        f"""SELECT ?n WHERE {{ GRAPH <{INFERRED}> {{
        ?row rdfs:subClassOf <{D}fibrosarcoma> }} ?row ntrkkg:tableRowNumber ?n }}""",
    )
    assert {int(r["n"]) for r in rows} == {1, 2}
    tumour_types = select(
        store,
        f"""SELECT ?n WHERE {{ GRAPH <{INFERRED}> {{
        ?row rdfs:subClassOf ntrkkg:TumourType }} ?row ntrkkg:tableRowNumber ?n }}""",
    )
    assert {int(r["n"]) for r in tumour_types} == {1, 2, 3, 4, 5, 6}


def test_fusion_involving_ntrk1_is_an_ntrk_fusion(store: ox.Store) -> None:
    rows = select(store, f"""SELECT ?f WHERE {{ GRAPH <{INFERRED}> {{ ?f a ntrkkg:NTRKFusion }} }}""")
    fusions = {r["f"].rsplit("/", 1)[-1] for r in rows}
    assert fusions == {
        "ETV6-NTRK3",
        "EML4-NTRK3",
        "LMNA-NTRK1",
        "SPECC1L-NTRK3",
        "TPM3-NTRK1",
        "NTRK1",
        "NTRK2",
        "NTRK3",
    }


def test_partner_properties_imply_involves_gene(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?g WHERE {{ GRAPH <{INFERRED}> {{
        <https://w3id.org/ntrkkg/fusion/TPM3-NTRK1> ntrkkg:involvesGene ?g }} }}""",
    )
    assert {r["g"].rsplit("/", 1)[-1] for r in rows} == {"TPM3", "NTRK1"}


def test_standard_vocabularies_are_materialised(store: ox.Store) -> None:
    cites = select(
        store,
        f"""SELECT ?s WHERE {{ GRAPH <{INFERRED}> {{
        ?s <http://purl.org/spar/cito/citesAsEvidence> <https://w3id.org/ntrkkg/reference/49> }} }}""",
    )
    assert len(cites) == 4
    quoted = select(
        store,
        f"""SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{INFERRED}> {{
        ?s <http://www.w3.org/ns/prov#wasQuotedFrom> <https://doi.org/10.1093/jjco/hyaf015> }} }}""",
    )
    assert quoted == [{"n": "70"}]
    assertions = select(
        store,
        f"""SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{INFERRED}> {{
        ?s a <http://purl.obolibrary.org/obo/SEPIO_0000001> }} }}""",
    )
    assert assertions == [{"n": "70"}]


def test_facet_class_and_facet_value_agree(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?s WHERE { ?s a ntrkkg:Statement ; ntrkkg:facet ntrkkg:Radiology .
        FILTER NOT EXISTS { ?s a ntrkkg:RadiologyStatement } }""",
    )
    assert rows == []


def test_modality_inferred_from_sequence(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT DISTINCT ?m WHERE {{ GRAPH <{INFERRED}> {{ ?f ntrkkg:modality ?m }}
        ?s ntrkkg:hasImagingFinding ?f ;
           ntrkkg:tumourType <{D}spindle-cell-sclerosing-rhabdomyosarcoma> }}""",
    )
    assert rows == [{"m": "https://w3id.org/ntrkkg/modality/MRI"}]


def test_curation_notes_reach_what_they_concern(store: ox.Store) -> None:
    rows = select(store, """SELECT ?s WHERE { <https://w3id.org/ntrkkg/note/typo-lpf-lt> ntrkkg:concerns ?s }""")
    assert len(rows) == 2


def test_no_tautologies_in_inferred_graph(built: BuildResult) -> None:
    from rdflib import OWL, RDFS, BNode

    for s, p, o in built.inferred:
        assert not isinstance(s, BNode) and not isinstance(o, BNode)
        assert o not in (OWL.Thing, RDFS.Resource)
        assert not (s == o and p in (OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf))


def _full_closure(asserted: Graph) -> set[tuple[Node, Node, Node]]:
    """The closure of every triple but the axiom annotations, as before the inert literals were left out."""
    closure = Graph(store="SimpleMemory")
    annotations = set(asserted.subjects(RDF.type, OWL.Axiom))
    for triple in asserted:
        if triple[0] not in annotations:
            closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    return {t for t in closure if t not in asserted and not _is_noise(*t)}


def test_leaving_inert_literals_out_of_the_closure_changes_nothing(built: BuildResult) -> None:
    assert set(built.inferred) == _full_closure(built.asserted)


def test_sameas_copies_even_inert_literals() -> None:
    ex = Namespace("https://example.org/")
    graph = Graph()
    graph.add((ex.a, OWL.sameAs, ex.b))
    graph.add((ex.a, ex.note, Literal("kept")))
    graph.add((ex.b, RDF.type, ex.Thing))
    assert (ex.b, ex.note, Literal("kept")) in infer(graph)
    assert set(infer(graph)) == _full_closure(graph)


def test_restrictions_on_literal_values_still_apply() -> None:
    ex = Namespace("https://example.org/")
    graph = Graph()
    restriction = ex.HasCodeX
    graph.add((restriction, RDF.type, OWL.Restriction))
    graph.add((restriction, OWL.onProperty, ex.code))
    graph.add((restriction, OWL.hasValue, Literal("x")))
    graph.add((ex.a, ex.code, Literal("x")))
    graph.add((ex.a, RDFS.label, Literal("a")))
    assert (ex.a, RDF.type, restriction) in infer(graph)
    assert set(infer(graph)) == _full_closure(graph)
