"""Synthetic ntrkkg graphs of any size, for the scale benchmarks.

    python benchmarks/synth.py --seed 1 --triples 100000 --out /tmp/ntrkkg-100k.nt.gz

The output is N-Triples (gzipped if ``--out`` ends in ``.gz``): the real curated graph
(every file of data/, mappings included) followed by synthetic tumour types built on its
patterns, until the file holds about ``--triples`` triples. Each synthetic tumour type is a
disease class with a table row number (rows 9, 10, ... of Table 2), under a new group or
directly under ntrkkg:TumourType, with all seven table cells and their cited statements:
marker findings, gene fusions (5′/3′ partners or partner unspecified), imaging findings,
prognosis case counts, differential diagnoses, treatment responses with counts that agree
with their percentages, and curation notes. New genes, markers, fusions, references
(numbered from 1001), differential diseases and notes are minted as the rows need them.
Every IRI follows the project's scheme (shapes/ntrkkg-shapes.ttl, shape:IriSchemeShape);
synthetic names carry "syn"/"SYNTH"/"(synthetic)" so they cannot be taken for curated ones.

The same seed and size give the same bytes. The ontology is not part of the output; load
it beside (ontology/ntrkkg.ttl). Sizes below the real graph's (~3,750 triples) are refused.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from ntrkkg.namespaces import AUTHORED_BASE, NTRKKG, REVIEW
from ntrkkg.resources import resource_dir, turtle_files

BASE = AUTHORED_BASE
XSD = "http://www.w3.org/2001/XMLSchema#"
A = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
OWL_CLASS = "<http://www.w3.org/2002/07/owl#Class>"
ALT_LABEL = "<http://www.w3.org/2004/02/skos/core#altLabel>"
REVIEW_IRI = f"<{REVIEW}>"
TABLE = f"<{BASE}table/2>"
FIRST_SYNTHETIC_REFERENCE = 1001


def node(path: str) -> str:
    """An IRI of the dataset, in N-Triples form."""
    return f"<{BASE}{path}>"


def term(name: str) -> str:
    """A term of the ntrkkg ontology, in N-Triples form."""
    return f"<{NTRKKG}{name}>"


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


@dataclass(frozen=True)
class Facet:
    slug: str
    individual: str
    statement_class: str
    heading: str


def read_facets() -> tuple[Facet, ...]:
    """The seven facets, in table order, as the ontology defines them (heading, statement class)."""
    ontology = Graph()
    for path in turtle_files(resource_dir("ontology")):
        ontology.parse(path, format="turtle")
    rows = ontology.query("""
        PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?facet ?label ?heading ?class WHERE {
          ?facet a ntrkkg:Facet ; rdfs:label ?label ; ntrkkg:tableHeading ?heading ; ntrkkg:facetOrder ?order .
          ?class owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first/owl:hasValue ?facet .
        } ORDER BY ?order""")
    local = len(str(NTRKKG))
    return tuple(Facet(slug(str(r.label)), str(r.facet)[local:], str(r["class"])[local:], str(r.heading)) for r in rows)  # type: ignore[union-attr]


FACETS = read_facets()

# Wording pools, in the register of the source table.
ADJECTIVES = (
    "spindle cell",
    "myxoid",
    "epithelioid",
    "round cell",
    "pleomorphic",
    "sclerosing",
    "fibroblastic",
    "lipomatous",
    "perivascular",
    "neural",
    "myofibroblastic",
    "infantile",
)
NOUNS = ("tumor", "sarcoma", "neoplasm", "lesion")
SITES = (
    "soft tissue",
    "uterine",
    "retroperitoneal",
    "cutaneous",
    "intraosseous",
    "visceral",
    "superficial",
    "deep-seated",
)
PATTERNS = (
    "long fascicles",
    "a patternless architecture",
    "a storiform pattern",
    "haphazard sheets",
    "a herringbone pattern",
    "small nests",
    "a hemangiopericytic vasculature",
)
STROMA = (
    "keloid-like collagen",
    "myxoid stroma",
    "a lymphocytic infiltrate",
    "perivascular hyalinisation",
    "infiltrative fat",
    "stromal hemorrhage",
)
# (frequency wording, how a sentence opens with it)
FREQUENCIES = (
    ("most cases", "In most cases"),
    ("the majority of cases", "In the majority of cases"),
    ("some cases", "In some cases"),
    ("often", "Often"),
    ("several cases", "In several cases"),
    ("rarely", "Rarely"),
    ("a subset of cases", "In a subset of cases"),
    ("frequently", "Frequently"),
)
STAINING = (
    ("Positive", "positive"),
    ("Negative", "negative"),
    ("VariablePositivity", "variably positive"),
    ("CoExpressed", "co-expressed"),
    ("HeterogeneousStaining", "heterogeneously positive"),
)
SIGNALS = (
    ("HighSignal", "high"),
    ("SlightlyHighSignal", "slightly high"),
    ("IntermediateSignal", "intermediate"),
    ("IsoSignal", "iso"),
    ("LowSignal", "low"),
)
ENHANCEMENTS = (
    "heterogeneous enhancement",
    "strong enhancement",
    "variable enhancement",
    "rim enhancement",
    "mild enhancement",
)
FINDINGS = (
    "a well-circumscribed mass",
    "lobulated margins",
    "intratumoral hemorrhage",
    "flow voids",
    "fat-containing components",
)
CATEGORIES = (
    ("FavourablePrognosis", "show a favorable prognosis"),
    ("LocallyAggressive", "are locally aggressive, with metastasis rare"),
    ("BenignOrLocallyAggressive", "are predominantly benign or locally aggressive"),
    ("VariablePrognosis", "have a prognosis that varies widely"),
    ("GradeDependentPrognosis", "have a prognosis that depends on cellularity and mitotic activity"),
)
OUTCOME_WORDINGS = (
    "local recurrence",
    "lung metastases",
    "distant metastasis",
    "long-term disease-free survival",
    "death from disease",
)
SETTINGS = ("preoperative", "adjuvant", "first-line", "after relapse")
DRUG_TYPOS = {"larotrectinib": ("lartrectinib", "larotrectnib"), "entrectinib": ("entrectnib", "entrecitinib")}
KINASES = ("NTRK1", "NTRK2", "NTRK3", "NTRK3", "NTRK3", "NTRK1", "BRAF", "RAF1", "MET", "ALK", "ROS1", "RET")
NUMBER_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


# --- Output -----------------------------------------------------------------------------------


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class TripleWriter:
    """Writes N-Triples lines to a stream and counts them."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count = 0

    def raw(self, line: str) -> None:
        self.stream.write(line)
        self.count += 1

    def iri(self, s: str, p: str, o: str) -> None:
        self.raw(f"{s} {p} {o} .\n")

    def text(self, s: str, p: str, value: str) -> None:
        self.raw(f'{s} {p} "{escape(value)}" .\n')

    def label(self, s: str, value: str, p: str = LABEL) -> None:
        self.raw(f'{s} {p} "{escape(value)}"@en .\n')

    def typed(self, s: str, p: str, lexical: str, datatype: str) -> None:
        self.raw(f'{s} {p} "{lexical}"^^<{XSD}{datatype}> .\n')


