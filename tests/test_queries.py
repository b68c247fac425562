"""Every example query in queries/ answers what the source table says (answers written by hand)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ntrkkg.examples import read_example
from ntrkkg.resources import resource_dir

SKOS = "http://www.w3.org/2004/02/skos/core#"
QUERY_FILES = sorted(resource_dir("queries").glob("*.ttl"))

# Each answer: the query's rows as tuples of the listed variables, read off table2.txt.
EXPECTED: dict[str, tuple[tuple[str, ...], object]] = {
    "tumour-types-with-ntrk1-fusions": (
        ("rowNumber", "fusion"),
        {
            ("2", "LMNA-NTRK1 fusion"),
            ("3", "NTRK1 fusion"),
            ("4", "NTRK1 fusion"),
            ("6", "NTRK1 fusion"),
            ("8", "TPM3-NTRK1 fusion"),
        },
    ),
    "ntrk3-partner-genes": (("partner",), {("ETV6",), ("EML4",), ("SPECC1L",)}),
    "s100-cd34-coexpression": (("rowNumber",), {("3",), ("4",)}),
    "drugs-with-response-data": (
        ("drug", "rowNumber"),
        {
            ("larotrectinib", "1"),
            ("larotrectinib", "2"),
            ("larotrectinib", "4"),
            ("larotrectinib", "5"),
            ("larotrectinib", "6"),
            ("entrectinib", "3"),
            ("entrectinib", "7"),
        },
    ),
    "statements-citing-a-reference": (
        ("facet",),
        [
            ("differential diagnosis",),
            ("genetics",),
            ("histology",),
            ("histology",),
            ("immunohistochemistry",),
            ("prognosis",),
            ("prognosis",),
        ],
    ),
    "tumour-types-without-radiology": (("rowNumber",), {("4",), ("5",)}),
    "not-available-cells": (
        ("rowNumber", "facet"),
        {
            ("2", "differential diagnosis"),
            ("4", "radiology"),
            ("5", "radiology"),
            ("8", "differential diagnosis"),
            ("8", "treatment response"),
        },
    ),
    "reference-49-conflict": (
        ("rowNumber", "drug"),
        {("4", "larotrectinib"), ("5", "larotrectinib"), ("6", "larotrectinib"), ("7", "entrectinib")},
    ),
    "rows-in-ntrk-rearranged-group": (("rowNumber",), {("3",), ("4",), ("5",), ("6",)}),
    "ntrk-fusions-per-tumour-type": (
        ("rowNumber", "ntrkFusions"),
        {("1", "1"), ("2", "2"), ("3", "1"), ("4", "2"), ("5", "1"), ("6", "1"), ("7", "1"), ("8", "1")},
    ),
    "cd34-results": (
        ("rowNumber", "result"),
        {
            ("2", "variable positivity"),
            ("3", "co-expressed"),
            ("4", "co-expressed"),
            ("5", "positive"),
            ("6", "positive"),
        },
    ),
    "differentials-that-are-tumour-types": (
        ("rowNumber", "differential"),
        {("6", "infantile fibrosarcoma"), ("7", "adult-type fibrosarcoma")},
    ),
    "differential-diagnoses": (
        ("rowNumber", "differential"),
        {
            ("1", "vascular malformation"),
            ("1", "lymphatic malformation"),
            ("1", "infantile myofibromatosis"),
            ("3", "lipofibromatosis"),
            ("3", "low-grade malignant peripheral nerve sheath tumor"),
            ("4", "low-grade malignant peripheral nerve sheath tumor"),
            ("4", "intermediate-grade malignant peripheral nerve sheath tumor"),
            ("5", "malignant peripheral nerve sheath tumor"),
            ("5", "fibrosarcomatous dermatofibrosarcoma protuberans"),
            ("5", "solitary fibrous tumor"),
            ("5", "synovial sarcoma"),
            ("6", "myopericytoma"),
            ("6", "hemangiopericytoma"),
            ("6", "solitary fibrous tumor"),
            ("6", "infantile fibrosarcoma"),
            ("6", "myofibromatosis"),
            ("7", "rhabdomyosarcoma"),
            ("7", "adult-type fibrosarcoma"),
            ("7", "synovial sarcoma"),
        },
    ),
    "fusions-with-both-partners": (
        ("fivePrime", "threePrime"),
        {
            ("ETV6", "NTRK3"),
            ("EML4", "NTRK3"),
            ("LMNA", "NTRK1"),
            ("SPECC1L", "NTRK3"),
            ("TPM3", "NTRK1"),
            ("SYPL1", "BRAF"),
            ("TOP2B", "RAF1"),
        },
    ),
    "fusions-with-unspecified-partner": (
        ("gene",),
        {("NTRK1",), ("NTRK2",), ("NTRK3",), ("BRAF",), ("MET",), ("RAF1",), ("ALK",), ("ROS1",), ("RET",)},
    ),
    "typo-corrections": (
        ("printed", "normalised", "places"),
        {
            ("lartrectinib", "larotrectinib", "1"),
            ("LPF-LT", "LPF-NT", "2"),
            ("Differential Diagnosis", "Differential diagnosis", "1"),
        },
    ),
    "t2-signal-by-tumour-type": (
        ("rowNumber", "signal"),
        {
            ("3", "high signal intensity"),
            ("6", "high signal intensity"),
            ("7", "low signal intensity"),
            ("8", "slightly high signal intensity"),
        },
    ),
    "prognosis-case-counts": (("rowNumber", "withOutcome", "cases"), {("2", "1", "6"), ("7", "3", "4")}),
    "references-per-tumour-type": (
        ("rowNumber", "references"),
        {("1", "8"), ("2", "9"), ("3", "6"), ("4", "3"), ("5", "3"), ("6", "3"), ("7", "5"), ("8", "2")},
    ),
    "imt-reports-etv6-ntrk3": ((), True),
    "tumour-type-fusion-network": ((), 19),
    "marker-genes-per-tumour-type": (
        ("rowNumber", "gene"),
        {
            ("1", "VIM"),
            ("1", "NTRK1"),
            ("1", "NTRK2"),
            ("1", "NTRK3"),
            ("2", "CD34"),
            ("2", "S100B"),
            ("2", "S100A1"),
            ("2", "ACTA2"),
            ("2", "TNFRSF8"),
            ("3", "S100B"),
            ("3", "S100A1"),
            ("3", "CD34"),
            ("4", "S100B"),
            ("4", "S100A1"),
            ("4", "CD34"),
            ("5", "CD34"),
            ("5", "S100B"),
            ("5", "S100A1"),
            ("5", "NTRK1"),
            ("5", "NTRK2"),
            ("5", "NTRK3"),
            ("6", "ACTA2"),
            ("6", "CD34"),
            ("7", "ALK"),
            ("7", "ROS1"),
            ("8", "DES"),
            ("8", "MYOG"),
        },
    ),
    "cohort-subgroups": (
        ("rowNumber", "subgroup", "count"),
        {
            ("4", "malignant peripheral nerve sheath tumor", "6"),
            ("5", "adult-type fibrosarcoma", "1"),
            ("6", "myopericytoma", "2"),
            ("7", "inflammatory myofibroblastic tumor", "2"),
        },
    ),
    "statements-per-facet": (
        ("facet", "statements"),
        {
            ("histology", "10"),
            ("immunohistochemistry", "9"),
            ("genetics", "13"),
            ("radiology", "9"),
            ("prognosis", "10"),
            ("differential diagnosis", "9"),
            ("treatment response", "10"),
        },
    ),
    "hgnc-ids-of-ntrk-fusion-partners": (
        ("symbol",),
        {("ETV6",), ("EML4",), ("LMNA",), ("SPECC1L",), ("TPM3",), ("NTRK1",), ("NTRK2",), ("NTRK3",)},
    ),
    "tumour-types-by-ncit-code": (
        ("tumourType", "match"),
        {
            ("infantile fibrosarcoma", SKOS + "exactMatch"),
            ("NTRK-rearranged spindle cell neoplasm", SKOS + "exactMatch"),
            ("NTRK-rearranged spindle cell neoplasm", SKOS + "broadMatch"),
            ("infantile fibrosarcoma with canonical ETV6-NTRK3 fusion", SKOS + "broadMatch"),
            ("lipofibromatosis-like neural tumor", SKOS + "broadMatch"),
            ("spindle cell tumor with S100 and CD34 co-reactivity resembling MPNST", SKOS + "broadMatch"),
            ("adult-type fibrosarcoma", SKOS + "exactMatch"),
            ("spindle cell sarcoma with hemangiopericytic or myopericytoma-like pattern", SKOS + "broadMatch"),
            ("inflammatory myofibroblastic tumor", SKOS + "exactMatch"),
            ("spindle cell/sclerosing rhabdomyosarcoma", SKOS + "exactMatch"),
        },
    ),
    "drugs-by-chebi-id": (("drug",), {("entrectinib",), ("larotrectinib",)}),
    "federated-uniprot-marker-proteins": ((), None),
}


def test_at_least_twenty_examples() -> None:
    assert len(QUERY_FILES) >= 20
    assert {p.stem.split("-", 1)[1] for p in QUERY_FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_example_is_described(path: Path) -> None:
    example = read_example(path)
    assert example.comment and example.description and example.keywords


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_example_answers_from_the_table(path: Path, store: ox.Store) -> None:
    example = read_example(path)
    kind, text = example.kind, example.query
    if example.federated:
        from rdflib.plugins.sparql import prepareQuery

        prepareQuery(text)  # federated: checked for syntax only, never sent anywhere in tests
        return
    variables, expected = EXPECTED[path.stem.split("-", 1)[1]]
    results = store.query(text, use_default_graph_as_union=True)
    if kind == "ask":
        assert bool(results) is expected
    elif kind == "construct":
        assert isinstance(results, ox.QueryTriples)
        triples = list(results)
        edges = [t for t in triples if t.predicate.value.endswith("#reportsFusion")]
        assert len(edges) == expected
    else:
        assert isinstance(results, ox.QuerySolutions)
        rows = [tuple(row[v].value for v in variables) for row in results]
        if isinstance(expected, set):
            assert set(rows) == expected
        else:
            assert isinstance(expected, list)
            assert sorted(rows) == sorted(expected)
