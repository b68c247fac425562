"""The KGX export: its Biolink mapping against the pinned model, kgx's own validator, round trips, the guide."""

from __future__ import annotations

import csv
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import Literal, URIRef

from ntrkkg.build.pipeline import BuildError, BuildResult
from ntrkkg.namespaces import NTRKKG
from ntrkkg.outputs.kgx import EDGE_COLUMNS, NODE_COLUMNS, kgx_rows, mapping_path, read_mapping
from ntrkkg.prefixes import schemes

BIOLINK_VERSION = "4.4.6"
GUIDE = Path(__file__).resolve().parents[1] / "docs" / "kgx.md"
BASE = "https://w3id.org/ntrkkg/"


@dataclass
class Kgx:
    """kgx and bmt working offline on the Biolink Model of the installed biolink-model package."""

    toolkit: Any
    biolink_prefixes: dict[str, str]
    config: Any
    cli: Any
    validate: Any

    def use_context(self, extra: dict[str, str]) -> None:
        """Biolink's prefix map, plus ``extra``, as the JSON-LD contexts kgx would otherwise download."""
        self.config.jsonld_context_map.update(
            {"biolink": {**self.biolink_prefixes, **extra}, "monarch_context": self.biolink_prefixes}
        )
        self.config.jsonld_context_map["obo_context"] = self.biolink_prefixes


@pytest.fixture(scope="session")
def offline_kgx() -> Iterator[Kgx]:
    import bmt

    package = resources.files("biolink_model")
    local_schema = str(package / "schema" / "biolink_model.yaml")
    original = bmt.Toolkit

    class LocalToolkit(original):  # type: ignore[misc,valid-type]
        """bmt's Toolkit on the packaged YAML, with no predicate map to download."""

        def __init__(self, schema: Any = local_schema, predicate_map: Any = None, **kwargs: Any) -> None:
            super().__init__(schema, predicate_map or {"predicate mappings": []}, **kwargs)

    # kgx builds a Toolkit when it is imported, so the local one must be in place first.
    bmt.Toolkit = LocalToolkit
    try:
        import kgx.config
        from kgx.cli import cli
        from kgx.cli.cli_utils import validate
        from kgx.utils import kgx_utils
    finally:
        bmt.Toolkit = original
    toolkit = kgx_utils.tk
    assert toolkit.get_model_version() == BIOLINK_VERSION
    kgx_utils._default_toolkit = toolkit
    kgx_utils._toolkit_versions[BIOLINK_VERSION] = toolkit
    kgx.config.get_config()
    prefix_map = json.loads((package / "prefixmaps" / "biolink-model-prefix-map.json").read_text(encoding="utf-8"))
    env = Kgx(toolkit, prefix_map, kgx.config, cli, validate)
    env.use_context({})
    yield env


@pytest.fixture(scope="session")
def kgx_files(dist: Path, built: BuildResult) -> dict[str, Path]:
    stem = f"ntrkkg-{built.version}"
    names = {
        "nodes.tsv": f"{stem}_nodes.tsv",
        "edges.tsv": f"{stem}_edges.tsv",
        "nodes.jsonl": f"{stem}_nodes.jsonl",
        "edges.jsonl": f"{stem}_edges.jsonl",
        "prefixes": f"{stem}_kgx-prefixes.json",
    }
    return {key: dist / name for key, name in names.items()}


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _our_prefixes(kgx_files: dict[str, Path]) -> dict[str, str]:
    prefixes: dict[str, str] = json.loads(kgx_files["prefixes"].read_text(encoding="utf-8"))
    return prefixes


# --- the mapping, against the pinned Biolink Model ---------------------------------------------------


def _name(curie: str) -> str:
    return curie.removeprefix("biolink:")


