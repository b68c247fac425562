"""Query evaluation in confined, killable engine processes, with admission control.

pyoxigraph cannot cancel a running query and executes SERVICE over HTTP. So each query runs in
a forked engine process that the kernel confines right after the fork (no network unless the
engine serves allow-listed SERVICE calls, no file but its store, capped memory, no core dumps).
An engine that overruns the deadline is killed and replaced; one that returned a large result is
replaced too, giving its memory back. The time limit starts when the request arrives, so time
spent waiting for a free engine counts; a client may hold only a fair share of the engines.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import IO, Any, cast

import pyoxigraph as ox

from ntrkkg.formats import BY_KEY, Format, write_graph
from ntrkkg.namespaces import FUNCTIONS
from ntrkkg.sparql import sandbox, search
from ntrkkg.sparql.counters import Counters

__all__ = ["EnginePool", "Evaluator", "Job", "Outcome", "evaluate", "result_rows"]


@dataclass(frozen=True)
class Job:
    """One vetted query and how to answer it."""

    query: str
    format: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    row_cap: int
    max_bytes: int
    #: Relative IRIs in the query resolve against this (the protocol lets the service choose it).
    base_iri: str | None = None
    #: The query calls allow-listed SERVICE endpoints, so it needs an engine with network access.
    federated: bool = False


@dataclass(frozen=True)
class Outcome:
    """``status`` is ok, syntax, too-large, error, timeout, crashed, busy, limited or unavailable."""

    status: str
    body: bytes = b""
    message: str = ""
    kind: str = ""  # solutions, boolean or graph

    @property
    def etag(self) -> str:
        """A strong validator of the body."""
        return hashlib.sha256(self.body).hexdigest()[:32]


class _Capped:
    """A binary sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


class _TooLarge(Exception):
    pass


def _graph_names(names: tuple[str, ...] | None) -> list[ox.NamedNode] | None:
    return None if names is None else [ox.NamedNode(n) for n in names]


def _too_many(what: str, cap: int) -> Outcome:
    return Outcome(
        "too-large",
        message=(
            f"the result has more than {cap:,} {what}, this endpoint's cap; narrow the query, page through it "
            "with LIMIT and OFFSET, or use the dumps"
        ),
    )


def result_rows(body: bytes, fmt: Format) -> int:
    """The solutions (or triples) of a serialised answer; an ASK counts as one."""
    if fmt.key == "csv":  # pyoxigraph cannot read CSV results back
        return max(sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1, 0)
    if fmt.graph:
        return sum(1 for _ in ox.parse(body, fmt.oxigraph))
    parsed = ox.parse_query_results(body, fmt.oxigraph)
    return 1 if isinstance(parsed, ox.QueryBoolean) else sum(1 for _ in parsed)


def evaluate(store: ox.Store, job: Job) -> Outcome:
    """Evaluate and serialise one job (runs inside an engine process)."""
    options: dict[str, Any] = {"base_iri": job.base_iri}
    try:
        options["default_graph"] = _graph_names(job.default_graphs)
        options["named_graphs"] = _graph_names(job.named_graphs)
    except ValueError as error:
        return Outcome("bad-graph", message=f"a default-graph-uri or named-graph-uri is not an IRI: {error}")
    if FUNCTIONS in job.query:  # the query may call this service's own functions (full-text search)
        options["custom_functions"] = search.engine_functions(store)
    fmt = BY_KEY[job.format]
    try:
        results = store.query(job.query, **options)
        sink = _Capped(job.max_bytes)
        if isinstance(results, ox.QueryBoolean):
            results.serialize(cast(IO[bytes], sink), format=fmt.oxigraph)
            return Outcome("ok", sink.getvalue(), kind="boolean")
        if isinstance(results, ox.QuerySolutions):
            results.serialize(cast(IO[bytes], sink), format=fmt.oxigraph)
            body = sink.getvalue()
            # Every row takes at least two bytes, so a short body cannot exceed the cap; a long one is
            # counted from the bytes already made, not by evaluating the query again.
            if len(body) > 2 * job.row_cap and result_rows(body, fmt) > job.row_cap:
                return _too_many("rows", job.row_cap)
            return Outcome("ok", body, kind="solutions")
        triples = []
        for triple in results:
            triples.append(triple)
            if len(triples) > job.row_cap:
                return _too_many("triples", job.row_cap)
        write_graph(triples, fmt, cast(IO[bytes], sink))  # sorted, with prefixes (JSON-LD: a context)
        return Outcome("ok", sink.getvalue(), kind="graph")
    except SyntaxError as error:
        return Outcome("syntax", message=str(error))
    except _TooLarge:
        return Outcome("too-large", message=f"the serialised result exceeds {job.max_bytes:,} bytes")
    except MemoryError:
        return Outcome("too-large", message="the query needs more memory than an engine may use")
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        return Outcome("error", message=str(error))