@contextmanager
def open_output(path: Path) -> Iterator[TextIO]:
    """A text stream to ``path``; gzip with a fixed header (no name, no time) for ``.gz``."""
    with path.open("wb") as raw:
        if path.suffix == ".gz":
            with (
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
                io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as text,
            ):
                yield text
        else:
            with io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as text:
                yield text


# --- The real graph ---------------------------------------------------------------------------


@dataclass
class RealGraph:
    """The curated data, as sorted N-Triples lines, and the pools the generator reuses."""

    lines: list[str]
    genes: dict[str, str]  # symbol -> IRI
    markers: dict[str, str]  # label -> IRI
    fusions: dict[str, str]  # IRI -> label
    references: list[int]
    diseases: list[tuple[str, str]]  # (IRI, label) of non-row diseases
    rows: list[tuple[str, str]]  # (IRI, label) of rows
    groups: list[str]
    last_row: int


def _canonical_bnodes(graph: Graph) -> Graph:
    """Relabel blank nodes by a hash of their outgoing triples, so the output is stable."""
    labels: dict[BNode, str] = {}
    for b in sorted({t for t in graph.subjects() if isinstance(t, BNode)}, key=str):
        content = sorted(f"{p.n3()} {o.n3()}" for p, o in graph.predicate_objects(b) if not isinstance(o, BNode))
        digest = hashlib.sha1("\n".join(content).encode()).hexdigest()[:16]
        label = f"b{digest}"
        while label in labels.values():
            label += "x"
        labels[b] = label
    out = Graph()
    for s, p, o in graph:
        out.add(
            (
                BNode(labels[s]) if isinstance(s, BNode) and s in labels else s,
                p,
                BNode(labels[o]) if isinstance(o, BNode) and o in labels else o,
            )
        )
    return out


