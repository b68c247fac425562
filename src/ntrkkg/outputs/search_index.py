"""The full-text search index of a build: one SQLite file with an FTS5 table, written into dist/.

Each labelled resource of the dataset, and each statement, is one document with four columns:
its label, its synonyms (alternative labels, printed names, the labels of the external terms it
maps to), its identifiers (CURIEs of those terms and its own path, e.g. ``gene/NTRK1``) and its
text (the verbatim text of a statement, definitions, curation notes). FTS5 ranks with bm25 and
cuts highlighted snippets; its ``unicode61`` tokenizer folds case and diacritics. Misspellings
are met with the index's own vocabulary: every indexed word is also in a trigram table, so the
words that share trigrams with an unknown query word are found quickly, and the edit distance is
computed in Python over those few (:mod:`ntrkkg.sparql.search`).

The file is deterministic: the same graph gives the same bytes, so it is listed in SHA256SUMS.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ntrkkg.build.pipeline import BuildResult
from ntrkkg.namespaces import AUTHORED_BASE
from ntrkkg.prefixes import converter

__all__ = [
    "INDEX_FILE",
    "SCHEMA_VERSION",
    "Document",
    "build_index",
    "documents",
    "fill",
    "triples_of",
    "write_search_index",
]

#: The index's file name in a dist folder.
INDEX_FILE = "search.sqlite"
#: Bumped when the tables change, so a reader can refuse an index it does not understand.
SCHEMA_VERSION = "1"

_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_OWL = "http://www.w3.org/2002/07/owl#"
_DCTERMS = "http://purl.org/dc/terms/"
_NTRKKG = AUTHORED_BASE + "ontology#"

LABELS = frozenset({_RDFS + "label", _SKOS + "prefLabel"})
SYNONYMS = frozenset(
    {
        _SKOS + "altLabel",
        _SKOS + "hiddenLabel",
        _NTRKKG + "printedName",
        _NTRKKG + "printedForm",
        _NTRKKG + "normalisedForm",
    }
)
TEXTS = frozenset(
    {
        _NTRKKG + "verbatimText",
        _SKOS + "definition",
        _SKOS + "editorialNote",
        _NTRKKG + "curationNoteText",
        _NTRKKG + "decisionBasis",
        _DCTERMS + "title",
        _DCTERMS + "bibliographicCitation",
    }
)
MAPPINGS = frozenset(
    {_SKOS + f"{kind}Match" for kind in ("exact", "close", "broad", "narrow", "related")} | {_OWL + "sameAs"}
)
_AXIOM = {_OWL + "annotatedSource", _OWL + "annotatedTarget"}
_OBJECT_LABEL = "https://w3id.org/sssom/object_label"
_TUMOUR_TYPE, _FACET, _POSITION = _NTRKKG + "tumourType", _NTRKKG + "facet", _NTRKKG + "positionInCell"

_TOKENIZER = "unicode61 remove_diacritics 2"
#: The rank of a document: bm25 with these weights for label, synonyms, identifiers and text.
WEIGHTS = (10.0, 5.0, 3.0, 1.0)


@dataclass
class Document:
    """What the index holds about one resource."""

    iri: str
    kind: str
    label: str
    labels: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


Triple = tuple[str, str, str, bool]  # subject, predicate, object, object is a literal


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _kind(iri: str, base: str) -> str:
    if iri.startswith(AUTHORED_BASE + "ontology#"):
        return "ontology term"
    return iri[len(base) :].split("/", 1)[0]


def documents(triples: Iterable[Triple], base: str = AUTHORED_BASE) -> Iterator[Document]:
    """The documents of a graph, from its triples as plain strings (blank nodes as ``_:`` labels)."""
    literals: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    mapped: dict[str, list[str]] = defaultdict(list)
    axioms: dict[str, dict[str, str]] = defaultdict(dict)
    links: dict[str, dict[str, str]] = defaultdict(dict)  # statement -> tumour type, facet
    wanted = LABELS | SYNONYMS | TEXTS | {_POSITION}
    ontology = AUTHORED_BASE + "ontology#"
    for s, p, o, literal in triples:
        if s.startswith("_:"):
            if p in _AXIOM or p == _OBJECT_LABEL:
                axioms[s][p] = o
            continue
        if not (s.startswith(base) or s.startswith(ontology)):
            continue
        if literal:
            if p in wanted:
                literals[s][p].append(o)
        elif p in MAPPINGS:
            mapped[s].append(o)
        elif p in (_TUMOUR_TYPE, _FACET):
            links[s][p] = o
    target_labels: dict[tuple[str, str], str] = {}
    for axiom in axioms.values():
        if _OBJECT_LABEL in axiom and _OWL + "annotatedSource" in axiom:
            target_labels[(axiom[_OWL + "annotatedSource"], axiom.get(_OWL + "annotatedTarget", ""))] = axiom[
                _OBJECT_LABEL
            ]
    prefixes = converter()

    def label_of(iri: str) -> str:
        values = [v for p in (_RDFS + "label", _SKOS + "prefLabel") for v in literals.get(iri, {}).get(p, [])]
        return values[0] if values else ""

    for iri in sorted(literals):
        values = literals[iri]
        labels = _unique(values.get(_RDFS + "label", []) + values.get(_SKOS + "prefLabel", []))
        texts = _unique(v for p in sorted(TEXTS) for v in values.get(p, []))
        if not labels and not texts:
            continue  # nothing a person would look for (findings, counts)
        label = labels[0] if labels else ""
        if not label:
            # A statement has no label of its own: name it by its facet, position and tumour type.
            link = links.get(iri, {})
            facet, row = label_of(link.get(_FACET, "")), label_of(link.get(_TUMOUR_TYPE, ""))
            position = values.get(_POSITION, [""])[0]
            label = " ".join(x for x in (facet, "statement", position) if x) + (f", {row}" if row else "")
        targets = sorted(set(mapped.get(iri, [])))
        known = {v.casefold() for v in labels}
        local = iri[len(base) :] if iri.startswith(base) else iri[len(ontology) :]
        kind = _kind(iri, base)
        yield Document(
            iri=iri,
            kind=kind,
            label=label,
            labels=labels,
            synonyms=[
                v
                for v in _unique(
                    [v for p in sorted(SYNONYMS) for v in values.get(p, [])]
                    + [target_labels[(iri, t)] for t in targets if (iri, t) in target_labels]
                )
                if v.casefold() not in known
            ],
            # A statement's path repeats its row's name, which would match every statement of the row.
            identifiers=_unique(
                ([] if kind in ("statement", "cell") else [local]) + [prefixes.compress(t) or t for t in targets]
            ),
            texts=texts,
        )


def _schema(db: sqlite3.Connection) -> None:
    db.executescript(f"""
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE entity(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, folded TEXT NOT NULL,
                            kind TEXT NOT NULL, label TEXT NOT NULL);
        CREATE INDEX entity_folded ON entity(folded);
        CREATE VIRTUAL TABLE doc USING fts5(label, synonyms, identifiers, text, tokenize="{_TOKENIZER}");
        CREATE VIRTUAL TABLE doc_terms USING fts5vocab(doc, 'row');
        CREATE VIRTUAL TABLE term_trigrams USING fts5(term, tokenize="trigram", detail=none);
    """)


def build_index(path: Path, docs: Iterable[Document], *, base: str, version: str) -> int:
    """Write the index of ``docs`` to ``path`` (replaced if present); returns the number of documents."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        _schema(db)
        count = fill(db, docs, base=base, version=version)
        db.commit()
        db.execute("VACUUM")  # compact, and the same bytes for the same graph
    finally:
        db.close()
    return count


