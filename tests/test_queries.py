"""Every example query in queries/ answers what the source table says (answers written by hand)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import FUSION_PARTNERS
from ntrkkg.build.examples import read_example
from ntrkkg.resources import resource_dir
from ntrkkg.sparql.search import engine_functions

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
        # Row 7 prints "fibrosarcoma", the generic node, which is not a tumour type of the table.
        {("6", "infantile fibrosarcoma")},
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
            ("7", "fibrosarcoma"),
            ("7", "synovial sarcoma"),
        },
    ),
    "fusions-with-both-partners": (
        ("fivePrime", "threePrime"),
        FUSION_PARTNERS,
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
            ("IFS-like tumor with related kinase fusion", SKOS + "broadMatch"),
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
    # T2: row 3 "areas of T2 hyperintensity", row 6 "high signal intensity on T2-weighted images",
    # row 8 "slightly high intensity on T2-weighted" (narrower than high).
    "high-t2-signal-including-narrower": (
        ("rowNumber", "signal"),
        {("3", "high signal intensity"), ("6", "high signal intensity"), ("8", "slightly high signal intensity")},
    ),
    # Row 2 "locally aggressive behavior"; row 3 "predominantly a benign or locally aggressive neoplasm".
    "tumour-types-that-may-be-locally-aggressive": (
        ("rowNumber", "category"),
        {("2", "locally aggressive"), ("3", "benign or locally aggressive")},
    ),
    # Row 4: "if the tumor shows increased cell density and mitotic activity, ... distant metastasis".
    "what-rises-with-grade": (("rowNumber", "feature"), {("4", "cell density"), ("4", "mitotic activity")}),
    # Non-NTRK fusions of kinase genes: row 2 BRAF, MET; row 4 RAF1, BRAF; row 7 ALK, ROS1, RET;
    # row 8 SYPL1-BRAF, TOP2B-RAF1. HGNC groups: BRAF and RAF1 in MAP3Ks and the RAF family; the rest RTKs.
    "non-ntrk-kinase-fusions": (
        ("rowNumber", "gene", "group"),
        {
            *{
                (row, gene, group)
                for row, genes in (("2", ("BRAF",)), ("4", ("BRAF", "RAF1")), ("8", ("BRAF", "RAF1")))
                for gene in genes
                for group in ("Mitogen-activated protein kinase kinase kinases", "RAF family")
            },
            ("2", "MET", "Receptor tyrosine kinases"),
            ("7", "ALK", "Receptor tyrosine kinases"),
            ("7", "ROS1", "Receptor tyrosine kinases"),
            ("7", "RET", "Receptor tyrosine kinases"),
        },
    ),
    # Row 2 under the "Infantile fibrosarcoma (IFS)" heading (alternative: only resembles IFS); row 7's
    # differential "fibrosarcoma" (alternative: the adult-type fibrosarcoma row).
    "alternative-readings": (
        ("rowNumber", "relation", "alternative"),
        {("2", "resembles", "infantile fibrosarcoma"), ("7", "differential diagnosis", "adult-type fibrosarcoma")},
    ),
    # Statements whose verbatim text says "necrosis": rows 1 (histology, radiology) and 4 (histology).
    "full-text-search": (("rowNumber", "facet"), {("1", "histology"), ("1", "radiology"), ("4", "histology")}),
    # Radiology cells: row 1 "aberrant vascularization pattern, necrosis, and hemorrhage"; row 2 "possible ...
    # to infiltrate adjacent structures"; row 3 "well-defined masses ... subcutaneous tissues, with some cases
    # exhibiting diffuse thickening and minimal extension into deeper soft tissues", "small fat components";
    # row 6 "intense contrast enhancement, and the absence of fatty components or lobular architecture";
    # row 7 "homogeneous or heterogeneous lesions with variable enhancement"; row 8 "hetero- or homogeneous
    # enhancement". Rows 4 and 5 are N.A.
    "imaging-feature-polarity": (
        ("rowNumber", "feature", "polarity"),
        {
            ("1", "aberrant vascularisation pattern", "present"),
            ("1", "necrosis", "present"),
            ("1", "haemorrhage", "present"),
            ("2", "infiltration of adjacent structures", "variable"),
            ("3", "well-defined mass", "present"),
            ("3", "subcutaneous tissue involvement", "present"),
            ("3", "diffuse thickening", "variable"),
            ("3", "extension into deeper soft tissues", "variable"),
            ("3", "fat component", "present"),
            ("6", "contrast enhancement", "present"),
            ("6", "fat component", "absent"),
            ("6", "lobular architecture", "absent"),
            ("7", "contrast enhancement", "variable"),
            ("7", "heterogeneous appearance", "variable"),
            ("8", "contrast enhancement", "present"),
        },
    ),
    # "Metastases were rare, with lung metastases reported in 1 of 6 cases"; "rarely metastases";
    # "an increased likelihood of distant metastasis".
    "metastasis-outcomes": (
        ("rowNumber", "outcome", "site", "frequency", "withOutcome", "cases"),
        {
            ("2", "metastasis", "lung", "rare", "1", "6"),
            ("3", "metastasis", "-", "rare", "-", "-"),
            ("4", "distant metastasis", "-", "increased likelihood", "-", "-"),
        },
    ),
    # "children and young adults" (row 3); the "Infantile fibrosarcoma (IFS)" heading over rows 1-2;
    # "Adult-type" (row 5).
    "patient-age-groups": (
        ("rowNumber", "ageGroup", "source"),
        {
            ("1", "infant", "tumour type"),
            ("2", "infant", "tumour type"),
            ("3", "child", "statement"),
            ("3", "young adult", "statement"),
            ("5", "adult", "tumour type"),
        },
    ),
    # "One patient showed partial response ... with a 93% reduction [43]", "One IFS (case 15) ... complete tumor
    # regression [44]", "One patient with LPF-NT ... took preoperative entrectinib, and 45% reduction [48]".
    "single-patient-reports": (
        ("rowNumber", "reference", "case", "drug", "setting", "outcome"),
        {
            ("2", "43", "-", "larotrectinib", "-", "partial response"),
            ("2", "43", "-", "larotrectinib", "-", "tumour reduction"),
            ("2", "44", "case 15", "larotrectinib", "-", "complete tumour regression"),
            ("3", "48", "-", "entrectinib", "preoperative", "tumour reduction"),
        },
    ),
    # "Sixteen out of 30 patients ... [49]" in rows 4-7, with larotrectinib (4, 5, 6) and entrectinib (7).
    "cohorts-shared-across-rows": (("reference", "size", "rows", "drugs"), {("49", "30", "4", "2")}),
    # Row 1: "with focal necrosis" (histology) and "CT/MRI shows ... necrosis" (radiology); row 4: "lacked necrosis".
    "histological-feature-polarity": (
        ("rowNumber", "tumourType", "facet", "polarity"),
        {
            ("1", "infantile fibrosarcoma with canonical ETV6-NTRK3 fusion", "histology", "present"),
            ("1", "infantile fibrosarcoma with canonical ETV6-NTRK3 fusion", "radiology", "present"),
            ("4", "spindle cell tumor with S100 and CD34 co-reactivity resembling MPNST", "histology", "absent"),
        },
    ),
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
    # The engines' own functions (full-text search), as the service registers them.
    results = store.query(text, use_default_graph_as_union=True, custom_functions=engine_functions(store))
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
