"""Links to external schemes: verified, canonical, syntactically valid, and published as SSSOM."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import cast

import pytest
from rdflib import OWL, RDF, Literal, Namespace, URIRef

from ntrkkg.build.pipeline import BuildResult
from ntrkkg.outputs.sssom import MATCH_PREDICATES, mappings
from ntrkkg.prefixes import Scheme, converter, scheme_of, schemes

NTRKKG = Namespace("https://w3id.org/ntrkkg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
BASE = "https://w3id.org/ntrkkg/"


def test_every_match_triple_has_its_provenance(built: BuildResult) -> None:
    recorded = {(m.subject, m.predicate, m.object) for m in mappings(built.asserted)}
    asserted = {(s, p, o) for p in MATCH_PREDICATES for s, o in built.asserted.subject_objects(p)}
    assert asserted == recorded
    for m in mappings(built.asserted):
        assert m.comment.startswith("Verified: ") and len(m.comment) > 20, m
        assert m.object_label, m


def test_every_entity_is_linked_or_says_why_not(built: BuildResult) -> None:
    g = built.asserted
    kinds = [NTRKKG.Gene, NTRKKG.ImmunohistochemicalMarker, NTRKKG.TRKInhibitor]
    entities = {s for k in kinds for s in g.subjects(RDF.type, k)}
    entities |= {s for s in g.subjects(RDF.type, OWL.Class) if str(s).startswith(BASE + "disease/")}
    assert len(entities) == 24 + 10 + 2 + 27  # genes, markers, drugs, diseases (2 groups, 8 rows, 17 others)
    for entity in entities:
        linked = any(True for p in MATCH_PREDICATES for _ in g.objects(entity, p))
        assert linked or g.value(entity, NTRKKG.mappingGap) is not None, entity


def test_unmappable_entities_are_the_known_hard_cases(built: BuildResult) -> None:
    unlinked = {
        str(s).removeprefix(BASE)
        for s in built.asserted.subjects(NTRKKG.mappingGap, None)
        if not any(True for p in MATCH_PREDICATES for _ in built.asserted.objects(s, p))
    }
    # Imaging and histological features and outcome kinds with no NCIt concept that could be verified (model depth).
    model_depth = {
        f"ontology#{term}"
        for term in (
            "AberrantVascularisation",
            "LobularArchitecture",
            "InfiltrationOfAdjacentStructures",
            "WellDefinedMargin",
            "DiffuseThickening",
            "DeepSoftTissueExtension",
            "LesionHeterogeneity",
            "DiseaseRelatedDeath",
            "AggressiveBehaviour",
            # Histological features.
            "MitoticActivity",
            "HaemangiopericytomatousVessels",
            "StoriformArchitecture",
            "HerringbonePattern",
            "NuclearAtypia",
            "Inflammation",
            # Values not yet looked up: each says so.
            "CellDensity",
            "ResponseRate",
            "Response",
            "PartialResponse",
            "CompleteRegression",
            "TumourReduction",
            "Variable",
            "Frequent",
            "IncreasedLikelihood",
            "SomeCases",
        )
    }
    assert unlinked == {"modality/contrast-enhanced-CT", "sequence/post-contrast"} | model_depth


def test_external_iris_are_canonical_and_well_formed(built: BuildResult) -> None:
    for m in mappings(built.asserted):
        scheme = scheme_of(str(m.object))
        assert scheme is not None, m.object
        local = str(m.object)[len(scheme.uri_prefix) :]
        if scheme.pattern:
            assert re.match(scheme.pattern, local), (m.object, scheme.pattern)


def test_known_identifiers(built: BuildResult) -> None:
    """Spot checks against identifiers read from HGNC, NCIt, MONDO and UniProt files."""
    g = built.asserted
    conv = converter(BASE)

    def links(path: str) -> set[str]:
        node = URIRef(BASE + path)
        return {conv.compress(str(o)) or str(o) for p in MATCH_PREDICATES for o in g.objects(node, p)}

    assert {"hgnc:8031", "NCBIGene:4914"} <= links("gene/NTRK1")
    assert "NCIT:C4244" in links("disease/infantile-fibrosarcoma")
    assert "NCIT:C178426" in links("disease/ntrk-rearranged-spindle-cell-neoplasm")
    assert "uniprot:P28906" in links("marker/CD34")
    assert {"uniprot:P04629", "uniprot:Q16620", "uniprot:Q16288"} <= links("marker/pan-TRK")


def test_mapping_strength_is_honest(built: BuildResult) -> None:
    g = built.asserted
    pan_trk = URIRef(BASE + "marker/pan-TRK")
    s100 = URIRef(BASE + "marker/S100")
    sma = URIRef(BASE + "marker/SMA")
    assert not list(g.objects(pan_trk, SKOS.exactMatch))
    assert len(list(g.objects(pan_trk, SKOS.narrowMatch))) == 3
    assert not list(g.objects(s100, SKOS.exactMatch))
    assert len(list(g.objects(s100, SKOS.narrowMatch))) == 2
    assert not list(g.objects(sma, SKOS.exactMatch)) and list(g.objects(sma, SKOS.closeMatch))
    # the body site "soft tissue" is not soft tissue sarcoma
    sts = URIRef(BASE + "disease/soft-tissue-sarcoma")
    sts_links = [str(o) for p in MATCH_PREDICATES for o in g.objects(sts, p)]
    assert sts_links and not any("SOFT_TISSUE" in o for o in sts_links)


def test_no_obsolete_or_mislabelled_mondo(built: BuildResult) -> None:
    objects = {str(m.object) for m in mappings(built.asserted)}
    for trap in ("MONDO_0002673", "MONDO_0021188", "MONDO_0000522", "MONDO_0003711", "MONDO_0019313"):
        assert not any(o.endswith(trap) for o in objects), trap


def test_counts_per_scheme(built: BuildResult) -> None:
    counts = Counter(cast(Scheme, scheme_of(str(m.object))).key for m in mappings(built.asserted))
    assert counts["hgnc"] == 24 + 13  # genes, plus markers' related genes
    assert counts["ncbigene"] == 24 and counts["ensembl"] == 24
    assert set(counts) <= set(schemes())


def test_sssom_file(dist: Path, built: BuildResult) -> None:
    path = dist / f"ntrkkg-{built.version}.sssom.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if not line.startswith("#")]
    assert body[0].split("\t")[:4] == ["subject_id", "subject_label", "predicate_id", "object_id"]
    assert len(body) - 1 == len(mappings(built.asserted))
    assert body[0].split("\t")[5:] == ["mapping_justification", "object_source_version", "comment"]
    assert all("\tsemapv:ManualMappingCuration\t" in row and "\tVerified: " in row for row in body[1:])


def test_sssom_curie_map_expands_icdo_to_a_resolver_not_a_search(dist: Path, built: BuildResult) -> None:
    header = (dist / f"ntrkkg-{built.version}.sssom.tsv").read_text(encoding="utf-8").split("\nsubject_id")[0]
    assert '#  icdo: "https://bioregistry.io/icdo:"' in header.splitlines()
    assert "codes.iarc.fr" not in header


def test_icdo_rows_name_their_edition(dist: Path, built: BuildResult) -> None:
    lines = (dist / f"ntrkkg-{built.version}.sssom.tsv").read_text(encoding="utf-8").splitlines()
    columns = next(line for line in lines if line.startswith("subject_id")).split("\t")
    rows = [dict(zip(columns, line.split("\t"), strict=True)) for line in lines if line.startswith("ntrkkg:")]
    icdo = [row for row in rows if row["object_id"].startswith("icdo:")]
    assert icdo
    for row in icdo:  # checked in the ICD-O-3.1 tables: that edition; elsewhere: none the source names
        checked_in_31 = row["comment"].startswith("Verified: mgurley/icd-o-to-snomed:lib/setup/data/icd_o_31_")
        expected = "ICD-O-3.1" if checked_in_31 else ""
        assert row["object_source_version"] == expected, row
    dfsp = {
        row["object_id"]: row for row in icdo if row["subject_id"] == "ntrkkg:disease/dermatofibrosarcoma-protuberans"
    }
    assert set(dfsp) == {"icdo:8832/1", "icdo:8832/3"}
    assert dfsp["icdo:8832/3"]["object_source_version"] == "ICD-O-3.1"
    assert dfsp["icdo:8832/1"]["object_source_version"] == ""  # its source names no edition: the comment says so
    assert "Behaviour code /1 (borderline)" in dfsp["icdo:8832/1"]["comment"]
    assert "only 8832/0 and 8832/3" in dfsp["icdo:8832/1"]["comment"]


@pytest.mark.skipif(
    shutil.which("sssom") is None and not __import__("importlib").util.find_spec("sssom"),
    reason="the sssom package is not installed",
)
def test_sssom_validates_with_the_sssom_package(dist: Path, built: BuildResult, tmp_path: Path) -> None:
    import sys

    path = dist / f"ntrkkg-{built.version}.sssom.tsv"
    command = [sys.executable, "-m", "sssom.cli", "validate"]
    good = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=300)
    assert good.returncode == 0, good.stderr[-2000:]
    broken = tmp_path / "broken.sssom.tsv"
    broken.write_text(path.read_text(encoding="utf-8").replace("semapv:ManualMappingCuration", "semapv:Guess"))
    bad = subprocess.run([*command, str(broken)], capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0


def test_void_lists_linksets(dist: Path) -> None:
    from rdflib import Graph

    void = Graph().parse(dist / "void.ttl")
    vocab = Namespace("http://rdfs.org/ns/void#")
    linksets = {
        str(s).rsplit("/", 1)[-1]: int(cast(Literal, void.value(s, vocab.triples)))
        for s in void.subjects(RDF.type, vocab.Linkset)
    }
    assert linksets["ncbigene"] == 24
    assert URIRef("https://bioregistry.io/registry/hgnc") in set(void.objects(None, vocab.objectsTarget))