def test_every_biolink_term_of_the_mapping_is_in_the_pinned_model(offline_kgx: Kgx) -> None:
    tk = offline_kgx.toolkit
    mapping = read_mapping()
    assert mapping.categories and mapping.statement_paths and mapping.edges
    for _, category, id_prefixes in mapping.categories:
        element = tk.get_element(_name(category))
        assert element is not None and tk.is_category(_name(category)), category
        assert not tk.is_mixin(_name(category)) and not element.deprecated, category
        assert re.fullmatch(r"biolink:([A-Z][a-z]+)+", category), category
        # Our order of preference for ids is Biolink's, restricted to the schemes we have.
        preferred = list(element.id_prefixes)
        assert [p for p in preferred if p in id_prefixes] == list(id_prefixes), category
    for _, predicate in [*mapping.statement_paths, *mapping.edges]:
        element = tk.get_element(_name(predicate))
        assert element is not None and tk.is_predicate(_name(predicate)), predicate
        assert not element.deprecated and element.name == _name(predicate).replace("_", " "), predicate
    for column in {*NODE_COLUMNS, *EDGE_COLUMNS}:
        assert tk.get_element(column.replace("_", " ")) is not None, column


def test_the_mapping_file_names_the_model_version_it_was_checked_against() -> None:
    assert f"Biolink Model {BIOLINK_VERSION}" in mapping_path().read_text(encoding="utf-8")


def test_every_scheme_has_a_kgx_prefix_and_biolinks_where_biolink_has_one(offline_kgx: Kgx) -> None:
    prefixes = read_mapping().prefixes
    assert {s.curie_prefix for s in schemes().values()} <= set(prefixes)
    outside = {theirs for theirs in prefixes.values() if theirs not in offline_kgx.biolink_prefixes}
    assert outside == {"oncotree", "icdo", "ntrkkg.ontology"}
    assert prefixes["hgnc"] == "HGNC" and prefixes["uniprot"] == "UniProtKB" and prefixes["rxnorm"] == "RXCUI"