def load_real_graph() -> RealGraph:
    graph = Graph()
    for path in turtle_files(resource_dir("data")):
        graph.parse(path, format="turtle")
    canonical = _canonical_bnodes(graph)
    text = canonical.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(line + "\n" for line in text.splitlines() if line.strip())

    def labelled(cls: URIRef) -> dict[str, str]:
        subjects = sorted(str(s) for s in graph.subjects(RDF.type, cls))
        return {str(graph.value(URIRef(s), RDFS.label)): f"<{s}>" for s in subjects}

    row_numbers = {str(s): int(str(n)) for s, n in graph.subject_objects(NTRKKG.tableRowNumber)}
    rows = sorted(row_numbers, key=row_numbers.__getitem__)
    groups = sorted(str(g) for g in graph.subjects(RDFS.subClassOf, NTRKKG.TumourType) if str(g) not in row_numbers)
    diseases = sorted(
        str(s)
        for s in graph.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
        if str(s).startswith(BASE + "disease/") and str(s) not in row_numbers and str(s) not in groups
    )
    return RealGraph(
        lines=lines,
        genes=labelled(NTRKKG.Gene),
        markers=labelled(NTRKKG.ImmunohistochemicalMarker),
        fusions={iri: label for label, iri in labelled(NTRKKG.GeneFusion).items()},
        references=sorted(int(str(n)) for n in graph.objects(None, NTRKKG.referenceNumber)),
        diseases=[(f"<{d}>", str(graph.value(URIRef(d), RDFS.label))) for d in diseases],
        rows=[(f"<{r}>", str(graph.value(URIRef(r), RDFS.label))) for r in rows],
        groups=[f"<{g}>" for g in groups],
        last_row=max(row_numbers.values()),
    )


# --- The synthetic extension ------------------------------------------------------------------


@dataclass
class Row:
    """One synthetic tumour type while its cells are written."""

    iri: str
    slug: str
    label: str
    short: str
    kinase: str
    references: list[int]
    statements: dict[str, list[str]] = field(default_factory=dict)


