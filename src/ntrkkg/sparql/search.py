"""Full-text search over the index a build writes (:mod:`ntrkkg.outputs.search_index`).

One :class:`SearchIndex` answers the ``/search`` page, the nearest matches of an unknown IRI, the
case-insensitive resolution of IRIs, and the SPARQL function ``<https://w3id.org/ntrkkg/function#search>``
that engines register with pyoxigraph. A query is a list of words; every word must match (all
words, ranked by bm25), and if no document has them all, any word may. A word matches itself,
the longer words it begins (``S100`` finds ``S100B``), and, when the index has never seen it, the
indexed words within a small edit distance (``larotrectnib`` finds ``larotrectinib``).
"""

from __future__ import annotations

import html
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ntrkkg.namespaces import AUTHORED_BASE, FUNCTIONS
from ntrkkg.outputs.search_index import INDEX_FILE, SCHEMA_VERSION, documents, fill, triples_of

__all__ = [
    "SEARCH",
    "SEARCH_DOC",
    "Hit",
    "Results",
    "SearchIndex",
    "attach",
    "edit_distance",
    "engine_functions",
    "fold",
    "index_path",
    "sparql_functions",
    "words",
]

#: ``search(?resource, "words")``: the resource's score (xsd:double, higher is better), unbound if it does not match.
SEARCH = FUNCTIONS + "search"  # the functions' IRIs never move with the data's base
SEARCH_DOC = (
    'search(?resource, "words") is the full-text score (xsd:double, higher is better) of a resource whose '
    "labels, synonyms, identifiers or verbatim text hold every word (case, accents and small misspellings "
    "aside), and unbound otherwise."
)

_WORD = re.compile(r"[^\W_]+")
_OPEN, _CLOSE = "\x02", "\x03"
_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
#: A query has at most this many words; the rest are ignored (a search box, not a document).
MAX_WORDS = 12


def index_path(dist: Path) -> Path:
    """Where a build in ``dist`` keeps its search index."""
    return dist / INDEX_FILE


