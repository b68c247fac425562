"""The one door every query passes: vetting, the result cache, and the engine pool.

HTTP requests, pages, the CLI and the Python API all call :class:`QueryService`; nothing else
evaluates a query. Vetting re-emits the query canonically and only that text reaches an engine.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ntrkkg.config import Settings
from ntrkkg.formats import BY_KEY, Format
from ntrkkg.prefixes import VOCABULARIES, known_prefixes
from ntrkkg.sparql import metrics
from ntrkkg.sparql.cache import ResultCache
from ntrkkg.sparql.canonical import point_at
from ntrkkg.sparql.counters import Counters, serve_as
from ntrkkg.sparql.engine import Confining, EnginePool, Evaluator, Job, Outcome, evaluate
from ntrkkg.sparql.lexer import LexicalError, tokenize
from ntrkkg.sparql.search import index_path
from ntrkkg.sparql.vetting import QueryRejected, VettedQuery, vet

__all__ = ["QueryFailed", "QueryRejected", "QueryService", "VettedQuery"]


class QueryFailed(Exception):
    """A query from inside the service (a page, the CLI, the API) did not succeed; carries its outcome."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        super().__init__(outcome.message or outcome.status)


_CacheKey = tuple[str, str, tuple[str, ...] | None, tuple[str, ...] | None]


