"""The RDF dumps of a build, their checksums and their VoID/DCAT description."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ntrkkg.build.pipeline import BuildResult
from ntrkkg.formats import BY_KEY, Format, graph_bytes
from ntrkkg.namespaces import graph_iri
from ntrkkg.outputs import diagrams
from ntrkkg.outputs.kgx import write_kgx
from ntrkkg.outputs.ontology_docs import ontology_page
from ntrkkg.outputs.search_index import write_search_index
from ntrkkg.outputs.sssom import write_sssom
from ntrkkg.outputs.void import describe


@dataclass(frozen=True)
class Dump:
    """One dump file: its format and what it holds."""

    format: Format
    description: str


ASSERTED_DUMPS = tuple(
    Dump(BY_KEY[key], f"asserted graph, {text}")
    for key, text in (
        ("turtle", "Turtle"),
        ("ntriples", "N-Triples (sorted)"),
        ("jsonld", "JSON-LD"),
        ("rdfxml", "RDF/XML"),
    )
)
QUADS_DUMP = Dump(
    BY_KEY["nquads"],
    "asserted and inferred named graphs, N-Quads (sorted); the inferred graph holds the OWL-RL closure",
)


def dump_name(version: str, dump: Dump) -> str:
    """The file name of a dump of dataset ``version``."""
    return f"ntrkkg-{version}.{dump.format.suffix}"


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + "\n"


def _nquads(named: dict[str, str]) -> str:
    """Sorted N-Quads from N-Triples texts, each put in its named graph."""
    lines = [
        f"{line.rstrip().removesuffix('.').rstrip()} <{name}> ."
        for name, text in named.items()
        for line in text.splitlines()
        if line.strip()
    ]
    return _sorted_lines("\n".join(lines))


def _gzip(path: Path) -> Path:
    target = path.with_name(path.name + ".gz")
    # mtime=0 and no file name keep two builds byte-identical.
    with target.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(path.read_bytes())
    return target


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_ntriples(graph: Graph) -> str:
    """``graph`` as sorted N-Triples with blank nodes labelled by RDFC-1.0 (W3C canonicalization).

    Two builds of the same graph give the same bytes, whatever labels the parser chose.
    """
    dataset = ox.Dataset(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return _sorted_lines((ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8"))


def write_dumps(out: Path, result: BuildResult) -> None:
    """Write every dump, its .gz, the VoID description and SHA256SUMS into ``out``."""
    asserted = result.asserted
    asserted_nt = canonical_ntriples(asserted)
    written: list[tuple[Path, Dump]] = []
    for dump in ASSERTED_DUMPS:
        path = out / dump_name(result.version, dump)
        if dump.format.key == "ntriples":
            path.write_text(asserted_nt, encoding="utf-8")
        else:
            asserted.serialize(path, format=dump.format.rdflib, encoding="utf-8")
        written.append((path, dump))
    quads = out / dump_name(result.version, QUADS_DUMP)
    named = {
        str(graph_iri("asserted", result.base)): asserted_nt,
        str(graph_iri("inferred", result.base)): result.inferred.serialize(format="nt"),
    }
    quads.write_text(_nquads(named), encoding="utf-8")
    written.append((quads, QUADS_DUMP))

    files = []
    for path, dump in written:
        files.append((path, dump.format.media_type, dump.description))
        files.append((_gzip(path), "application/gzip", dump.description + ", gzip-compressed"))

    sssom = out / f"ntrkkg-{result.version}.sssom.tsv"
    write_sssom(sssom, result.asserted, result.base, result.version)
    files.append((sssom, "text/tab-separated-values", "mapping set to external ontologies, SSSOM TSV"))

    model = out / "model.svg"  # no Graphviz: the build stops and says so, rather than leave the pictures out
    model.write_text(diagrams.ontology_svg(result.asserted, result.base), encoding="utf-8")
    files.append((model, "image/svg+xml", "diagram of the model: kinds of node and the properties linking them"))

    page = ontology_page()
    if page is not None:
        (out / "ontology.html").write_text(page, encoding="utf-8")
        files.append((out / "ontology.html", "text/html", "documentation of the ontology (pyLODE)"))

    files.append(write_search_index(out, result))
    files.extend(write_kgx(out, result))

    void = out / "void.ttl"
    void.write_bytes(graph_bytes(describe(result, asserted, files), BY_KEY["turtle"]))
    files.append((void, "text/turtle", "VoID and DCAT description of the dataset"))

    sums = "".join(f"{sha256(path)}  {path.name}\n" for path, _, _ in sorted(files))
    (out / "SHA256SUMS").write_text(sums, encoding="utf-8")
