"""Query evaluation in killable engine processes.

pyoxigraph cannot cancel a running query, and a pathological query can crash the process
that runs it. So each query runs in a forked engine process that holds the store; when a
query overruns its time, the engine is killed and replaced, and the request gets an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import IO, Any, cast

import pyoxigraph as ox

from ntrkkg.web.formats import BY_KEY


@dataclass(frozen=True)
class Job:
    query: str
    format: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    row_cap: int
    max_bytes: int
    #: Relative IRIs in the query resolve against this (the protocol lets the service choose it).
    base_iri: str | None = None


@dataclass(frozen=True)
class Outcome:
    """``status`` is ok, syntax, too-large, error, timeout, crashed or busy."""

    status: str
    body: bytes = b""
    message: str = ""
    kind: str = ""  # solutions, boolean or graph

    @property
    def etag(self) -> str:
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


def evaluate(store: ox.Store, job: Job) -> Outcome:
    """Evaluate and serialise one job (runs inside an engine process)."""
    options: dict[str, Any] = {"base_iri": job.base_iri}
    if job.default_graphs is not None:
        options["default_graph"] = _graph_names(job.default_graphs)
    if job.named_graphs is not None:
        options["named_graphs"] = _graph_names(job.named_graphs)
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
            # Every row takes at least two bytes, so a short body cannot exceed the cap.
            if len(body) > 2 * job.row_cap:
                rows = sum(1 for _ in cast(ox.QuerySolutions, store.query(job.query, **options)))
                if rows > job.row_cap:
                    return Outcome("too-large", message=(
                        f"the result has {rows:,} rows, more than this endpoint's cap of "
                        f"{job.row_cap:,}; page through it with LIMIT and OFFSET"))
            return Outcome("ok", body, kind="solutions")
        for triples, _ in enumerate(cast(ox.QueryTriples, store.query(job.query, **options)), 1):
            if triples > job.row_cap:
                return Outcome("too-large", message=(
                    f"the result has more than {job.row_cap:,} triples, this endpoint's cap; "
                    "narrow the query or use the dumps"))
        results.serialize(cast(IO[bytes], sink), format=fmt.oxigraph)
        return Outcome("ok", sink.getvalue(), kind="graph")
    except SyntaxError as error:
        return Outcome("syntax", message=str(error))
    except _TooLarge:
        return Outcome("too-large", message=f"the serialised result exceeds {job.max_bytes:,} bytes")
    except (OSError, ValueError, TypeError) as error:
        return Outcome("error", message=str(error))


#: How an engine answers a job from what its store factory returned (a pyoxigraph store by default).
Evaluator = Callable[[Any, Job], Outcome]


def _detach_from_server(conn: Connection) -> None:
    """Undo what the fork copied from the serving process that an engine must not keep.

    The server's signal handlers would make the engine ignore SIGTERM, and its inherited
    sockets (the listening one among them) would keep the port open after the server stops.
    Once only this engine's end of its pipe is left open, the engine sees EOF and exits when
    its server dies, however it dies.
    """
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, signal.SIG_DFL)
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)


def _engine_loop(conn: Connection, store: Any, opener: Callable[[], Any] | None, evaluator: Evaluator) -> None:
    _detach_from_server(conn)
    if opener is not None:
        store = opener()  # opened here, after the fork: no handle is shared with the parent
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(evaluator(store, job))


class _Engine:
    def __init__(self, store: Any, opener: Callable[[], Any] | None = None,
                 evaluator: Evaluator = evaluate) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_engine_loop, args=(child, store, opener, evaluator), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(1)
        with contextlib.suppress(Exception):
            self.conn.close()


class EnginePool:
    """A fixed number of engine processes, created in the process that serves requests.

    By default the store is opened once and inherited by the forked engines. With
    ``open_in_child`` each engine calls ``store_factory`` itself after the fork (an on-disk
    store must not share its handle across a fork), and the serving process opens its own
    store only when something asks for :attr:`store`. ``evaluator`` answers a job from the
    store (see :func:`evaluate`).
    """

    def __init__(self, store_factory: Callable[[], Any], size: int, wait: float = 30.0, *,
                 open_in_child: bool = False, evaluator: Evaluator = evaluate, store: Any = None) -> None:
        self._store_factory = store_factory
        self._open_in_child = open_in_child
        self._evaluator = evaluator
        self._size = size
        self._wait = wait
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._idle: queue.Queue[_Engine] = queue.Queue()
        # An in-memory store already loaded (by create_app) is inherited across forks, not reloaded.
        self._store: ox.Store | None = None if open_in_child else store

    def _ensure(self) -> None:
        # Engines are forked lazily, after a pre-forking server (gunicorn) forks its workers.
        with self._lock:
            if self._pid == os.getpid():
                return
            if self._open_in_child:
                self._store = None
            elif self._store is None:
                self._store = self._store_factory()
            self._idle = queue.Queue()
            for _ in range(self._size):
                self._idle.put(self._engine())
            self._pid = os.getpid()

    def _engine(self) -> _Engine:
        if self._open_in_child:
            return _Engine(None, self._store_factory, self._evaluator)
        return _Engine(self._store, None, self._evaluator)

    @property
    def store(self) -> ox.Store:
        self._ensure()
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = self._store_factory()
        assert self._store is not None
        return self._store

    def run(self, job: Job, timeout: float) -> Outcome:
        self._ensure()
        try:
            engine = self._idle.get(timeout=self._wait)
        except queue.Empty:
            return Outcome("busy", message="all query engines are busy; try again shortly")
        healthy = False
        try:
            engine.conn.send(job)
            if engine.conn.poll(timeout):
                outcome: Outcome = engine.conn.recv()
                healthy = True
                return outcome
            return Outcome("timeout", message=f"the query ran longer than {timeout:g} s and was stopped")
        except (EOFError, OSError, BrokenPipeError):
            return Outcome("crashed", message=(
                "the query stopped the evaluator (it may be too deeply nested or too large)"))
        finally:
            if healthy:
                self._idle.put(engine)
            else:
                engine.kill()
                self._idle.put(self._engine())

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().kill()
