"""The two readings the source leaves open: the graph states one, and keeps the other as a flagged note."""

from __future__ import annotations

import pyoxigraph as ox

from conftest import select

D = "https://w3id.org/ntrkkg/disease/"
N = "https://w3id.org/ntrkkg/note/"
NCIT_IFS = "http://purl.obolibrary.org/obo/NCIT_C4244"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
BASE = "https://w3id.org/ntrkkg/"


def test_ifs_like_tumours_are_infantile_fibrosarcomas(store: ox.Store) -> None:
    # The table groups row 2 under "Infantile fibrosarcoma (IFS)" and calls its cases IFS.
    def ask(pattern: str) -> bool:
        return bool(store.query(f"ASK {{ {pattern} }}", use_default_graph_as_union=True))

    assert ask(f"<{D}ifs-like-tumor> <{RDFS}subClassOf> <{D}infantile-fibrosarcoma>")
    assert ask(f"<{D}ifs-like-tumor> <{RDFS}subClassOf> <{D}fibrosarcoma>")  # inferred through IFS
    assert not ask(f"<{D}ifs-like-tumor> <https://w3id.org/ntrkkg/ontology#resembles> ?d")


def test_ifs_like_mappings_agree_with_the_hierarchy(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?p WHERE {{ <{D}ifs-like-tumor> ?p <{NCIT_IFS}> }}""",
    )
    assert {r["p"] for r in rows} == {SKOS + "broadMatch"}
    exact = select(store, f"SELECT ?o WHERE {{ <{D}ifs-like-tumor> <{SKOS}exactMatch> ?o }}")
    assert exact == []


def test_imt_differential_is_what_the_table_prints(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?d WHERE {{ ?s ntrkkg:tumourType <{D}inflammatory-myofibroblastic-tumor> ;
        ntrkkg:differentialDiagnosis ?d }}""",
    )
    assert {r["d"].removeprefix(D) for r in rows} == {"rhabdomyosarcoma", "fibrosarcoma", "synovial-sarcoma"}


def test_each_other_reading_is_a_flagged_note_on_the_node_it_concerns(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?note ?node ?relation ?target WHERE {
        ?note a ntrkkg:AlternativeReading ; ntrkkg:concerns ?node ;
              ntrkkg:alternativeRelation ?relation ; ntrkkg:alternativeTarget ?target .
        ?node ntrkkg:hasCurationNote ?note }""",
    )
    readings = {(r["note"].removeprefix(N), r["node"].removeprefix(BASE), r["target"].removeprefix(D)) for r in rows}
    assert readings == {
        ("ifs-like-tumor-resembles-ifs", "disease/ifs-like-tumor", "infantile-fibrosarcoma"),
        (
            "fibrosarcoma-differential-as-adult-type",
            "statement/inflammatory-myofibroblastic-tumor/differential-diagnosis/1",
            "adult-type-fibrosarcoma",
        ),
    }
    relations = {r["relation"].rsplit("#", 1)[-1] for r in rows}
    assert relations == {"resembles", "differentialDiagnosis"}


def test_adopted_readings_say_why(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?text ?basis WHERE {{ <{N}infantile-fibrosarcoma-group> ntrkkg:curationNoteText ?text ;
        ntrkkg:decisionBasis ?basis }}""",
    )
    assert len(rows) == 1
    assert "One IFS (case 15)" in rows[0]["text"] and "wording" in rows[0]["basis"]
