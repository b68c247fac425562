"""HermiT (bundled with owlready2) finds the ontology plus data consistent."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Namespace, URIRef

from ntrkkg.build.consistency import ConsistencyResult, check_consistency
from ntrkkg.build.pipeline import BuildResult

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="no Java runtime: HermiT cannot run (apt-get install default-jre-headless)"
)
NTRKKG = Namespace("https://w3id.org/ntrkkg/ontology#")


def test_ontology_and_data_are_consistent(built: BuildResult) -> None:
    result = check_consistency(built.asserted)
    assert isinstance(result, ConsistencyResult)
    assert result.consistent, result.message


def test_hermit_detects_an_inconsistency(built: BuildResult) -> None:
    broken = Graph()
    for triple in built.asserted:
        broken.add(triple)
    # A statement cannot be both a histology and a genetics statement (disjoint classes).
    statement = URIRef("https://w3id.org/ntrkkg/statement/ifs-canonical-etv6-ntrk3/histology/1")
    from rdflib import RDF

    broken.add((statement, RDF.type, NTRKKG.GeneticsStatement))
    result = check_consistency(broken)
    assert not result.consistent
    assert "inconsistent" in result.message.lower()