def test_negating_values_are_terms_of_the_ontology(built: BuildResult) -> None:
    for term in read_mapping().negations:
        assert built.asserted.value(term, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) is not None, term


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("colour\tntrkkg:Gene\tbiolink:Gene\t\t", "unknown kind 'colour'"),
        ("category\tntrkkg:Gene\tGene\t\t", "'Gene' is not a biolink: term"),
        ("category\tnope:Gene\tbiolink:Gene\t\t", "'nope:Gene' is not a CURIE"),
        ("edge\tntrkkg:resembles\tbiolink:similar_to\tMONDO\t", "only a category row has id_prefixes"),
        ("category", "expected at least 3 tab-separated columns"),
    ],
)
def test_a_bad_mapping_line_is_reported_with_its_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "mapping.tsv"
    path.write_text("# comment\nkind\tntrkkg\tbiolink\tid_prefixes\tnote\n" + line + "\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        read_mapping(path)
    assert f"{path}:3: " in str(caught.value) and message in str(caught.value)


# --- kgx's own validator -------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["tsv", "jsonl"])
def test_kgx_validate_accepts_the_export(offline_kgx: Kgx, kgx_files: dict[str, Path], form: str) -> None:
    offline_kgx.use_context(_our_prefixes(kgx_files))
    try:
        files = [str(kgx_files[f"nodes.{form}"]), str(kgx_files[f"edges.{form}"])]
        errors = offline_kgx.validate(files, form, None, None, BIOLINK_VERSION)
    finally:
        offline_kgx.use_context({})
    assert errors == {}


def test_without_our_prefixes_the_validator_objects_to_nothing_but_them(
    offline_kgx: Kgx, kgx_files: dict[str, Path]
) -> None:
    files = [str(kgx_files["nodes.tsv"]), str(kgx_files["edges.tsv"])]
    errors = offline_kgx.validate(files, "tsv", None, None, BIOLINK_VERSION)
    assert set(errors) == {"ERROR"}
    messages = [m for kind in errors["ERROR"].values() for m in kind]
    assert messages  # the validator does look at the prefixes: ours are reported
    reported = {re.search(r"CURIE prefix '([^']+)'", m).group(1) for m in messages}  # type: ignore[union-attr]
    assert reported <= set(_our_prefixes(kgx_files)) and "ntrkkg.fusion" in reported


# --- round trips: edges back to statements and references ------------------------------------------------


@pytest.fixture(scope="session")
def export(kgx_files: dict[str, Path]) -> tuple[dict[str, str], list[dict[str, str]], dict[str, str]]:
    """Node id → IRI, the edge rows, and our prefix map, as read back from the files."""
    iri = {row["id"]: row["iri"] for row in _read_tsv(kgx_files["nodes.tsv"])}
    return iri, _read_tsv(kgx_files["edges.tsv"]), _our_prefixes(kgx_files)


def _expand(curie: str, prefixes: dict[str, str]) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(prefixes[prefix] + local)


def _edges(export: Any, subject: str, obj: str) -> list[dict[str, str]]:
    iri, edges, _ = export
    return [e for e in edges if iri[e["subject"]] == BASE + subject and iri[e["object"]] == BASE + obj]


# Each case is read by hand from Table 2 (tests/fixtures/source/table2.txt).
ROUND_TRIPS = [
    (
        "disease/ifs-canonical-etv6-ntrk3",
        "fusion/ETV6-NTRK3",
        "biolink:associated_with",
        "statement/ifs-canonical-etv6-ntrk3/genetics/1",
        [13],
        "ETV6-NTRK3 [13]",
        "False",
    ),
    (
        "disease/lipofibromatosis-like-neural-tumor",
        "fusion/NTRK1",
        "biolink:associated_with",
        "statement/lipofibromatosis-like-neural-tumor/genetics/1",
        [24, 45],
        "The NTRK1 fusion gene is associated [24,45]",
        "False",
    ),
    (
        "disease/ifs-canonical-etv6-ntrk3",
        "drug/larotrectinib",
        "biolink:treated_by",
        "statement/ifs-canonical-etv6-ntrk3/treatment-response/1",
        [16],
        "Larotrectinib has shown a 96% response rate (27/28) for IFS [16]",
        "False",
    ),
    (
        "disease/adult-type-fibrosarcoma",
        "marker/S100",
        "biolink:has_biomarker",
        "statement/adult-type-fibrosarcoma/immunohistochemistry/1",
        [23, 50],
        "CD34 immunostaining was positive in the majority of cases, whereas S100 was negative, and pan-TRK"
        " immunostaining was positive in many cases [23,50]",
        "True",
    ),
    (
        "disease/adult-type-fibrosarcoma",
        "marker/CD34",
        "biolink:has_biomarker",
        "statement/adult-type-fibrosarcoma/immunohistochemistry/1",
        [23, 50],
        "CD34 immunostaining was positive in the majority of cases, whereas S100 was negative, and pan-TRK"
        " immunostaining was positive in many cases [23,50]",
        "False",
    ),
    (
        "disease/mpnst-like-spindle-cell-tumor",
        "statement/mpnst-like-spindle-cell-tumor/histology/2/finding/1",
        "biolink:has_phenotype",
        "statement/mpnst-like-spindle-cell-tumor/histology/2",
        [25],
        "These tumors show low cellularity, a low mitotic count, and lacked necrosis, although some cases"
        " demonstrate a malignant phenotype [25]",
        "True",
    ),
    (
        "disease/ifs-canonical-etv6-ntrk3",
        "statement/ifs-canonical-etv6-ntrk3/histology/1/finding/1",
        "biolink:has_phenotype",
        "statement/ifs-canonical-etv6-ntrk3/histology/1",
        [33],
        "Interlacing fascicles of spindle cells with focal necrosis, mitoses, and a focal hemangiopericytomatous"
        " vascular pattern [33].",
        "False",
    ),
]


@pytest.mark.parametrize(("subject", "obj", "predicate", "statement", "refs", "text", "negated"), ROUND_TRIPS)
def test_an_edge_carries_its_statement_references_and_text(
    export: Any,
    built: BuildResult,
    subject: str,
    obj: str,
    predicate: str,
    statement: str,
    refs: list[int],
    text: str,
    negated: str,
) -> None:
    (edge,) = _edges(export, subject, obj)
    prefixes = export[2]
    assert (edge["predicate"], edge["supporting_text"], edge["negated"]) == (predicate, text, negated)
    assert (edge["knowledge_level"], edge["agent_type"]) == ("knowledge_assertion", "manual_agent")
    # Back to the RDF: the statement the edge names says this text and cites these references.
    stmt = _expand(edge["xref"], prefixes)
    assert stmt == URIRef(BASE + statement)
    assert built.asserted.value(stmt, NTRKKG.verbatimText) == Literal(text)
    cited = [_expand(p, prefixes) for p in edge["publications"].split("|")]
    assert cited == [URIRef(f"{BASE}reference/{n}") for n in refs]
    assert set(built.asserted.objects(stmt, NTRKKG.citesReference)) == set(cited)
    assert [built.asserted.value(r, NTRKKG.referenceNumber).toPython() for r in cited] == refs  # type: ignore[union-attr]


def test_curated_links_keep_their_original_property(export: Any) -> None:
    # ETV6 and NTRK3 as data/mappings/genes.ttl identifies them (NCBI Gene 2120 and 4916).
    edges = [*_edges(export, "fusion/ETV6-NTRK3", "gene/ETV6"), *_edges(export, "fusion/ETV6-NTRK3", "gene/NTRK3")]
    partners = {(e["object"], e["original_predicate"]): e for e in edges}
    assert set(partners) == {
        ("NCBIGene:2120", "ntrkkg.ontology:fivePrimePartner"),
        ("NCBIGene:4916", "ntrkkg.ontology:threePrimePartner"),
    }
    assert all(e["predicate"] == "biolink:is_sequence_variant_of" and not e["xref"] for e in partners.values())


def test_nodes_take_preferred_external_ids_and_keep_the_rest_as_xrefs(kgx_files: dict[str, Path]) -> None:
    nodes = {row["iri"]: row for row in _read_tsv(kgx_files["nodes.tsv"])}
    ntrk3 = nodes[BASE + "gene/NTRK3"]
    assert (ntrk3["id"], ntrk3["category"], ntrk3["name"]) == ("NCBIGene:4916", "biolink:Gene", "NTRK3")
    assert {"HGNC:8033", "ntrkkg.gene:NTRK3"} <= set(ntrk3["xref"].split("|"))
    fusion = nodes[BASE + "fusion/ETV6-NTRK3"]
    assert (fusion["id"], fusion["category"], fusion["synonym"]) == (
        "ntrkkg.fusion:ETV6-NTRK3",
        "biolink:SequenceVariant",
        "ETV6::NTRK3",
    )
    reference = nodes[BASE + "reference/13"]
    assert (reference["id"], reference["category"]) == ("ntrkkg.reference:13", "biolink:Publication")
    finding = nodes[BASE + "statement/ifs-canonical-etv6-ntrk3/radiology/1/finding/2"]
    assert (finding["category"], finding["name"], finding["description"]) == (
        "biolink:ClinicalFinding",
        "CT/MRI: necrosis",
        "necrosis",
    )
    categories = {row["category"] for row in nodes.values()}
    assert categories == {
        "biolink:Disease",
        "biolink:Gene",
        "biolink:GeneFamily",
        "biolink:SequenceVariant",
        "biolink:Protein",
        "biolink:Drug",
        "biolink:ClinicalFinding",
        "biolink:Publication",
    }
    assert len({row["id"] for row in nodes.values()}) == len(nodes)


def test_tsv_and_json_lines_hold_the_same_rows(kgx_files: dict[str, Path]) -> None:
    for kind in ("nodes", "edges"):
        tsv = _read_tsv(kgx_files[f"{kind}.tsv"])
        lines = [json.loads(line) for line in kgx_files[f"{kind}.jsonl"].read_text(encoding="utf-8").splitlines()]
        assert [row["id"] for row in tsv] == [row["id"] for row in lines]
        for row, line in zip(tsv, lines, strict=True):
            for column, value in line.items():
                cell = "|".join(value) if isinstance(value, list) else str(value)
                assert row[column] == cell


def test_the_export_is_the_same_every_time(built: BuildResult) -> None:
    assert kgx_rows(built) == kgx_rows(built)


def test_the_checksums_and_the_void_list_the_kgx_files(dist: Path, kgx_files: dict[str, Path]) -> None:
    sums = (dist / "SHA256SUMS").read_text(encoding="utf-8")
    void = (dist / "void.ttl").read_text(encoding="utf-8")
    for path in kgx_files.values():
        assert f"  {path.name}\n" in sums and path.name in void


# --- the guide's commands ----------------------------------------------------------------------------------


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


OTHER_NODES = (
    "id\tcategory\tname\n"
    "NCBIGene:4916\tbiolink:Gene\tNTRK3\n"
    "MONDO:0004557\tbiolink:Disease\tinfantile fibrosarcoma\n"
    "ex:variant\tbiolink:SequenceVariant\ta variant of another graph\n"
)
OTHER_EDGES = (
    "id\tsubject\tpredicate\tobject\tknowledge_level\tagent_type\n"
    "ex:e1\tex:variant\tbiolink:is_sequence_variant_of\tNCBIGene:4916\tknowledge_assertion\tmanual_agent\n"
)


def test_the_guides_kgx_commands_run_against_the_files(
    offline_kgx: Kgx,
    dist: Path,
    built: BuildResult,
    kgx_files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    version = built.version
    commands = [
        shlex.split(line.replace("ntrkkg-0.2.0_", f"ntrkkg-{version}_"))
        for block in _blocks("sh")
        for line in block.splitlines()
        if line.startswith("kgx ")
    ]
    assert [c[1] for c in commands] == ["validate", "transform", "merge"]
    (merge_config,) = _blocks("yaml")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dist").symlink_to(dist)
    (tmp_path / "merge.yaml").write_text(merge_config.replace("ntrkkg-0.2.0_", f"ntrkkg-{version}_"), "utf-8")
    (tmp_path / "other_nodes.tsv").write_text(OTHER_NODES, encoding="utf-8")
    (tmp_path / "other_edges.tsv").write_text(OTHER_EDGES, encoding="utf-8")
    offline_kgx.use_context({**_our_prefixes(kgx_files), "ex": "https://example.org/"})
    try:
        for command in commands:
            outcome = CliRunner().invoke(offline_kgx.cli, command[1:], catch_exceptions=False)
            assert outcome.exit_code == 0, f"{shlex.join(command)}:\n{outcome.output}"
    finally:
        offline_kgx.use_context({})

    ours = _read_tsv(kgx_files["nodes.tsv"])
    roundtrip = [
        json.loads(line) for line in (tmp_path / "ntrkkg-roundtrip_nodes.jsonl").read_text("utf-8").splitlines()
    ]
    assert sorted(n["id"] for n in roundtrip) == sorted(n["id"] for n in ours)

    config = yaml.safe_load(merge_config)
    out = tmp_path / config["configuration"]["output_directory"]
    merged_nodes = _read_tsv(out / "merged-graph_nodes.tsv")
    merged_edges = _read_tsv(out / "merged-graph_edges.tsv")
    ids = [n["id"] for n in merged_nodes]
    # NTRK3 and infantile fibrosarcoma are one node each; only the other graph's variant is new.
    assert len(ids) == len(set(ids)) == len(ours) + 1
    into_ntrk3 = {e["subject"] for e in merged_edges if e["object"] == "NCBIGene:4916"}
    assert {"ex:variant", "ntrkkg.fusion:ETV6-NTRK3", "ntrkkg.fusion:NTRK3"} <= into_ntrk3
