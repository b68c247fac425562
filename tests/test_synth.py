"""The synthetic graphs of benchmarks/synth.py: as valid as the curated one, stable, and sized."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType
from typing import cast

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace

from ntrkkg.build.examples import examples
from ntrkkg.build.loading import load_files
from ntrkkg.build.pipeline import load_inputs
from ntrkkg.build.reasoning import infer
from ntrkkg.build.validation import validate
from ntrkkg.namespaces import AUTHORED_BASE
from ntrkkg.resources import resource_dir, turtle_files

SH = Namespace("http://www.w3.org/ns/shacl#")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
SYNTH_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "synth.py"
SIZE = 10_000
SEED = 7


def _load_synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ntrkkg_bench_synth", SYNTH_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synth() -> ModuleType:
    return _load_synth()


@pytest.fixture(scope="module")
def ntriples(synth: ModuleType) -> str:
    stream = io.StringIO()
    synth.generate(stream, SIZE, SEED)
    return stream.getvalue()


@pytest.fixture(scope="module")
def reasoned(ntriples: str) -> Graph:
    """Ontology + synthetic data + its OWL-RL closure, as the build validates it."""
    graph = load_files(turtle_files(resource_dir("ontology")))
    graph.parse(data=ntriples, format="nt")
    for triple in infer(graph):
        graph.add(triple)
    return graph


def test_size_is_within_ten_percent(ntriples: str) -> None:
    count = ntriples.count("\n")
    assert abs(count - SIZE) <= SIZE * 0.1, count


def test_same_seed_same_bytes(synth: ModuleType, ntriples: str, tmp_path: Path) -> None:
    again = io.StringIO()
    synth.generate(again, SIZE, SEED)
    assert again.getvalue() == ntriples
    first, second = tmp_path / "a.nt.gz", tmp_path / "b.nt.gz"
    synth.write(first, 5_000, SEED)
    synth.write(second, 5_000, SEED)
    assert first.read_bytes() == second.read_bytes()
    other = io.StringIO()
    synth.generate(other, SIZE, SEED + 1)
    assert other.getvalue() != ntriples


def test_refuses_sizes_below_the_real_graph(synth: ModuleType) -> None:
    with pytest.raises(ValueError):
        synth.generate(io.StringIO(), 100, SEED)


def test_synthetic_graph_conforms_to_the_shapes(reasoned: Graph) -> None:
    shapes = load_inputs(AUTHORED_BASE)[1]
    report = validate(reasoned, shapes)
    assert report.conforms, report.in_words()[:4000]


def test_synthetic_part_uses_every_pattern(synth: ModuleType, ntriples: str) -> None:
    real = len(synth.load_real_graph().lines)
    synthetic = "".join(ntriples.splitlines(keepends=True)[real:])
    typed = {line.split()[2] for line in synthetic.splitlines() if line.split()[1] == f"<{RDF.type}>"}
    for cls in (
        "HistologyStatement",
        "ImmunohistochemistryStatement",
        "GeneticsStatement",
        "RadiologyStatement",
        "PrognosisStatement",
        "DifferentialDiagnosisStatement",
        "TreatmentResponseStatement",
        "NotAvailableStatement",
        "TableCell",
        "MarkerFinding",
        "ImagingFinding",
        "CohortSubgroup",
        "Gene",
        "GeneFusion",
        "Reference",
        "ClassificationDecision",
        "TypoCorrection",
    ):
        assert f"<{AUTHORED_BASE}ontology#{cls}>" in typed, cls
    for prop in (
        "tableRowNumber",
        "fivePrimePartner",
        "partnerUnspecified",
        "responsePercentage",
        "caseCountWithOutcome",
        "differentialDiagnosis",
        "signalIntensity",
    ):
        assert f"<{AUTHORED_BASE}ontology#{prop}>" in synthetic, prop


def _examples() -> list[tuple[str, str, str]]:
    return [(e.path.stem, e.kind, e.query) for e in examples() if e.portable]


def test_example_queries_answer_on_the_synthetic_store(reasoned: Graph) -> None:
    store = ox.Store()
    store.bulk_load(reasoned.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    examples = _examples()
    assert len(examples) >= 20
    empty = []
    for name, kind, text in examples:
        results = store.query(text)
        answered = (
            bool(results) if kind == "ask" else any(True for _ in cast(ox.QuerySolutions | ox.QueryTriples, results))
        )
        if not answered:
            empty.append(name)
    assert len(empty) <= len(examples) // 10, empty
