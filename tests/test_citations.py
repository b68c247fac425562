"""Citation markers printed in the verbatim text agree with the structured citations."""

from __future__ import annotations

import re

import pyoxigraph as ox

from conftest import select

MARKER = re.compile(r"\[([0-9,–\- ]+)\]")


def expand(marker: str) -> set[int]:
    numbers: set[int] = set()
    for part in marker.split(","):
        if "–" in part or "-" in part:
            first, last = re.split("[–-]", part)
            numbers.update(range(int(first), int(last) + 1))
        else:
            numbers.add(int(part))
    return numbers


def test_expand_range() -> None:
    assert expand("46–48") == {46, 47, 48}
    assert expand("24,45") == {24, 45}


def test_every_statement_cites_exactly_its_printed_markers(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?s ?text (GROUP_CONCAT(STR(?n); separator=",") AS ?refs) WHERE {
          ?s a ntrkkg:Statement ; ntrkkg:verbatimText ?text .
          OPTIONAL { ?s ntrkkg:citesReference/ntrkkg:referenceNumber ?n }
        } GROUP BY ?s ?text""",
    )
    assert len(rows) == 70
    for row in rows:
        printed = set().union(*[expand(m) for m in MARKER.findall(row["text"])])
        cited = {int(n) for n in row.get("refs", "").split(",") if n}
        assert printed == cited, row["s"]


def test_reference_47_is_cited_only_through_the_range(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?text WHERE { ?s ntrkkg:citesReference/ntrkkg:referenceNumber 47 ;
                                ntrkkg:verbatimText ?text }""",
    )
    assert len(rows) == 1
    assert "[46–48]" in rows[0]["text"]


def test_references_are_numbered_references_of_the_review(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?r ?n WHERE { ?r a ntrkkg:Reference ; ntrkkg:referenceNumber ?n ;
            ntrkkg:inReferenceListOf <https://doi.org/10.1093/jjco/hyaf015> }""",
    )
    numbers = {int(r["n"]) for r in rows}
    assert numbers == {13, 16, 22, 23, 24, 25, 27, 28, 30, *range(33, 57)}
    assert all(r["r"] == f"https://w3id.org/ntrkkg/reference/{r['n']}" for r in rows)


def test_references_carry_no_invented_bibliographic_data(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?p WHERE { ?r a ntrkkg:Reference ; ?p ?o }""",
    )
    predicates = {r["p"] for r in rows}
    for forbidden in (
        "http://purl.org/dc/terms/title",
        "http://purl.org/ontology/bibo/doi",
        "http://purl.org/ontology/bibo/pmid",
    ):
        assert forbidden not in predicates