def fold(text: str) -> str:
    """Lower case without diacritics, as the index's tokenizer folds its words."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[list[str]]:
    """The query's words, each as the index's tokens (``ETV6-NTRK3`` is one word of two tokens)."""
    found = [_WORD.findall(fold(part)) for part in text.split()]
    return [w for w in found if w][:MAX_WORDS]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts one); ``limit + 1`` once past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_edits(token: str) -> int:
    return 0 if len(token) < 4 else 1 if len(token) < 8 else 2


def _html(marked: str) -> str:
    return html.escape(marked).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


@dataclass(frozen=True)
class Hit:
    """One matching resource: its IRI, kind and label, score (higher is better) and highlighted HTML."""

    iri: str
    kind: str
    label: str
    score: float
    label_html: str
    snippet_html: str


@dataclass(frozen=True)
class Results:
    """The hits of one query; ``relaxed`` when no resource matched every word and any word sufficed."""

    query: str
    hits: list[Hit]
    relaxed: bool = False
    corrections: dict[str, list[str]] | None = None


class SearchIndex:
    """A search index opened read-only (a build's file) or held in memory (built from a store)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.execute("PRAGMA temp_store=MEMORY")  # never a temporary file (engines may not write any)
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"search index of schema {meta.get('schema')!r}, expected {SCHEMA_VERSION!r}; rebuild it")
        self.base = meta.get("base", AUTHORED_BASE)
        self.documents = int(meta.get("documents", "0"))
        self._corrections = lru_cache(maxsize=1024)(self._corrections_uncached)
        self._scores = lru_cache(maxsize=64)(self._scores_uncached)

    @classmethod
    def open(cls, path: Path, *, immutable: bool = False) -> SearchIndex:
        """Open the index file read-only; ``immutable`` promises that nobody writes it (no locks, no journal)."""
        if not path.is_file():
            raise FileNotFoundError(f"no search index at {path}; run `ntrkkg build`")
        uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
        db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            return cls(db)
        except (sqlite3.Error, ValueError) as error:
            db.close()
            raise ValueError(f"{path} is not a search index of this version: {error}") from None

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad | ox.Triple], base: str = AUTHORED_BASE) -> SearchIndex:
        """An index in memory, built from the quads of a graph."""
        db = sqlite3.connect(":memory:", check_same_thread=False)
        fill(db, documents(triples_of(quads), base), base=base, version="")
        db.commit()
        return cls(db)

    @classmethod
    def from_store(cls, store: ox.Store) -> SearchIndex:
        """An index in memory, built from the asserted graph of ``store`` (or all its graphs if it has none)."""
        asserted = [
            g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.endswith("/graph/asserted")
        ]
        if asserted:
            base = asserted[0].value.removesuffix("graph/asserted")
            return cls.from_quads(store.quads_for_pattern(None, None, None, asserted[0]), base)
        return cls.from_quads(store.quads_for_pattern(None, None, None))

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # --- Queries -------------------------------------------------------------------------

    def _known(self, token: str) -> bool:
        return self.db.execute("SELECT 1 FROM doc_terms WHERE term = ?", (token,)).fetchone() is not None

    def _corrections_uncached(self, token: str) -> tuple[str, ...]:
        """Indexed words within the allowed edit distance of ``token``, nearest first (none if it is indexed)."""
        limit = _allowed_edits(token)
        if limit == 0 or self._known(token):
            return ()
        grams = sorted({token[i : i + 3] for i in range(len(token) - 2)})
        expression = " OR ".join(f'"{g}"' for g in grams)
        rows = self.db.execute(
            "SELECT term FROM term_trigrams WHERE term_trigrams MATCH ? ORDER BY rank LIMIT 200", (expression,)
        ).fetchall()
        near = sorted((edit_distance(token, term, limit), term) for (term,) in rows)
        # Only the nearest words: a second, farther spelling would outrank the word that was meant.
        return tuple(term for distance, term in near if distance <= min(limit, near[0][0]))[:4] if near else ()

    def _expression(self, query: str, joiner: str) -> tuple[str, dict[str, list[str]]]:
        groups, corrected = [], {}
        for tokens in words(query):
            if len(tokens) > 1:
                groups.append('"' + " ".join(tokens) + '"')
                continue
            token = tokens[0]
            options = [f'"{token}"']
            if len(token) >= 3:
                options.append(f'"{token}"*')
            near = self._corrections(token)
            if near:
                corrected[token] = list(near)
                options += [f'"{t}"' for t in near]
            groups.append("(" + " OR ".join(options) + ")")
        return f" {joiner} ".join(groups), corrected

    def search(self, query: str, limit: int = 20) -> Results:
        """The best ``limit`` resources for ``query``: every word if any resource has them all, else any word."""
        relaxed = False
        expression, corrected = self._expression(query, "AND")
        if not expression:
            return Results(query, [])
        hits = self._hits(expression, limit)
        if not hits and len(words(query)) > 1:
            relaxed = True
            hits = self._hits(self._expression(query, "OR")[0], limit)
        # A resource named exactly what was asked comes first, however long the texts of the others.
        asked = words(query)
        return Results(query, sorted(hits, key=lambda h: words(h.label) != asked), relaxed, corrected or None)

    def _hits(self, expression: str, limit: int) -> list[Hit]:
        rows = self.db.execute(
            f"""SELECT e.iri, e.kind, e.label, d.rank, d.marked_label, d.snippet FROM (
                  SELECT rowid, rank, highlight(doc, 0, '{_OPEN}', '{_CLOSE}') AS marked_label,
                         snippet(doc, -1, '{_OPEN}', '{_CLOSE}', '…', 24) AS snippet
                  FROM doc WHERE doc MATCH ? ORDER BY rank LIMIT ?) AS d
                JOIN entity AS e ON e.id = d.rowid ORDER BY d.rank, e.iri""",
            (expression, limit),
        ).fetchall()
        hits = []
        for iri, kind, label, rank, marked_label, snippet in rows:
            label_html = _html(marked_label.split(" · ")[0]) if marked_label else html.escape(label)
            snippet_html = _html(snippet)
            hits.append(
                Hit(iri, kind, label, round(-rank, 6), label_html, "" if snippet_html == label_html else snippet_html)
            )
        return hits

    def _scores_uncached(self, query: str) -> dict[str, float]:
        expression, _ = self._expression(query, "AND")
        if not expression:
            return {}
        rows = self.db.execute(
            "SELECT e.iri, d.rank FROM (SELECT rowid, rank FROM doc WHERE doc MATCH ?) AS d "
            "JOIN entity AS e ON e.id = d.rowid",
            (expression,),
        ).fetchall()
        return {iri: round(-rank, 6) for iri, rank in rows}

    def scores(self, query: str) -> dict[str, float]:
        """Every resource matching all words of ``query``, with its score (what the SPARQL function returns)."""
        return self._scores(query)

    def resolve(self, iri: str) -> str | None:
        """The IRI of the dataset that differs from ``iri`` only in case, if there is one."""
        row = self.db.execute(
            "SELECT iri FROM entity WHERE folded = ? AND iri != ? ORDER BY iri LIMIT 1", (iri.casefold(), iri)
        ).fetchone()
        return str(row[0]) if row else None

    def nearest(self, iri: str, limit: int = 5) -> list[Hit]:
        """Resources whose words are nearest the words of an unknown IRI (its path after the kind)."""
        path = iri[len(self.base) :] if iri.startswith(self.base) else iri
        rest = path.split("/", 1)[1] if "/" in path else path
        tokens = [t for t in _WORD.findall(fold(rest)) if not t.isdigit()] or _WORD.findall(fold(rest))
        if not tokens:
            return []
        kind = path.split("/", 1)[0]
        hits = self.search(" ".join(tokens), 4 * limit).hits
        return sorted(hits, key=lambda hit: hit.kind != kind)[:limit]  # same kind first, by score within


