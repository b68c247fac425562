"""The citation-marker constraint (SHACL-SPARQL): printed markers equal structured citations, ranges expanded."""

from __future__ import annotations

import pytest
from rdflib import Graph

from conftest import BASE
from ntrkkg.build.reasoning import infer
from ntrkkg.build.validation import Violation, validate

SHAPE = "CitationMarkersShape"


def _results(ontology: Graph, shapes: Graph, text: str, cited: list[int]) -> list[Violation]:
    """Validate one statement with this text and these citations; the marker shape's results."""
    data = Graph()
    for triple in ontology:
        data.add(triple)
    cites = "".join(f" ; ntrkkg:citesReference <reference/{n}>" for n in cited)
    turtle = f"""@base <{BASE}> .
@prefix ntrkkg: <https://w3id.org/ntrkkg/ontology#> .
<statement/t/histology/1> a ntrkkg:HistologyStatement ; ntrkkg:verbatimText "{text}"{cites} .
""" + "".join(f"<reference/{n}> a ntrkkg:Reference ; ntrkkg:referenceNumber {n} .\n" for n in cited)
    data.parse(data=turtle, format="turtle")
    for triple in infer(data):
        data.add(triple)
    return [v for v in validate(data, shapes).violations if v.shape.endswith(SHAPE)]


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("Spindle cells [33]", [33]),
        ("Co-express S100 and CD34 [24,45]", [24, 45]),
        ("Well-defined masses [46–48] In one reported case, small fat components [46]", [46, 47, 48]),
        ("Often with NTRK1/2, RAF1 or BRAF fusion genes [25]. Sixteen out of 30 patients (53%)", [25]),
        ("N.A.", []),
    ],
)
def test_markers_that_match_pass(ontology: Graph, shapes: Graph, text: str, cited: list[int]) -> None:
    assert _results(ontology, shapes, text, cited) == []


def test_cited_36_printed_33(ontology: Graph, shapes: Graph) -> None:
    messages = {v.message for v in _results(ontology, shapes, "Generally favorable [33]", [36])}
    assert messages == {
        "The statement cites reference 36, but its verbatim text prints no citation marker for it.",
        "The verbatim text prints the citation markers [33], but the statement cites only 36: "
        "a printed number or range end is not cited.",
    }


def test_printed_number_not_cited(ontology: Graph, shapes: Graph) -> None:
    messages = [v.message for v in _results(ontology, shapes, "Co-express S100 and CD34 [24,45]", [24])]
    assert messages == [
        "The verbatim text prints the citation markers [24,45], but the statement cites only 24: "
        "a printed number or range end is not cited."
    ]


def test_range_inside_not_cited(ontology: Graph, shapes: Graph) -> None:
    messages = [v.message for v in _results(ontology, shapes, "Well-defined masses [46–48]", [46, 48])]
    assert messages == [
        "The verbatim text prints the citation range 46–48, but the statement does not cite every reference within it."
    ]


def test_every_range_of_a_text_is_expanded(ontology: Graph, shapes: Graph) -> None:
    results = _results(ontology, shapes, "First [10–12], then [20–22]", [10, 11, 12, 20, 22])
    assert [v.message for v in results] == [
        "The verbatim text prints the citation range 20–22, but the statement does not cite every reference within it."
    ]


def test_number_outside_the_printed_range(ontology: Graph, shapes: Graph) -> None:
    messages = [v.message for v in _results(ontology, shapes, "Well-defined masses [46–48]", [46, 47, 48, 49])]
    assert messages == ["The statement cites reference 49, but its verbatim text prints no citation marker for it."]


def test_a_number_is_never_matched_inside_another(ontology: Graph, shapes: Graph) -> None:
    # 4 and 6 are digits of the printed 46, not numbers of their own
    results = _results(ontology, shapes, "Spindle cells [46]", [4, 6, 46])
    assert sorted(v.message for v in results) == [
        "The statement cites reference 4, but its verbatim text prints no citation marker for it.",
        "The statement cites reference 6, but its verbatim text prints no citation marker for it.",
    ]


def test_uncited_statement_with_markers(ontology: Graph, shapes: Graph) -> None:
    messages = [v.message for v in _results(ontology, shapes, "Spindle cells [33]", [])]
    assert messages == [
        "The verbatim text prints the citation markers [33], but the statement cites no reference: "
        "a printed number or range end is not cited."
    ]