class QueryService:
    """Vet, cache and evaluate queries over one store, within the settings' limits."""

    def __init__(
        self,
        settings: Settings,
        store_factory: Callable[[], Any],
        *,
        open_in_child: bool = False,
        evaluator: Evaluator = evaluate,
        store: Any = None,
        store_dir: str | None = None,
        confine: bool = True,
        engines: int | None = None,
        default_graphs: tuple[str, ...] | None | str = "dataset",
        network: bool = False,
        search_index: str | None = None,
    ) -> None:
        self.settings = settings
        #: The default graph of a query that names none: the union of the data graphs, or (None) the store's own.
        self.default_graphs = settings.names.default if default_graphs == "dataset" else default_graphs
        self.pool = EnginePool(
            store_factory,
            engines or settings.engines,
            per_client=settings.engines_per_client,
            open_in_child=open_in_child,
            evaluator=evaluator,
            store=store,
            confining=Confining(
                store_dir=store_dir,
                memory_bytes=settings.engine_memory,
                enabled=confine,
                require=not settings.allow_unconfined,
                network=network,
                search_index=search_index,
            ),
            recycle_after_bytes=settings.recycle_after_bytes,
            queue=settings.queue,
            counters=Counters(settings.workers, metrics.QUERY_FIELDS),
        )
        self._cache = ResultCache(settings.cache_bytes)

    @classmethod
    def open(
        cls, settings: Settings, *, confine: bool = True, engines: int | None = None, store: ox.Store | None = None
    ) -> QueryService:
        """The service over what ``settings`` names: ``settings.store``, else the build in ``settings.dist``."""
        from ntrkkg.store.local import read_only, serving_store
        from ntrkkg.store.remote import parse_spec

        if store is not None:
            return cls(settings, lambda: store, store=store, confine=confine, engines=engines)
        index = index_path(settings.dist)
        search_index = str(index.resolve()) if index.is_file() else None  # else engines index their store
        if settings.store is None:
            loaded = serving_store(settings.dist, settings.base, settings.names)
            return cls(
                settings, lambda: loaded, store=loaded, confine=confine, engines=engines, search_index=search_index
            )
        kind, location = parse_spec(settings.store)
        if kind == "oxigraph":
            return cls(
                settings,
                read_only(location),
                open_in_child=True,
                store_dir=str(Path(location).resolve()),
                confine=confine,
                engines=engines,
                search_index=search_index,
            )
        from ntrkkg.sparql.remote import forward, remote

        return cls(
            settings,
            remote(location, settings.timeout + 5),
            open_in_child=True,
            evaluator=forward,
            confine=confine,
            engines=engines,
            network=True,
        )

    def vet(self, query: str) -> VettedQuery:
        """Check ``query`` and return its canonical form; raises :class:`QueryRejected` with the reason."""
        s = self.settings
        try:
            return vet(
                query,
                max_length=s.max_query_length,
                allowed_services=s.allowed_services,
                prefixes=VOCABULARIES,
                known_prefixes=known_prefixes(),
            )
        except QueryRejected as rejected:
            metrics.refuse(self.pool.stats, metrics.refusal_of(rejected))
            raise

    def run(
        self,
        vetted: VettedQuery,
        fmt: Format,
        *,
        default_graphs: tuple[str, ...] | None = None,
        named_graphs: tuple[str, ...] | None = None,
        client: str = "",
        started: float | None = None,
    ) -> Outcome:
        """Answer a vetted query in ``fmt``; the deadline counts from ``started`` (monotonic), queueing included."""
        started = started if started is not None else time.monotonic()
        outcome = self._run(vetted, fmt, default_graphs, named_graphs, client, started)
        counters = self.pool.stats
        metrics.observe(counters, outcome.status, time.monotonic() - started)
        if outcome.status == "too-large":
            metrics.refuse(counters, "result_cap")
        return outcome

    def _run(
        self,
        vetted: VettedQuery,
        fmt: Format,
        default_graphs: tuple[str, ...] | None,
        named_graphs: tuple[str, ...] | None,
        client: str,
        started: float,
    ) -> Outcome:
        if default_graphs is None and named_graphs is None and not vetted.has_dataset_clause:
            default_graphs = self.default_graphs  # type: ignore[assignment]
        key: _CacheKey = (vetted.text, fmt.key, default_graphs, named_graphs)
        if vetted.deterministic:
            cached = self._cache.get(key)
            if cached is not None:
                self.pool.stats.add("cache_hits")
                return cached
            if self._cache.budget:
                self.pool.stats.add("cache_misses")
        job = Job(
            vetted.text,
            fmt.key,
            default_graphs,
            named_graphs,
            self.settings.row_cap,
            self.settings.max_result_bytes,
            base_iri=self.settings.endpoint,
            federated=bool(vetted.services),
        )
        deadline = started + self.settings.timeout
        outcome = self.pool.run(job, deadline, client)
        if outcome.status == "syntax":
            outcome = Outcome("syntax", message=_as_sent(outcome.message, vetted))
        if outcome.status == "timeout":
            outcome = Outcome(
                "timeout",
                message=f"the query ran longer than {self.settings.timeout:g} s, this "
                f"endpoint's limit (waiting for an engine included), and was stopped",
            )
        if outcome.status == "ok" and vetted.deterministic:
            self._cache.put(key, outcome)
        return outcome

    def cache_bytes(self) -> int:
        """Bytes the service's result cache holds now."""
        return self._cache.volume()

    def as_worker(self, index: int, workers: int) -> None:
        """Make this copy one of ``workers`` serving processes: its share of engines and queue, its counter slot."""
        s = self.settings
        self.pool.resize(max(1, s.engines // workers), max(0, s.queue // workers))
        serve_as(index)

    # --- For callers inside the service: pages, the CLI, the Python API ----------------------

    def answer(self, query: str, fmt: str = "json", **bindings: str) -> Outcome:
        """Run ``query`` with ``?name`` variables bound to IRIs; raise :class:`QueryFailed` unless it succeeds."""
        if bindings:
            query = _bind(query, bindings)
        return self.require(self.vet(query), BY_KEY[fmt])

    def require(self, vetted: VettedQuery, fmt: Format) -> Outcome:
        """Like :meth:`run`, but raise :class:`QueryFailed` unless the query succeeds."""
        outcome = self.run(vetted, fmt)
        if outcome.status != "ok":
            raise QueryFailed(outcome)
        return outcome

    def rows(self, query: str, **bindings: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """The solutions of a SELECT as dicts of pyoxigraph terms (unbound variables left out)."""
        body = self.answer(query, "json", **bindings).body
        results = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if isinstance(results, ox.QueryBoolean):
            raise ValueError("rows() takes a SELECT query; this one is an ASK")
        names = [v.value for v in results.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in results]

    def values(self, query: str, **bindings: str) -> list[dict[str, str]]:
        """The solutions of a SELECT as dicts of plain strings (IRIs and lexical forms)."""
        return [{k: v.value for k, v in row.items()} for row in self.rows(query, **bindings)]

    def close(self) -> None:
        """Stop the engines and close the cache (removed by the process that made it)."""
        self.pool.close()
        self._cache.close()


_POSITION = re.compile(r"^error at (\d+):(\d+): ")


def _as_sent(message: str, vetted: VettedQuery) -> str:
    """The engine's error at the client's line and column: canonical tokens map one to one onto theirs."""
    match = _POSITION.match(message)
    if match is None or not vetted.original:
        return message
    line, column = int(match.group(1)), int(match.group(2))
    try:
        canonical, original = tokenize(vetted.text), tokenize(vetted.original)
    except LexicalError:
        return message
    if len(canonical) != len(original):
        return message
    at = next((i for i, t in enumerate(canonical) if (t.line, t.column + len(t.text)) > (line, column)), None)
    if at is None:
        last = original[-1] if original else None
        where = f"{last.line}:{last.column + len(last.text)}" if last else "1:1"
    elif (canonical[at].line, canonical[at].column) <= (line, column):
        offset = column - canonical[at].column if canonical[at].line == line else 0
        where = f"{original[at].line}:{original[at].column + min(offset, len(original[at].text))}"
    else:
        where = f"{original[at].line}:{original[at].column}"
    line, column = (int(part) for part in where.split(":"))
    # The same form as vetting's refusals: the place in words, the reason, the client's line and a caret.
    return f"line {line}, column {column}: {message[match.end() :]}" + point_at(vetted.original, line, column)


def _bind(query: str, bindings: dict[str, str]) -> str:
    """Put IRIs in place of ``?name`` variables; ``NamedNode`` refuses anything that is not an IRI."""
    for name, value in bindings.items():
        query = re.sub(rf"\?{name}\b", str(ox.NamedNode(value)).replace("\\", "\\\\"), query)
    return query
