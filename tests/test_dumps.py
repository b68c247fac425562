"""The dumps parse back to the built graph, are reproducible, and are described."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from ntrkkg.build.pipeline import BuildResult, write_build
from ntrkkg.outputs.dumps import write_dumps

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}


def python_value(node: Node | None) -> object:
    """The Python value of a literal read from the VoID description."""
    assert isinstance(node, Literal), node
    return node.toPython()


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_each_asserted_dump_is_isomorphic_to_the_build(dist: Path, built: BuildResult, suffix: str) -> None:
    path = dist / f"ntrkkg-{built.version}.{suffix}"
    parsed = Graph().parse(path, format=FORMATS[suffix])
    assert isomorphic(parsed, built.asserted)
    with gzip.open(path.with_name(path.name + ".gz"), "rb") as gz:
        assert gz.read() == path.read_bytes()


def test_nquads_hold_both_named_graphs(dist: Path, built: BuildResult) -> None:
    ds = Dataset()
    ds.parse(dist / f"ntrkkg-{built.version}.nq", format="nquads")
    asserted = ds.graph(URIRef("https://w3id.org/ntrkkg/graph/asserted"))
    inferred = ds.graph(URIRef("https://w3id.org/ntrkkg/graph/inferred"))
    assert isomorphic(asserted, built.asserted)
    assert isomorphic(inferred, built.inferred)


def test_two_builds_are_byte_identical(dist: Path, built: BuildResult, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_build(again, built, write_dumps)
    for name in ("nt", "nq", "nt.gz", "nq.gz"):
        file = f"ntrkkg-{built.version}.{name}"
        assert (again / file).read_bytes() == (dist / file).read_bytes(), file


def test_ntriples_are_sorted(dist: Path, built: BuildResult) -> None:
    lines = (dist / f"ntrkkg-{built.version}.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)


def test_sha256sums_cover_every_file(dist: Path) -> None:
    listed = {}
    for line in (dist / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        listed[name] = digest
    files = {p.name for p in dist.iterdir() if p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest


def test_void_describes_the_dataset(dist: Path, built: BuildResult) -> None:
    void = Graph().parse(dist / "void.ttl")
    ds = URIRef("https://w3id.org/ntrkkg/dataset")
    dcterms = Namespace("http://purl.org/dc/terms/")
    assert void.value(ds, dcterms.source) == URIRef("https://doi.org/10.1093/jjco/hyaf015")
    assert void.value(ds, dcterms.license) is not None
    assert void.value(ds, dcterms.title) is not None
    assert void.value(ds, dcterms.hasVersion) == Literal(built.version)
    total = len(built.asserted) + len(built.inferred)
    assert python_value(void.value(ds, VOID.triples)) == total
    asserted = URIRef("https://w3id.org/ntrkkg/graph/asserted")
    assert python_value(void.value(asserted, VOID.triples)) == len(built.asserted)
    partitions = {
        void.value(p, VOID["class"]): python_value(void.value(p, VOID.entities))
        for p in void.objects(asserted, VOID.classPartition)
    }
    ntrkkg = Namespace("https://w3id.org/ntrkkg/ontology#")
    assert partitions[ntrkkg.TableCell] == 56
    assert partitions[ntrkkg.Reference] == 33
    dumps = {str(u).rsplit("/", 1)[-1] for u in void.objects(ds, VOID.dataDump)}
    assert f"ntrkkg-{built.version}.nt.gz" in dumps
    for dist_node in void.objects(ds, DCAT.distribution):
        name = str(void.value(dist_node, DCAT.downloadURL)).rsplit("/", 1)[-1]
        assert python_value(void.value(dist_node, DCAT.byteSize)) == (dist / name).stat().st_size


def test_void_file_is_written_with_its_prefixes_and_canonical_blank_nodes(dist: Path) -> None:
    text = (dist / "void.ttl").read_text(encoding="utf-8")
    declared = {line.split()[1] for line in text.splitlines() if line.startswith("@prefix ")}
    assert {"void:", "dcat:", "dcterms:"} <= declared
    assert "_:c14n0 " in text  # partitions labelled by RDFC-1.0, so two builds write the same bytes