class Generator:
    """Mints synthetic rows, and the genes, fusions, references and notes they need."""

    def __init__(self, rng: random.Random, out: TripleWriter, real: RealGraph) -> None:
        self.rng = rng
        self.out = out
        self.genes = dict(real.genes)
        self.gene_symbols = sorted(self.genes)
        self.markers = dict(real.markers)
        self.fusions = dict(real.fusions)
        self.fusion_iris = list(self.fusions)
        self.marker_labels = list(self.markers)
        self.references = list(real.references)
        self.next_reference = max(FIRST_SYNTHETIC_REFERENCE, max(real.references) + 1)
        self.diseases = list(real.diseases)
        self.rows: list[tuple[str, str]] = list(real.rows)
        self.groups = list(real.groups)
        self.row_number = real.last_row
        self.counters: dict[str, int] = {}
        self.typo_notes: dict[str, str] = {}

    def mint(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    # -- shared entities --

    def gene(self, symbol: str | None = None) -> tuple[str, str]:
        """A gene by symbol, minted (SYNTHG<k>) if new."""
        if symbol is None:
            symbol = f"SYNTHG{self.mint('gene')}"
        if symbol not in self.genes:
            iri = node(f"gene/{symbol}")
            self.out.iri(iri, A, term("Gene"))
            self.out.label(iri, symbol)
            self.genes[symbol] = iri
            self.gene_symbols.append(symbol)
        return symbol, self.genes[symbol]

    def partner_gene(self) -> tuple[str, str]:
        """A 5′ partner: a known gene or, one time in three, a new one."""
        if self.rng.random() < 0.35:
            return self.gene()
        return self.gene(self.rng.choice(self.gene_symbols))

    def marker(self) -> tuple[str, str]:
        if self.rng.random() < 0.04:
            k = self.mint("marker")
            _, gene = self.gene()
            label = f"SYNTHM{k}"
            iri = node(f"marker/{label}")
            self.out.iri(iri, A, term("ImmunohistochemicalMarker"))
            self.out.label(iri, label)
            self.out.iri(iri, term("detectsProductOf"), gene)
            self.markers[label] = iri
            self.marker_labels.append(label)
            return label, iri
        label = self.rng.choice(self.marker_labels)
        return label, self.markers[label]

    def fusion(self, kinase: str) -> tuple[str, str]:
        """A fusion of the row's kinase: reused, a new 5′/3′ pair, or partner unspecified."""
        roll = self.rng.random()
        if roll < 0.45:
            iri = self.rng.choice(self.fusion_iris)
            return self.fusions[iri], iri
        _, three = self.gene(kinase)
        if roll < 0.9:
            symbol, five = self.partner_gene()
            if symbol == kinase:
                symbol, five = self.gene()
            label = f"{symbol}-{kinase} fusion"
            iri = node(f"fusion/{symbol}-{kinase}")
            if iri not in self.fusions:
                self.out.iri(iri, A, term("GeneFusion"))
                self.out.label(iri, label)
                self.out.label(iri, f"{symbol}::{kinase}", ALT_LABEL)
                self.out.iri(iri, term("fivePrimePartner"), five)
                self.out.iri(iri, term("threePrimePartner"), three)
                self._register_fusion(label, iri)
            return self.fusions[iri], iri
        symbol, gene = self.gene() if self.rng.random() < 0.5 else self.gene(kinase)
        label = f"{symbol} fusion"
        iri = node(f"fusion/{symbol}")
        if iri not in self.fusions:
            self.out.iri(iri, A, term("GeneFusion"))
            self.out.label(iri, label)
            self.out.iri(iri, term("involvesGene"), gene)
            self.out.typed(iri, term("partnerUnspecified"), "true", "boolean")
            self._register_fusion(label, iri)
        return self.fusions[iri], iri

    def _register_fusion(self, label: str, iri: str) -> None:
        self.fusions[iri] = label
        self.fusion_iris.append(iri)

    def reference(self) -> int:
        number = self.next_reference
        self.next_reference += 1
        iri = node(f"reference/{number}")
        self.out.iri(iri, A, term("Reference"))
        self.out.label(iri, f"reference {number} of Kubota et al. 2025 (synthetic)")
        self.out.typed(iri, term("referenceNumber"), str(number), "integer")
        self.out.iri(iri, term("inReferenceListOf"), REVIEW_IRI)
        self.references.append(number)
        return number

    def note(self, kind: str, label: str, text: str, extra: list[tuple[str, str, str]] | None = None) -> str:
        iri = node(f"note/syn-{slug(kind)}-{self.mint('note')}")
        self.out.iri(iri, A, term(kind))
        self.out.label(iri, label)
        self.out.label(iri, text, term("curationNoteText"))
        for p, value, how in extra or []:
            (self.out.iri if how == "iri" else self.out.text)(iri, p, value)
        return iri

    def typo_note(self, printed: str, normalised: str) -> str:
        if printed not in self.typo_notes:
            self.typo_notes[printed] = self.note(
                "TypoCorrection",
                f"typo: {printed} (synthetic)",
                f'A synthetic row prints "{printed}"; the structured data uses {normalised}.',
                [(term("printedForm"), printed, "text"), (term("normalisedForm"), normalised, "text")],
            )
        return self.typo_notes[printed]

    def differential_disease(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.1:
            k = self.mint("differential")
            label = f"{self.rng.choice(SITES)} {self.rng.choice(ADJECTIVES)} {self.rng.choice(NOUNS)} (synthetic {k})"
            iri = node(f"disease/syn-differential-{k}")
            parent = self.rng.choice([term("Disease")] + [d for d, _ in self.diseases[:8]])
            self.out.iri(iri, A, OWL_CLASS)
            self.out.iri(iri, SUBCLASS, parent)
            self.out.label(iri, label)
            self.diseases.append((iri, label))
            return iri, label
        if roll < 0.35:
            return self.rng.choice(self.rows)
        return self.rng.choice(self.diseases)

    # -- rows and groups --

    def group(self) -> str:
        k = self.mint("group")
        kinase = self.rng.choice(KINASES)
        adjective = self.rng.choice(ADJECTIVES)
        label = f"{kinase}-rearranged {adjective} neoplasm (synthetic group {k})"
        iri = node(f"disease/syn-group-{k}-{slug(kinase)}-rearranged-{slug(adjective)}-neoplasm")
        note = self.note(
            "ClassificationDecision",
            f"decision: rows under synthetic group {k}",
            f"Synthetic rows are placed under the group {label} as the generator drew them.",
            [(term("decisionBasis"), "The synthetic generator's draw.", "text")],
        )
        self.out.iri(iri, A, OWL_CLASS)
        self.out.iri(iri, SUBCLASS, term("TumourType"))
        self.out.label(iri, label)
        self.out.text(iri, term("printedName"), label[0].upper() + label[1:])
        self.out.iri(iri, term("hasCurationNote"), note)
        self.groups.append(iri)
        return iri

    def row(self) -> None:
        """One synthetic tumour type: its class, then its seven cells."""
        self.row_number += 1
        k = self.mint("row")
        kinase = self.rng.choice(KINASES)
        adjective, noun = self.rng.choice(ADJECTIVES), self.rng.choice(NOUNS)
        site = self.rng.choice(SITES)
        label = f"{site} {adjective} {noun} with {kinase} fusion (synthetic {k})"
        short = "".join(w[0] for w in f"{site} {adjective} {noun}".replace("-", " ").split()).upper() + f"{k}"
        row_slug = f"syn-{k}-{slug(site)}-{slug(adjective)}-{noun}"
        iri = node(f"disease/{row_slug}")
        if k == 1 or self.rng.random() < 0.15:
            parent = self.group()
        elif self.rng.random() < 0.7:
            parent = self.rng.choice(self.groups)
        else:
            parent = term("TumourType")
        self.out.iri(iri, A, OWL_CLASS)
        self.out.iri(iri, SUBCLASS, parent)
        if self.rng.random() < 0.15:
            self.out.iri(iri, SUBCLASS, self.rng.choice(self.diseases[:8])[0])
        self.out.label(iri, label)
        self.out.label(iri, short, ALT_LABEL)
        self.out.text(iri, term("printedName"), f"{label[0].upper()}{label[1:]} ({short})")
        self.out.typed(iri, term("tableRowNumber"), str(self.row_number), "integer")
        if self.rng.random() < 0.2:
            self.out.iri(iri, term("resembles"), self.rng.choice(self.diseases)[0])
        references = [self.reference() for _ in range(self.rng.randint(1, 3))]
        row = Row(iri, row_slug, label, short, kinase, references)
        for facet in FACETS:
            self.cell(row, facet)
        if self.rng.random() < 0.05:
            self.conflict(row)
        self.rows.append((iri, label))

    def conflict(self, row: Row) -> None:
        number = self.rng.choice(row.references)
        statements = [s for ss in row.statements.values() for s in ss]
        note = self.note(
            "SourceConflict",
            f"conflict: reference {number} (synthetic)",
            f"Reference {number} is cited for statements of the synthetic row {row.short} that disagree.",
            [(term("aboutReference"), node(f"reference/{number}"), "iri")],
        )
        for s in self.rng.sample(statements, min(2, len(statements))):
            self.out.iri(s, term("hasCurationNote"), note)

    # -- cells and statements --

    def cell(self, row: Row, facet: Facet) -> None:
        iri = node(f"cell/{row.slug}/{facet.slug}")
        self.out.iri(iri, A, term("TableCell"))
        self.out.iri(iri, term("cellOf"), TABLE)
        self.out.iri(iri, term("tumourType"), row.iri)
        self.out.iri(iri, term("facet"), term(facet.individual))
        self.out.text(iri, term("printedHeading"), facet.heading)
        if self.rng.random() < 0.08:
            self.statement(row, facet, iri, 1, "N.A.", [], not_available=True)
            return
        for position in range(1, self.rng.choice((1, 1, 1, 2, 2, 3)) + 1):
            getattr(self, facet.slug.replace("-", "_"))(row, facet, iri, position)

    def citations(self, row: Row) -> tuple[list[int], str]:
        """One to three references (mostly the row's own), and their printed marker."""
        count = self.rng.choice((1, 1, 2, 3))
        pool = row.references if self.rng.random() < 0.8 else self.references
        numbers = sorted(set(self.rng.choice(pool) for _ in range(count)))
        if len(numbers) >= 3 and numbers[-1] - numbers[0] == len(numbers) - 1:
            return numbers, f"[{numbers[0]}–{numbers[-1]}]"
        return numbers, "[" + ",".join(map(str, numbers)) + "]"

    def statement(
        self,
        row: Row,
        facet: Facet,
        cell: str,
        position: int,
        text: str,
        references: list[int],
        *,
        not_available: bool = False,
    ) -> str:
        iri = node(f"statement/{row.slug}/{facet.slug}/{position}")
        if not_available:
            self.out.iri(iri, A, term("NotAvailableStatement"))
        self.out.iri(iri, A, term(facet.statement_class))
        self.out.iri(iri, term("tumourType"), row.iri)
        self.out.iri(iri, term("facet"), term(facet.individual))
        self.out.iri(iri, term("partOfCell"), cell)
        self.out.typed(iri, term("positionInCell"), str(position), "integer")
        self.out.text(iri, term("verbatimText"), text)
        for number in references:
            self.out.iri(iri, term("citesReference"), node(f"reference/{number}"))
        self.out.iri(iri, term("quotedFrom"), REVIEW_IRI)
        row.statements.setdefault(facet.slug, []).append(iri)
        return iri

    def histology(self, row: Row, facet: Facet, cell: str, position: int) -> None:
        refs, cite = self.citations(row)
        text = (
            f"Tumor cells are {self.rng.choice(ADJECTIVES)} and arranged in {self.rng.choice(PATTERNS)}, "
            f"with {self.rng.choice(STROMA)} {cite}"
        )
        self.statement(row, facet, cell, position, text, refs)

    def immunohistochemistry(self, row: Row, facet: Facet, cell: str, position: int) -> None:
        refs, cite = self.citations(row)
        frequency, opening = self.rng.choice(FREQUENCIES)
        if self.rng.random() < 0.15:
            findings = [("S100", self.markers["S100"]), ("CD34", self.markers["CD34"])]
            result, wording = "CoExpressed", "co-expressed"
        else:
            findings = list({m[0]: m for m in (self.marker() for _ in range(self.rng.randint(1, 3)))}.values())
            result, wording = self.rng.choice(STAINING)
        names = " and ".join(label for label, _ in findings)
        iri = self.statement(
            row,
            facet,
            cell,
            position,
            f"{opening}, {names} {'are' if len(findings) > 1 else 'is'} {wording} {cite}",
            refs,
        )
        for j, (_, marker) in enumerate(findings, 1):
            finding = f"{iri[:-1]}/finding/{j}>"
            self.out.iri(iri, term("hasMarkerFinding"), finding)
            self.out.iri(finding, A, term("MarkerFinding"))
            self.out.iri(finding, term("marker"), marker)
            self.out.iri(finding, term("stainingResult"), term(result))
            self.out.text(finding, term("frequencyWording"), frequency)

    def genetics(self, row: Row, facet: Facet, cell: str, position: int) -> None:
        refs, cite = self.citations(row)
        fusions = dict(self.fusion(row.kinase) for _ in range(self.rng.randint(1, 3)))
        names = ", ".join(label.removesuffix(" fusion") for label in fusions)
        frequency, opening = self.rng.choice(FREQUENCIES)
        iri = self.statement(row, facet, cell, position, f"{opening} with {names} fusion genes {cite}", refs)
        for fusion in fusions.values():
            self.out.iri(iri, term("reportsFusion"), fusion)
        self.out.text(iri, term("frequencyWording"), frequency)
        if len(fusions) > 1 and self.rng.random() < 0.1:
            note = self.note(
                "InterpretationNote",
                f"interpretation: fusion list of {row.short} (synthetic)",
                f'"{names}" is read as {len(fusions)} separate fusions.',
            )
            self.out.iri(iri, term("hasCurationNote"), note)

    def radiology(self, row: Row, facet: Facet, cell: str, position: int) -> None:
        refs, cite = self.citations(row)
        parts: list[tuple[str, list[tuple[str, str, str]]]] = []
        for sequence in self.rng.sample(("T1-weighted", "T2-weighted"), self.rng.randint(0, 2)):
            signal, wording = self.rng.choice(SIGNALS)
            parts.append(
                (
                    f"{wording} signal intensity on {sequence} MRI",
                    [
                        (term("modality"), node("modality/MRI"), "iri"),
                        (term("sequence"), node(f"sequence/{sequence}"), "iri"),
                        (term("signalIntensity"), term(signal), "iri"),
                    ],
                )
            )
        if not parts or self.rng.random() < 0.5:
            modality = self.rng.choice(("contrast-enhanced-CT", "gadolinium-enhanced-MRI"))
            enhancement = self.rng.choice(ENHANCEMENTS)
            parts.append(
                (
                    f"{enhancement} on {modality.replace('-', ' ')}",
                    [
                        (term("modality"), node(f"modality/{modality}"), "iri"),
                        (term("enhancementWording"), enhancement, "text"),
                    ],
                )
            )
        if self.rng.random() < 0.2:
            wording = self.rng.choice(FINDINGS)
            parts.append(
                (
                    f"{wording} on CT",
                    [(term("modality"), node("modality/CT"), "iri"), (term("findingWording"), wording, "text")],
                )
            )
        text = f"The tumors show {'; '.join(p for p, _ in parts)} {cite}"
        iri = self.statement(row, facet, cell, position, text, refs)
        for j, (_, triples) in enumerate(parts, 1):
            finding = f"{iri[:-1]}/finding/{j}>"
            self.out.iri(iri, term("hasImagingFinding"), finding)
            self.out.iri(finding, A, term("ImagingFinding"))
            for p, value, how in triples:
                (self.out.iri if how == "iri" else self.out.text)(finding, p, value)

    def prognosis(self, row: Row, facet: Facet, cell: str, position: int) -> None:
        refs, cite = self.citations(row)
        if self.rng.random() < 0.5:
            cases = self.rng.randint(1, 40)
            with_outcome = self.rng.randint(0, cases)
            outcome = self.rng.choice(OUTCOME_WORDINGS)
            count = NUMBER_WORDS[with_outcome] if with_outcome < len(NUMBER_WORDS) else str(with_outcome)
            iri = self.statement(
                row, facet, cell, position, f"{count} out of {cases} cases developed {outcome} {cite}", refs
            )
            self.out.typed(iri, term("caseCountWithOutcome"), str(with_outcome), "integer")
            self.out.typed(iri, term("caseCount"), str(cases), "integer")
            self.out.text(iri, term("outcomeWording"), outcome)
        else:
            category, wording = self.rng.choice(CATEGORIES)
            iri = self.statement(row, facet, cell, position, f"These tumors {wording} {cite}", refs)
            self.out.iri(iri, term("prognosisCategory"), term(category))

    def differential_diagnosis(self, row: Row, facet: Facet, cell: str, position: int) -> None:
        refs, cite = self.citations(row)
        diseases = dict(self.differential_disease() for _ in range(self.rng.randint(1, 3)))
        diseases.pop(row.iri, None)
        if not diseases:
            diseases = dict([self.rng.choice(self.diseases)])
        names = ", ".join(label for label in diseases.values())
        iri = self.statement(row, facet, cell, position, f"{names[0].upper()}{names[1:]} {cite}", refs)
        for disease in diseases:
            self.out.iri(iri, term("differentialDiagnosis"), disease)

    def treatment_response(self, row: Row, facet: Facet, cell: str, position: int) -> None:
        refs, cite = self.citations(row)
        drug = self.rng.choice(("larotrectinib", "entrectinib"))
        printed = drug
        typo = self.rng.random() < 0.03
        if typo:
            printed = self.rng.choice(DRUG_TYPOS[drug])
        outcome = self.rng.choice(
            ("Response", "ResponseRate", "PartialResponse", "CompleteRegression", "TumourReduction")
        )
        triples: list[tuple[str, str, str]] = []
        if outcome == "TumourReduction":
            reduction = self.rng.randint(10, 95)
            setting = self.rng.choice(SETTINGS)
            text = f"Tumor reduction of {reduction}% with {setting} {printed} {cite}"
            triples += [
                ("decimal", "tumourReductionPercentage", f"{reduction}.0"),
                ("text", "treatmentSetting", setting),
            ]
        elif outcome == "CompleteRegression":
            text = f"Complete tumor regression was reported with {printed} {cite}"
        else:
            patients = self.rng.randint(1, 60)
            responders = self.rng.randint(0, patients)
            percent = (200 * responders + patients) // (2 * patients)  # round half up, as SPARQL ROUND
            text = (
                f"{responders} out of {patients} patients ({percent}%) with {row.short} responded to {printed} {cite}"
            )
            triples += [
                ("integer", "responderCount", str(responders)),
                ("integer", "patientCount", str(patients)),
                ("decimal", "responsePercentage", f"{percent}.0"),
            ]
            if self.rng.random() < 0.3:
                triples.append(("iri", "cohortDisease", node("disease/soft-tissue-sarcoma")))
        iri = self.statement(row, facet, cell, position, text, refs)
        self.out.iri(iri, term("drug"), node(f"drug/{drug}"))
        self.out.iri(iri, term("outcomeType"), term(outcome))
        for kind, p, value in triples:
            if kind == "iri":
                self.out.iri(iri, term(p), value)
            elif kind == "text":
                self.out.text(iri, term(p), value)
            else:
                self.out.typed(iri, term(p), value, kind)
        if typo:
            self.out.iri(iri, term("hasCurationNote"), self.typo_note(printed, drug))
        if triples and triples[0][1] == "responderCount" and self.rng.random() < 0.3:
            patients = int(triples[1][2])
            subgroup = f"{iri[:-1]}/subgroup/1>"
            self.out.iri(iri, term("hasCohortSubgroup"), subgroup)
            self.out.iri(subgroup, A, term("CohortSubgroup"))
            self.out.iri(subgroup, term("subgroupDisease"), row.iri)
            self.out.typed(subgroup, term("subgroupPatientCount"), str(self.rng.randint(1, patients)), "integer")


# --- Driver -----------------------------------------------------------------------------------


def generate(stream: TextIO, triples: int, seed: int, real: RealGraph | None = None) -> int:
    """Write the real graph and synthetic rows to ``stream`` until about ``triples``; return the count."""
    real = real or load_real_graph()
    if triples < len(real.lines):
        raise ValueError(f"asked for {triples} triples; the real graph alone has {len(real.lines)}")
    out = TripleWriter(stream)
    for line in real.lines:
        out.raw(line)
    generator = Generator(random.Random(seed), out, real)
    rows, start = 0, out.count
    while True:
        average = (out.count - start) / rows if rows else 200.0
        if out.count + average / 2 >= triples:
            break
        generator.row()
        rows += 1
    return out.count


def write(path: Path, triples: int, seed: int) -> int:
    with open_output(path) as stream:
        return generate(stream, triples, seed)


def parse_size(text: str) -> int:
    """``10000``, ``10k``, ``1.5M``."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--triples",
        type=parse_size,
        default=parse_size("10k"),
        help="about how many triples to write (10000, 100k, 1M)",
    )
    parser.add_argument("--out", type=Path, required=True, help="N-Triples file; .gz to compress")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    count = write(args.out, args.triples, args.seed)
    print(f"{count} triples to {args.out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
