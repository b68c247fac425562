"""Every SHACL shape fires on a fixture made to break it, and the real graph breaks none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, SH, Graph

from conftest import FIXTURES
from ntrkkg.build.loading import parse_turtle
from ntrkkg.build.pipeline import BuildResult
from ntrkkg.build.reasoning import infer
from ntrkkg.build.validation import validate

SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))


def _focus(path: Path) -> str:
    match = re.search(r"^# Focus: (\S+)", path.read_text(encoding="utf-8"), re.M)
    assert match, f"{path.name} must name its focus node"
    return match.group(1)


def test_real_graph_conforms(built: BuildResult) -> None:
    assert built.report.conforms, built.report.in_words()
    assert built.report.violations == []


def test_every_shape_has_a_failing_fixture(shapes: Graph) -> None:
    declared = {str(s).rsplit("#", 1)[-1] for s in shapes.subjects(RDF.type, SH.NodeShape)}
    covered = {p.name.split("--")[0] for p in SHAPE_FIXTURES}
    assert declared == covered


@pytest.mark.parametrize("fixture", SHAPE_FIXTURES, ids=lambda p: p.stem)
def test_shape_fires_on_its_fixture(fixture: Path, ontology: Graph, shapes: Graph) -> None:
    data = Graph()
    for triple in ontology:
        data.add(triple)
    parse_turtle(fixture, data)
    for triple in infer(data):
        data.add(triple)
    report = validate(data, shapes)
    shape = fixture.name.split("--")[0]
    focus = _focus(fixture)
    hits = [v for v in report.violations if v.shape.split(" ")[0].endswith(shape) and v.focus_node.endswith(focus)]
    assert not report.conforms
    assert hits, f"{shape} did not fire on {focus}:\n{report.in_words()}"
    assert all(v.message for v in hits)