#: How an engine answers a job from what its store factory returned (a pyoxigraph store by default).
Evaluator = Callable[[Any, Job], Outcome]


@dataclass(frozen=True)
class Confining:
    """How engines confine themselves after the fork."""

    store_dir: str | None = None
    memory_bytes: int | None = None
    #: Every engine keeps network access: a remote store is reached over HTTP (vetting is its guard).
    network: bool = False
    #: Enforce; False only in a process that must not be confined (tests of the pool itself).
    enabled: bool = True
    #: Refuse to start an engine that this kernel cannot confine fully (else confine what it offers).
    require: bool = True
    #: The build's full-text index, opened before confinement (its descriptor stays usable inside).
    search_index: str | None = None


def _detach_from_server(conn: Connection) -> None:
    """Undo what the fork copied from the serving process that an engine must not keep.

    The server's signal handlers would make the engine ignore SIGTERM, and its inherited sockets
    (the listening one among them) would keep the port open after the server stops. Once only this
    engine's end of its pipe is left open, the engine sees EOF and exits when its server dies.
    """
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, signal.SIG_DFL)
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)


def _address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _engine_loop(
    conn: Connection,
    store: Any,
    opener: Callable[[], Any] | None,
    evaluator: Evaluator,
    confining: Confining,
    network: bool,
) -> None:
    _detach_from_server(conn)
    os.nice(10)  # heavy queries yield the CPU to the serving processes, so /health and pages stay quick
    try:
        search.attach(confining.search_index)
        if confining.enabled:
            sandbox.preload()
            memory = None if confining.memory_bytes is None else _address_space() + confining.memory_bytes
            sandbox.confine(
                allow_network=network or confining.network,
                store_dir=confining.store_dir,
                memory_bytes=memory,
                require=confining.require,
            )
        if opener is not None:
            store = opener()  # after the fork (no handle shared with the parent), inside the sandbox
    except Exception as error:  # the engine must never answer unconfined
        with contextlib.suppress(Exception):
            conn.send(Outcome("unavailable", message=f"the query engine could not start: {error}"))
        return
    conn.send(Outcome("ready"))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(evaluator(store, job))


class _Engine:
    def __init__(
        self, store: Any, opener: Callable[[], Any] | None, evaluator: Evaluator, confining: Confining, network: bool
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.network = network
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_engine_loop, args=(child, store, opener, evaluator, confining, network), daemon=True
        )
        self.process.start()
        child.close()
        self.ready: Outcome | None = None

    def started(self, timeout: float) -> Outcome:
        """``ready``, or why the engine cannot serve."""
        if self.ready is None:
            try:
                self.ready = (
                    self.conn.recv()
                    if self.conn.poll(timeout)
                    else Outcome("unavailable", message="the query engine did not start in time")
                )
            except (EOFError, OSError):
                self.ready = Outcome("unavailable", message="the query engine failed to start")
        return self.ready

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(1)
        with contextlib.suppress(Exception):
            self.conn.close()


class _Waiter:
    """A request waiting for an engine; the releasing thread hands one over and sets the event."""

    __slots__ = ("client", "engine", "event", "network")

    def __init__(self, client: str, network: bool) -> None:
        self.client, self.network = client, network
        self.event = threading.Event()
        self.engine: _Engine | None = None


