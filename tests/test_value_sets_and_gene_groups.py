"""Value hierarchies and HGNC gene groups: structure that answers without reading the source's wording."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef

from conftest import select
from ntrkkg.build.pipeline import BuildResult
from ntrkkg.outputs.sssom import mappings

G = "https://w3id.org/ntrkkg/gene/"
HGNC_GROUP = "https://www.genenames.org/data/genegroup/#!/group/"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def test_slightly_high_signal_is_a_high_signal(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?v WHERE {{ ?v <{SKOS}broader>* ntrkkg:HighSignal }}""",
    )
    assert {r["v"].rsplit("#", 1)[-1] for r in rows} == {"HighSignal", "SlightlyHighSignal"}


def test_locally_aggressive_falls_under_benign_or_locally_aggressive(store: ox.Store) -> None:
    rows = select(store, f"SELECT ?b WHERE {{ ntrkkg:LocallyAggressive <{SKOS}broader> ?b }}")
    assert [r["b"].rsplit("#", 1)[-1] for r in rows] == ["BenignOrLocallyAggressive"]


def test_grade_dependent_prognosis_names_what_rises(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?f WHERE { ntrkkg:GradeDependentPrognosis ntrkkg:risesWithGrade ?f . ?f a ntrkkg:GradingFeature }""",
    )
    assert {r["f"].rsplit("#", 1)[-1] for r in rows} == {"CellDensity", "MitoticActivity"}


def test_kinase_genes_are_inferred_from_hgnc_groups(store: ox.Store) -> None:
    rows = select(store, "SELECT ?g WHERE { ?g a ntrkkg:KinaseGene }")
    assert {r["g"].removeprefix(G) for r in rows} == {
        "NTRK1", "NTRK2", "NTRK3", "ALK", "ROS1", "RET", "MET", "BRAF", "RAF1",
    }  # fmt: skip


def test_rows_with_a_raf_family_fusion(store: ox.Store) -> None:
    # Row 2 "BRAF [41]"; row 4 "RAF1 or BRAF fusion genes"; row 8 "SYPL1-BRAF, and TOP2B-RAF1".
    rows = select(
        store,
        f"""SELECT DISTINCT ?n WHERE {{ ?s ntrkkg:tumourType/ntrkkg:tableRowNumber ?n ;
        ntrkkg:reportsFusion/ntrkkg:involvesGene/ntrkkg:inGeneGroup ?group .
        ?group <{SKOS}exactMatch> <{HGNC_GROUP}1157> }}""",
    )
    assert {int(r["n"]) for r in rows} == {2, 4, 8}


def test_ntrk_genes_are_receptor_tyrosine_kinases(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?g WHERE {{ ?g ntrkkg:inGeneGroup ?group .
        ?group <{SKOS}exactMatch> <{HGNC_GROUP}321> ; rdfs:label "Receptor tyrosine kinases"@en }}""",
    )
    assert {r["g"].removeprefix(G) for r in rows} == {"NTRK1", "NTRK2", "NTRK3", "ALK", "ROS1", "RET", "MET"}


def test_every_gene_but_specc1l_is_in_a_group(built: BuildResult) -> None:
    g = built.asserted
    genes = set(
        g.subjects(
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef("https://w3id.org/ntrkkg/ontology#Gene")
        )
    )
    grouped = set(g.subjects(URIRef("https://w3id.org/ntrkkg/ontology#inGeneGroup"), None))
    assert {str(x).removeprefix(G) for x in genes - grouped} == {"SPECC1L"}


def test_gene_group_identifiers_are_verified(built: BuildResult) -> None:
    groups = [m for m in mappings(built.asserted) if str(m.subject).startswith(G + "group/")]
    assert len(groups) == 23
    assert all(str(m.object).startswith(HGNC_GROUP) for m in groups)
    assert all(m.comment.startswith("Verified: lyijin/common:hgnc_complete_set.txt.gz@") for m in groups)
    by_id = {str(m.object).removeprefix(HGNC_GROUP): m.object_label for m in groups}
    assert by_id["321"] == "Receptor tyrosine kinases"
    assert by_id["1157"] == "RAF family"
    assert by_id["654"] == "Mitogen-activated protein kinase kinase kinases"
