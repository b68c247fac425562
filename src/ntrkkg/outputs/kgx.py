"""The graph as KGX nodes and edges (Biolink Model), in TSV and JSON Lines, for graph tooling and Neo4j.

Which ntrkkg class becomes which Biolink category, and which property which Biolink predicate, is read
from ``data/kgx/biolink-mapping.tsv``. Every edge that a statement supports carries the statement
(``xref``), the review's numbered references it cites (``publications``) and its verbatim text
(``supporting_text``), so the provenance of the RDF survives the export.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Literal, URIRef
from rdflib.term import Node

from ntrkkg.build.pipeline import BuildError, BuildResult
from ntrkkg.namespaces import NTRKKG
from ntrkkg.prefixes import VOCABULARIES, converter
from ntrkkg.resources import resource_dir

MAPPING_FILE = Path("kgx") / "biolink-mapping.tsv"

NODE_COLUMNS = ("id", "category", "name", "description", "synonym", "xref", "iri")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "knowledge_level",
    "agent_type",
    "original_predicate",
    "negated",
    "publications",
    "supporting_text",
    "xref",
)
#: KGX's list delimiter in TSV cells.
LIST_DELIMITER = "|"
# Every edge is asserted by the review or by the curators, who read it by hand.
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "manual_agent"

Row = dict[str, str | bool | list[str]]


@dataclass
class BiolinkMapping:
    """The mapping table: categories, statement paths, plain edges, negating values and CURIE prefixes."""

    categories: list[tuple[URIRef, str, tuple[str, ...]]] = field(default_factory=list)
    statement_paths: list[tuple[tuple[URIRef, ...], str]] = field(default_factory=list)
    edges: list[tuple[URIRef, str]] = field(default_factory=list)
    negations: set[URIRef] = field(default_factory=set)
    prefixes: dict[str, str] = field(default_factory=dict)


def mapping_path() -> Path:
    """Where the Biolink mapping table is (under ``data/``)."""
    return resource_dir("data") / MAPPING_FILE


def _term(curie: str, where: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    if prefix not in VOCABULARIES or not local:
        raise BuildError(f"{where}: {curie!r} is not a CURIE of {', '.join(sorted(VOCABULARIES))}")
    return URIRef(VOCABULARIES[prefix] + local)


def read_mapping(path: Path | None = None) -> BiolinkMapping:
    """Parse the mapping table; a malformed line stops the build with its file and line number."""
    path = path or mapping_path()
    found = BiolinkMapping()
    header_seen = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        cells = line.split("\t")
        if not header_seen:
            if cells[:4] != ["kind", "ntrkkg", "biolink", "id_prefixes"]:
                raise BuildError(f"{where}: expected the header 'kind<TAB>ntrkkg<TAB>biolink<TAB>id_prefixes<TAB>note'")
            header_seen = True
            continue
        if len(cells) < 3:
            raise BuildError(f"{where}: expected at least 3 tab-separated columns, found {len(cells)}")
        kind, ours, theirs = cells[0], cells[1].strip(), cells[2].strip()
        id_prefixes = tuple(cells[3].split()) if len(cells) > 3 else ()
        if id_prefixes and kind != "category":
            raise BuildError(f"{where}: only a category row has id_prefixes")
        if kind in ("category", "statement", "edge") and not theirs.startswith("biolink:"):
            raise BuildError(f"{where}: {theirs!r} is not a biolink: term")
        if kind == "category":
            found.categories.append((_term(ours, where), theirs, id_prefixes))
        elif kind == "statement":
            steps = tuple(_term(step, where) for step in ours.split("/"))
            found.statement_paths.append((steps, theirs))
        elif kind == "edge":
            found.edges.append((_term(ours, where), theirs))
        elif kind == "negation":
            found.negations.add(_term(ours, where))
        elif kind == "prefix":
            if not theirs:
                raise BuildError(f"{where}: prefix {ours!r} has no KGX prefix")
            found.prefixes[ours] = theirs
        else:
            raise BuildError(f"{where}: unknown kind {kind!r} (category, statement, edge, negation or prefix)")
    if not header_seen:
        raise BuildError(f"{path}: no header line")
    return found


class _Exporter:
    """The nodes and edges of one build."""

    def __init__(self, result: BuildResult, mapping: BiolinkMapping) -> None:
        self.base = result.base
        self.asserted = result.asserted
        self.mapping = mapping
        self.conv = converter(result.base)
        self.own_prefixes: dict[str, str] = {}
        both = (result.asserted, result.inferred)
        self.types: dict[Node, set[Node]] = {}
        self.supers: dict[Node, set[Node]] = {}
        for graph in both:
            for s, _, o in graph.triples((None, RDF.type, None)):
                self.types.setdefault(s, set()).add(o)
            for s, _, o in graph.triples((None, RDFS.subClassOf, None)):
                self.supers.setdefault(s, set()).add(o)
        self.categories = {node: cat for node in self._candidates() if (cat := self._category(node)) is not None}
        self.exact = {
            node: sorted({self.curie(o) for o in self.asserted.objects(node, SKOS.exactMatch)})
            for node in self.categories
        }
        self.ids = self._ids()

    def _candidates(self) -> Iterator[URIRef]:
        ontology = str(NTRKKG)
        for s in set(self.asserted.subjects()):
            if isinstance(s, URIRef) and str(s).startswith(self.base) and not str(s).startswith(ontology):
                yield s

    def _ancestors(self, start: Iterable[Node]) -> set[Node]:
        seen: set[Node] = set()
        todo = list(start)
        while todo:
            cls = todo.pop()
            if cls not in seen:
                seen.add(cls)
                todo.extend(self.supers.get(cls, ()))
        return seen

    def _category(self, node: URIRef) -> tuple[str, tuple[str, ...]] | None:
        # A disease is a class (punned), so its own superclasses count as well as its types.
        classes = self._ancestors(self.types.get(node, set()) | {node})
        for cls, category, id_prefixes in self.mapping.categories:
            if cls in classes:
                return category, id_prefixes
        return None

    def _ids(self) -> dict[Node, str]:
        """Each node's KGX id: its one exact match under the first preferred prefix, else our CURIE.

        An external id lets KGX tools merge our nodes with another graph's; one that two of our nodes
        would share is not used, so no two nodes collapse into one.
        """
        chosen: dict[Node, str] = {}
        for node, (_, id_prefixes) in self.categories.items():
            for prefix in id_prefixes:
                hits = [x for x in self.exact[node] if x.startswith(prefix + ":")]
                if hits:
                    if len(hits) == 1:
                        chosen[node] = hits[0]
                    break
        taken: dict[str, int] = {}
        for external in chosen.values():
            taken[external] = taken.get(external, 0) + 1
        return {
            node: chosen[node] if node in chosen and taken[chosen[node]] == 1 else self.curie(node)
            for node in self.categories
        }

    def curie(self, iri: Node) -> str:
        """``iri`` as a CURIE with the prefix KGX files use.

        KGX's validator takes a CURIE's local part to have no ``/``, so each folder of our IRIs is a prefix of
        its own: ``<base>gene/NTRK1`` is ``ntrkkg.gene:NTRK1``, ``<base>statement/x/genetics/1`` is
        ``ntrkkg.statement.x.genetics:1``. The prefixes used are written beside the files.
        """
        text = str(iri)
        if text.startswith(self.base) and not text.startswith(str(NTRKKG)):
            folders, _, local = text[len(self.base) :].rpartition("/")
            prefix = ".".join(["ntrkkg", *folders.split("/")]) if folders else "ntrkkg"
            if not local or any(c in local for c in ":#?") or "." in folders:
                raise BuildError(f"KGX export: {iri} has no CURIE (a folder with '.', or a last segment with ':#?')")
            self.own_prefixes[prefix] = text[: len(text) - len(local)]
            return f"{prefix}:{local}"
        compressed = self.conv.compress(str(iri))
        if compressed is None:
            raise BuildError(f"{iri} is under no prefix of src/ntrkkg/prefixes.json")
        prefix, _, local = compressed.partition(":")
        if prefix == "ntrkkg.ontology":
            self.own_prefixes[prefix] = str(NTRKKG)
        if prefix not in self.mapping.prefixes:
            raise BuildError(f"{mapping_path()}: no 'prefix' row for {prefix!r} (needed for {iri})")
        return f"{self.mapping.prefixes[prefix]}:{local}"

    def _text(self, node: Node, predicate: URIRef) -> str:
        values = [o for o in self.asserted.objects(node, predicate) if isinstance(o, Literal)]
        english = [o for o in values if o.language in (None, "en")]
        return str(sorted(english or values)[0]) if values else ""

    def _label(self, node: Node) -> str:
        label = self._text(node, RDFS.label)
        if label or not self._is_finding(node):
            return label
        # Findings have no label of their own: name them by where (imaging) and what was seen; whether it was
        # seen is the edge's ``negated``, and the source's wording is the node's description.
        where = [self._text(m, SKOS.altLabel) or self._text(m, RDFS.label) for m in self._objects(node, "modality")]
        where += [self._text(s, RDFS.label) for s in self._objects(node, "sequence")]
        seen = [self._text(f, RDFS.label) for f in self._objects(node, "feature")]
        seen = seen or [self._text(v, RDFS.label) for v in self._objects(node, "signalIntensity")]
        what = ", ".join(s for s in seen if s) or self._wording(node)
        return f"{'/'.join(w for w in where if w)}: {what}" if any(where) else what

    def _is_finding(self, node: Node) -> bool:
        return any((node, RDF.type, NTRKKG[k]) in self.asserted for k in ("ImagingFinding", "HistologicalFinding"))

    def _wording(self, node: Node) -> str:
        return "; ".join(w for p in ("findingWording", "enhancementWording") if (w := self._text(node, NTRKKG[p])))

    def _description(self, node: Node) -> str:
        definition = self._text(node, SKOS.definition)
        return definition or (self._wording(node) if self._is_finding(node) else "")

    def _objects(self, node: Node, local: str) -> list[Node]:
        return sorted(self.asserted.objects(node, NTRKKG[local]), key=str)

    def nodes(self) -> list[Row]:
        """One row per exported node."""
        rows: list[Row] = []
        for node, (category, _) in self.categories.items():
            # The xrefs are the exact matches and, where the id is external, our own CURIE.
            xrefs = sorted(({*self.exact[node], self.curie(node)}) - {self.ids[node]})
            synonyms = sorted({str(o) for o in self.asserted.objects(node, SKOS.altLabel)})
            rows.append(
                {
                    "id": self.ids[node],
                    "category": [category],
                    "name": self._label(node),
                    "description": self._description(node),
                    "synonym": synonyms,
                    "xref": xrefs,
                    "iri": str(node),
                }
            )
        return sorted(rows, key=lambda row: str(row["id"]))

    def _walk(self, start: Node, steps: tuple[URIRef, ...]) -> Iterator[tuple[Node, list[Node]]]:
        """Each node reached from ``start`` along ``steps``, with the nodes passed on the way."""
        frontier: list[tuple[Node, list[Node]]] = [(start, [])]
        for step in steps:
            frontier = [(o, [*path, o]) for node, path in frontier for o in self.asserted.objects(node, step)]
        yield from frontier

    def _negated(self, path: list[Node]) -> bool:
        return any(o in self.mapping.negations for node in path for o in self.asserted.objects(node, None))

    def _edge(self, subject: Node, predicate: str, obj: Node, original: URIRef, key: str) -> Row:
        s, o = self.ids[subject], self.ids[obj]
        return {
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{s} {predicate} {o} {key}')}",
            "subject": s,
            "predicate": predicate,
            "object": o,
            "knowledge_level": KNOWLEDGE_LEVEL,
            "agent_type": AGENT_TYPE,
            "original_predicate": self.curie(original),
            "negated": False,
        }

    def _references(self, statement: Node) -> list[str]:
        refs = list(self.asserted.objects(statement, NTRKKG.citesReference))

        def number(ref: Node) -> int:
            value = self.asserted.value(ref, NTRKKG.referenceNumber)
            return int(value) if isinstance(value, Literal) else 0

        return [self.curie(ref) for ref in sorted(refs, key=lambda r: (number(r), str(r)))]

    def edges(self) -> list[Row]:
        """One row per exported edge: the statements' edges with their provenance, then the curated links."""
        rows = []
        for statement, text in self.asserted.subject_objects(NTRKKG.verbatimText):
            tumour = self.asserted.value(statement, NTRKKG.tumourType)
            if tumour is None or tumour not in self.categories:
                continue
            for steps, predicate in self.mapping.statement_paths:
                for obj, path in self._walk(statement, steps):
                    if obj not in self.categories:
                        continue
                    row = self._edge(tumour, predicate, obj, steps[0], self.curie(statement))
                    row["negated"] = self._negated(path)
                    row["publications"] = self._references(statement)
                    row["supporting_text"] = [str(text)]
                    row["xref"] = [self.curie(statement)]
                    rows.append(row)
        seen: set[tuple[Node, str, Node]] = set()
        for prop, predicate in self.mapping.edges:
            for s, o in sorted(self.asserted.subject_objects(prop)):
                if s in self.categories and o in self.categories and (s, predicate, o) not in seen:
                    seen.add((s, predicate, o))
                    rows.append(self._edge(s, predicate, o, prop, ""))
        return sorted(rows, key=lambda r: (str(r["subject"]), str(r["predicate"]), str(r["object"]), str(r["id"])))