# --- In the engines: the SPARQL function ---------------------------------------------------------

_attached: SearchIndex | None = None
_built: dict[int, SearchIndex] = {}


def attach(path: str | None) -> None:
    """Open a build's index for this engine process; call it before the engine confines itself.

    The file stays open through its descriptor, so the sandbox need not let the engine open files.
    Without a usable file, the engine builds the index from its store on first use.
    """
    global _attached
    if path is None:
        return
    try:
        _attached = SearchIndex.open(Path(path), immutable=True)
        _attached.db.execute("SELECT count(*) FROM entity").fetchone()  # read the schema now, while files may be opened
    except (OSError, ValueError, sqlite3.Error):
        _attached = None


def sparql_functions(index: Callable[[], SearchIndex]) -> dict[ox.NamedNode, Callable[..., Any]]:
    """The custom functions for ``Store.query``; ``index`` is called (once) on the first call of a function."""

    def search(*args: Any) -> ox.Literal | None:
        if len(args) != 2 or not isinstance(args[0], ox.NamedNode) or not isinstance(args[1], ox.Literal):
            return None  # an error in SPARQL terms: the expression is unbound
        score = index().scores(args[1].value).get(args[0].value)
        return None if score is None else ox.Literal(repr(score), datatype=_DOUBLE)

    return {ox.NamedNode(SEARCH): search}


def engine_functions(store: Any) -> dict[ox.NamedNode, Callable[..., Any]]:
    """The functions an engine registers: over its attached index, else over one built from ``store``."""

    def index() -> SearchIndex:
        if _attached is not None:
            return _attached
        if id(store) not in _built:
            _built[id(store)] = SearchIndex.from_store(store)
        return _built[id(store)]

    return sparql_functions(index)