def fill(db: sqlite3.Connection, docs: Iterable[Document], *, base: str, version: str) -> int:
    """Create the tables in ``db`` (which must be empty) and fill them; returns the number of documents."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'doc'").fetchone():
        _schema(db)
    count = 0
    entity_rows: list[tuple[int, str, str, str, str]] = []
    doc_rows: list[tuple[int, str, str, str, str]] = []
    for count, d in enumerate(docs, 1):
        entity_rows.append((count, d.iri, d.iri.casefold(), d.kind, d.label))
        doc_rows.append(
            (count, " · ".join(d.labels), " · ".join(d.synonyms), " ".join(d.identifiers), "\n".join(d.texts))
        )
        if len(entity_rows) >= 10_000:
            _insert(db, entity_rows, doc_rows)
    _insert(db, entity_rows, doc_rows)
    # Words of three letters or fewer are left out of the misspelling vocabulary: too short to correct.
    db.execute("INSERT INTO term_trigrams(rowid, term) SELECT NULL, term FROM doc_terms WHERE length(term) > 3")
    weights = ", ".join(str(w) for w in WEIGHTS)
    db.execute("INSERT INTO doc(doc, rank) VALUES ('rank', ?)", (f"bm25({weights})",))
    db.execute("INSERT INTO doc(doc) VALUES ('optimize')")
    db.execute("INSERT INTO term_trigrams(term_trigrams) VALUES ('optimize')")
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("schema", SCHEMA_VERSION), ("base", base), ("version", version), ("documents", str(count))],
    )
    return count


def _insert(
    db: sqlite3.Connection,
    entity_rows: list[tuple[int, str, str, str, str]],
    doc_rows: list[tuple[int, str, str, str, str]],
) -> None:
    db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?)", entity_rows)
    db.executemany("INSERT INTO doc(rowid, label, synonyms, identifiers, text) VALUES (?, ?, ?, ?, ?)", doc_rows)
    entity_rows.clear()
    doc_rows.clear()


def triples_of(quads: Iterable[ox.Quad | ox.Triple]) -> Iterator[Triple]:
    """pyoxigraph triples or quads as the plain strings :func:`documents` reads."""
    for q in quads:
        s, o = q.subject, q.object
        if isinstance(s, ox.Triple):
            continue  # RDF-star quoted triples carry no text to search
        subject = f"_:{s.value}" if isinstance(s, ox.BlankNode) else s.value
        if isinstance(o, ox.Literal):
            yield subject, q.predicate.value, o.value, True
        elif isinstance(o, ox.BlankNode):
            yield subject, q.predicate.value, f"_:{o.value}", False
        elif isinstance(o, ox.NamedNode):
            yield subject, q.predicate.value, o.value, False


def write_search_index(out: Path, result: BuildResult) -> tuple[Path, str, str]:
    """Write the index of the asserted graph into ``out``; returns (path, media type, description) for SHA256SUMS."""
    path = out / INDEX_FILE
    nt = result.asserted.serialize(format="nt", encoding="utf-8")
    triples = triples_of(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    build_index(path, documents(triples, result.base), base=result.base, version=result.version)
    return (
        path,
        "application/vnd.sqlite3",
        "full-text search index (SQLite FTS5): labels, synonyms, identifiers and verbatim statements",
    )