def _cell(column: str, value: str | bool | list[str]) -> str:
    values = value if isinstance(value, list) else [str(value)]
    for v in values:
        # KGX has no escaping: a delimiter inside a value would split it.
        if any(c in v for c in "\t\n\r") or (isinstance(value, list) and LIST_DELIMITER in v):
            raise BuildError(f"KGX export: the {column} value {v!r} holds a tab, a line break or {LIST_DELIMITER!r}")
    return LIST_DELIMITER.join(values)


def _tsv(rows: list[Row], columns: tuple[str, ...]) -> str:
    lines = ["\t".join(columns)]
    lines += ["\t".join(_cell(c, row.get(c, "")) for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def _jsonl(rows: list[Row], columns: tuple[str, ...]) -> str:
    # Empty values are left out, as KGX's own JSON Lines writer does.
    return "".join(
        json.dumps({c: row[c] for c in columns if c in row and row[c] not in ("", [])}, ensure_ascii=False) + "\n"
        for row in rows
    )


def kgx_rows(result: BuildResult, mapping: BiolinkMapping | None = None) -> tuple[list[Row], list[Row], dict[str, str]]:
    """The nodes and edges of a build as KGX rows (lists for multivalued properties), and our own prefixes."""
    exporter = _Exporter(result, mapping or read_mapping())
    nodes, edges = exporter.nodes(), exporter.edges()
    return nodes, edges, dict(sorted(exporter.own_prefixes.items()))


def write_kgx(out: Path, result: BuildResult) -> list[tuple[Path, str, str]]:
    """Write the KGX nodes and edges as TSV and JSON Lines; returns (path, media type, description) of each."""
    nodes, edges, prefixes = kgx_rows(result)
    stem = f"ntrkkg-{result.version}"
    files = []
    prefix_map = out / f"{stem}_kgx-prefixes.json"
    prefix_map.write_text(json.dumps(prefixes, indent=2) + "\n", encoding="utf-8")
    files.append((prefix_map, "application/json", "prefix map of the ntrkkg CURIEs in the KGX files"))
    for kind, rows, columns in (("nodes", nodes, NODE_COLUMNS), ("edges", edges, EDGE_COLUMNS)):
        tsv = out / f"{stem}_{kind}.tsv"
        tsv.write_text(_tsv(rows, columns), encoding="utf-8")
        files.append((tsv, "text/tab-separated-values", f"KGX {kind} (Biolink Model 4.4.6), TSV"))
        jsonl = out / f"{stem}_{kind}.jsonl"
        jsonl.write_text(_jsonl(rows, columns), encoding="utf-8")
        files.append((jsonl, "application/x-ndjson", f"KGX {kind} (Biolink Model 4.4.6), JSON Lines"))
    return files
