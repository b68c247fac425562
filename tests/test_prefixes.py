"""The prefix map: a curies extended prefix map, generated with the identifier shapes by scripts/update_prefixes.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import curies
import pytest
from rdflib import Graph

from conftest import BASE, FIXTURES
from ntrkkg import prefixes
from ntrkkg.build.validation import validate
from ntrkkg.outputs.sssom import MATCH_PREDICATES
from ntrkkg.prefixes import Scheme, converter, read_map, scheme_of, schemes

CHECKOUT = Path(__file__).resolve().parent.parent
MAP = CHECKOUT / "src" / "ntrkkg" / "prefixes.json"
SHAPES = CHECKOUT / "shapes" / "identifier-shapes.ttl"
SCRIPT = CHECKOUT / "scripts" / "update_prefixes.py"
EPM_FIELDS = {"prefix", "uri_prefix", "prefix_synonyms", "uri_prefix_synonyms", "pattern"}
KEYS = list(schemes())


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(MAP.read_text(encoding="utf-8"))
    return document


def _mapped_iris() -> dict[str, list[str]]:
    """The objects of the mapping triples in data/mappings/*.ttl, by scheme key."""
    graph = Graph()
    for path in sorted((CHECKOUT / "data" / "mappings").glob("*.ttl")):
        graph.parse(path, format="turtle")
    found: dict[str, list[str]] = {}
    for predicate in MATCH_PREDICATES:
        for iri in graph.objects(None, predicate):
            scheme = scheme_of(str(iri))
            assert scheme is not None, iri
            found.setdefault(scheme.key, []).append(str(iri))
    return {key: sorted(iris) for key, iris in found.items()}


MAPPED = _mapped_iris()


def _run_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=CHECKOUT)


@pytest.fixture
def bioregistry_as_recorded() -> Iterator[None]:
    """Skips unless the bioregistry package installed is the version the committed map was made with."""
    pytest.importorskip("bioregistry")
    recorded = _document()["source"]
    installed = f"bioregistry {metadata.version('bioregistry')}"
    if installed != recorded:
        pytest.skip(f"{installed} installed, the map records {recorded}: run scripts/update_prefixes.py")
    yield


def test_map_is_an_extended_prefix_map(tmp_path: Path) -> None:
    document = _document()
    assert re.fullmatch(r"bioregistry \d+\.\d+\.\d+", document["source"]), document["source"]
    records = document["extended_prefix_map"]
    assert all(set(record) <= EPM_FIELDS for record in records)
    loaded = curies.load_extended_prefix_map(records)
    # exactly as curies itself writes an extended prefix map
    curies.write_extended_prefix_map(loaded, tmp_path / "map.epm.json")
    assert json.loads((tmp_path / "map.epm.json").read_text(encoding="utf-8")) == records
    # each scheme is one record, and the package's converter holds them all, synonyms and patterns included
    _, parsed = read_map(document)
    assert parsed == schemes()
    assert sorted(s.curie_prefix for s in parsed.values()) == sorted(r["prefix"] for r in records)
    for record in loaded.records:
        assert record in converter().records
        assert record in converter(BASE).records
    for scheme in schemes().values():
        assert scheme.name and document["schemes"][scheme.key]["shape"].endswith("IdentifierShape")


@pytest.mark.parametrize("key", KEYS)
def test_every_pattern_compiles(key: str) -> None:
    pattern = schemes()[key].pattern
    assert pattern and pattern.startswith("^") and pattern.endswith("$"), pattern
    re.compile(pattern)
    for iri in MAPPED.get(key, []):
        assert re.match(pattern, iri[len(schemes()[key].uri_prefix) :]), (iri, pattern)


def test_scheme_of_takes_the_longest_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    real = schemes()
    ncit = real["ncit"]
    iri = MAPPED["ncit"][0]
    assert scheme_of(iri) == ncit
    broader = Scheme("broader", "broader", ncit.uri_prefix.rsplit("/", 1)[0] + "/", None, "A broader namespace")
    assert iri.startswith(broader.uri_prefix)
    for table in ({"broader": broader, **real}, {**real, "broader": broader}):
        monkeypatch.setattr(prefixes, "schemes", lambda table=table: table)
        assert scheme_of(iri) == ncit
        assert scheme_of(broader.uri_prefix + "X") == broader
    monkeypatch.undo()
    assert scheme_of(broader.uri_prefix + "X") is None
    assert scheme_of(BASE + "gene/NTRK1") is None


def test_scheme_of_counts_canonical_namespaces_only() -> None:
    ncit = schemes()["ncit"]
    record = converter().get_record(ncit.curie_prefix, strict=True)
    local = MAPPED["ncit"][0][len(ncit.uri_prefix) :]
    synonym = next(u for u in record.uri_prefix_synonyms if scheme_of(u + local) is None)
    assert converter().standardize_uri(synonym + local) == ncit.uri_prefix + local


@pytest.mark.parametrize("key", KEYS)
def test_round_trip_on_a_mapped_iri(key: str) -> None:
    if key not in MAPPED:
        pytest.skip(f"data/mappings/*.ttl link to no {key} identifier")
    scheme = schemes()[key]
    iri = MAPPED[key][0]
    local = iri[len(scheme.uri_prefix) :]
    for conv in (converter(), converter(BASE)):
        curie = conv.compress(iri)
        assert curie == f"{scheme.curie_prefix}:{local}"
        assert conv.expand(curie) == iri
        record = conv.get_record(scheme.curie_prefix, strict=True)
        for synonym in record.prefix_synonyms:
            assert conv.expand(f"{synonym}:{local}") == iri, synonym
        for uri_synonym in record.uri_prefix_synonyms:
            assert conv.compress(uri_synonym + local) == curie, uri_synonym


def test_generated_shapes_equal_the_committed_ones(tmp_path: Path) -> None:
    result = _run_script("--shapes-only", "--shapes", tmp_path / "shapes.ttl")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "shapes.ttl").read_bytes() == SHAPES.read_bytes()
    assert not (tmp_path / "prefixes.json").exists()


@pytest.mark.usefixtures("bioregistry_as_recorded")
def test_regenerated_map_and_shapes_equal_the_committed_ones(tmp_path: Path) -> None:
    result = _run_script("--prefixes", tmp_path / "prefixes.json", "--shapes", tmp_path / "shapes.ttl")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "prefixes.json").read_bytes() == MAP.read_bytes()
    assert (tmp_path / "shapes.ttl").read_bytes() == SHAPES.read_bytes()


@pytest.mark.usefixtures("bioregistry_as_recorded")
def test_the_script_refuses_to_change_a_pinned_prefix(tmp_path: Path) -> None:
    pins = _document()
    ncit = pins["schemes"]["ncit"]
    for record in pins["extended_prefix_map"]:
        if record["prefix"] == ncit["prefix"]:
            record["uri_prefix"] += "moved/"
    hgnc = pins["schemes"]["hgnc"]
    for record in pins["extended_prefix_map"]:
        if record["prefix"] == hgnc["prefix"]:
            record["prefix"] = hgnc["prefix"] = hgnc["prefix"].upper()
    (tmp_path / "pins.json").write_text(json.dumps(pins), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = _run_script("--pins", tmp_path / "pins.json", "--prefixes", out / "p.json", "--shapes", out / "s.ttl")
    assert result.returncode != 0
    assert "bioregistry disagrees" in result.stderr
    assert "ncit: bioregistry's URI prefix" in result.stderr and "hgnc: bioregistry's CURIE prefix" in result.stderr
    assert list(out.iterdir()) == []


def _focus(path: Path) -> str:
    match = re.search(r"^# Focus: (\S+)", path.read_text(encoding="utf-8"), re.M)
    assert match, f"{path.name} must name its focus node"
    return match.group(1)


@pytest.mark.parametrize("key", KEYS)
def test_every_identifier_shape_fires_on_a_malformed_identifier(key: str) -> None:
    shape = _document()["schemes"][key]["shape"]
    fixture = FIXTURES / "shapes" / f"{shape}--malformed.ttl"
    assert fixture.exists(), f"no fixture {fixture.name} breaks {shape}"
    focus = _focus(fixture)
    assert scheme_of(focus) == schemes()[key]
    report = validate(Graph().parse(fixture, format="turtle"), Graph().parse(SHAPES, format="turtle"))
    hits = [v for v in report.violations if v.shape.endswith(f":{shape}") and v.focus_node == focus]
    assert not report.conforms
    assert hits, report.in_words()
    assert all(f"This {schemes()[key].curie_prefix} identifier" in v.message for v in hits)