class EnginePool:
    """A fixed number of confined engine processes, forked lazily in the process that serves requests.

    By default the store is opened once and inherited by the forked engines. With ``open_in_child``
    each engine calls ``store_factory`` after the fork (an on-disk store must not share its handle
    across a fork). Federated jobs (allow-listed SERVICE) go to a separate engine that keeps network access.
    """

    def __init__(
        self,
        store_factory: Callable[[], Any],
        size: int,
        *,
        per_client: int | None = None,
        open_in_child: bool = False,
        evaluator: Evaluator = evaluate,
        store: Any = None,
        confining: Confining | None = None,
        recycle_after_bytes: int = 32 * 2**20,
        queue: int | None = None,
        counters: Counters | None = None,
    ) -> None:
        self._store_factory = store_factory
        self._open_in_child = open_in_child
        self._evaluator = evaluator
        self._confining = confining or Confining()
        self._size = size
        self._per_client = per_client or size
        self._recycle_after = recycle_after_bytes
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._idle: dict[bool, list[_Engine]] = {False: [], True: []}
        self._held: Counter[str] = Counter()
        self._queue: list[_Waiter] = []
        #: Requests that may wait for an engine; more get 503 at once.
        self.max_waiting = 4 * size if queue is None else queue
        self.stats = counters or Counters()
        self._store: Any = None if open_in_child else store

    def _ensure(self) -> None:
        # Engines are forked after a pre-forking server forks its workers: a pool belongs to one process.
        if self._pid == os.getpid():
            return
        if not self._open_in_child and self._store is None:
            self._store = self._store_factory()
        self._idle = {False: [self._engine(False) for _ in range(self._size)], True: []}
        self._held, self._queue = Counter(), []
        self._pid = os.getpid()

    def _engine(self, network: bool) -> _Engine:
        if self._open_in_child:
            return _Engine(None, self._store_factory, self._evaluator, self._confining, network)
        return _Engine(self._store, None, self._evaluator, self._confining, network)

    def _next_waiter(self, network: bool) -> _Waiter | None:
        """Who gets a freed engine: the first waiter under its client's share, else the first waiter."""
        candidates = [w for w in self._queue if w.network == network]
        fair = next((w for w in candidates if self._held[w.client] < self._per_client), None)
        return fair or (candidates[0] if candidates else None)

    def _acquire(self, network: bool, client: str, deadline: float) -> _Engine | Outcome:
        with self._lock:
            self._ensure()
            waiting = sum(1 for w in self._queue if w.client == client)
            if self._held[client] + waiting >= 4 * self._per_client:
                self.stats.add("refused_client")
                return Outcome(
                    "limited",
                    message=(
                        f"this client already has {self._held[client] + waiting} queries running or waiting, "
                        "more than its fair share of the engines; wait for them to finish"
                    ),
                )
            pool = self._idle[network]
            if pool and (self._held[client] < self._per_client or not self._queue):
                self._held[client] += 1
                return pool.pop()
            if network and not pool and sum(self._held.values()) < self._size:
                self._held[client] += 1
                return self._engine(True)  # the federated engine is made on demand, within the size
            if len(self._queue) >= self.max_waiting:
                self.stats.add("refused_busy")
                return Outcome("busy", message="all query engines are busy and the queue is full; try again shortly")
            waiter = _Waiter(client, network)
            self._queue.append(waiter)
        # Each waiter sleeps on its own event and is woken only to be handed an engine: no thundering herd.
        waiter.event.wait(max(deadline - time.monotonic(), 0))
        with self._lock:
            if waiter.engine is not None:
                return waiter.engine
            self._queue.remove(waiter)
            self.stats.add("timeouts")
            return Outcome("timeout", message="the query ran out of time waiting for a free engine")

    def _release(self, engine: _Engine, client: str, healthy: bool) -> None:
        with self._lock:
            self._held[client] -= 1
            if self._held[client] <= 0:
                del self._held[client]
            if not healthy:
                engine.kill()
                if engine.network or self._pid != os.getpid():
                    return
                engine = self._engine(False)
            waiter = self._next_waiter(engine.network)
            if waiter is None:
                self._idle[engine.network].append(engine)
                federated = self._next_waiter(True)
                if engine.network or federated is None or sum(self._held.values()) >= self._size:
                    return
                waiter, engine = federated, self._engine(True)  # room for the federated engine now
            self._queue.remove(waiter)
            self._held[waiter.client] += 1
            waiter.engine = engine
            waiter.event.set()

    def run(self, job: Job, deadline: float, client: str = "") -> Outcome:
        """Answer ``job`` by ``deadline`` (a ``time.monotonic()`` value), queueing included."""
        acquired = self._acquire(job.federated, client, deadline)
        if isinstance(acquired, Outcome):
            return acquired
        engine, healthy = acquired, False
        if time.monotonic() >= deadline:  # handed an engine just as the wait ran out: give it back unused
            self._release(engine, client, True)
            self.stats.add("timeouts")
            return Outcome("timeout", message="the query ran out of time waiting for a free engine")
        try:
            ready = engine.started(max(deadline - time.monotonic(), 1.0))
            if ready.status != "ready":
                self.stats.add("start_failures")
                return ready
            engine.conn.send(job)
            if engine.conn.poll(max(deadline - time.monotonic(), 0)):
                outcome: Outcome = engine.conn.recv()
                healthy = len(outcome.body) < self._recycle_after
                if not healthy:
                    self.stats.add("recycled")
                return outcome
            self.stats.add_many(("timeouts", "engine_timeouts"), (1, 1))
            return Outcome("timeout", message="the query ran out of time and was stopped")
        except (EOFError, OSError):
            self.stats.add("crashes")
            return Outcome("crashed", message="the query stopped the engine that evaluated it")
        finally:
            self.stats.add("jobs")
            self._release(engine, client, healthy)

    def resize(self, size: int, queue: int) -> None:
        """Set the number of engines and queue places (before this process forks its engines)."""
        self._size, self.max_waiting = size, queue

    def close(self) -> None:
        """Stop every engine; a later query forks a fresh set."""
        with self._lock:
            for engines in self._idle.values():
                for engine in engines:
                    engine.kill()
                engines.clear()
            self._pid = None
