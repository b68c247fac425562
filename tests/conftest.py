from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest
from rdflib import Graph

from ntrkkg.build.pipeline import BuildResult, build_dataset, write_build
from ntrkkg.config import Settings
from ntrkkg.outputs.dumps import write_dumps
from ntrkkg.sparql.service import QueryService
from ntrkkg.store.local import store_from_build

if TYPE_CHECKING:  # Flask is the optional `serve` extra; only the web fixtures need it, and they import it late.
    from flask import Flask
    from flask.testing import FlaskClient

FIXTURES = Path(__file__).parent / "fixtures"
SOURCE_TABLE = FIXTURES / "source" / "table2.txt"
BASE = "https://w3id.org/ntrkkg/"
#: The fusions Table 2 prints with both partners, as (5′ gene, 3′ gene) (written by hand from the table).
FUSION_PARTNERS = {
    ("ETV6", "NTRK3"),
    ("EML4", "NTRK3"),
    ("LMNA", "NTRK1"),
    ("SPECC1L", "NTRK3"),
    ("TPM3", "NTRK1"),
    ("SYPL1", "BRAF"),
    ("TOP2B", "RAF1"),
}
#: The facet headings of Table 2, in its order (written by hand from the source table).
FACETS = [
    "Histological features",
    "Immunohistochemical features",
    "Genetic features",
    "Radiological features",
    "Prognosis",
    "Differential diagnosis",
    "TRK inhibitor",
]


@pytest.fixture(scope="session")
def built() -> BuildResult:
    return build_dataset(BASE)


@pytest.fixture(scope="session")
def store(built: BuildResult) -> ox.Store:
    return store_from_build(built)


@pytest.fixture(scope="session")
def service(store: ox.Store) -> Iterator[QueryService]:
    """The one door to the session build: vetting and confined engines, as every caller uses."""
    svc = QueryService.open(Settings(), store=store, engines=2)
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def dist(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "dist"
    write_build(out, built, write_dumps)
    return out


def select(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings, for comparing with hand-written answers."""
    prefixes = (
        "PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
    )
    results = store.query(prefixes + sparql, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture
def checkout_copy(tmp_path: Path) -> Path:
    """A private copy of the curated inputs and the package, safe to break."""
    copy = tmp_path / "checkout"
    for name in ("ontology", "data", "shapes", "queries", "src"):
        shutil.copytree(CHECKOUT / name, copy / name)
    shutil.copy(CHECKOUT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def run_cli(checkout: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ntrkkg`` against the package in ``checkout``."""
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    return subprocess.run(
        [sys.executable, "-m", "ntrkkg", *args],
        capture_output=True,
        text=True,
        cwd=cwd or checkout,
        env=env,
        timeout=300,
    )


def serve_command(port: int, dist: Path, *extra: str) -> list[str]:
    """``ntrkkg serve`` on 127.0.0.1:``port`` (never any other address) over ``dist``."""
    return [
        sys.executable,
        "-m",
        "ntrkkg",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dist",
        str(dist),
        *extra,
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(dist: Path, **env: str) -> Iterator[str]:
    """``ntrkkg serve`` on 127.0.0.1 over ``dist`` with these extra ``NTRKKG_*`` variables; yields its URL."""
    import urllib.request

    port = free_port()
    process = subprocess.Popen(
        serve_command(port, dist),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
        cwd=dist.parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=2):
                    break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def live_server(dist: Path) -> Iterator[str]:
    """``ntrkkg serve`` (waitress, two serving processes) on 127.0.0.1, stopped after the session. Yields its URL."""
    with serving(dist, NTRKKG_WORKERS="2", NTRKKG_TIMEOUT="3", NTRKKG_ROW_CAP="5000") as url:
        yield url


@pytest.fixture(scope="session")
def ontology() -> Graph:
    """The ontology alone, as authored (for SHACL tests that validate small fixtures against it)."""
    from ntrkkg.build.loading import parse_turtle
    from ntrkkg.resources import resource_dir, turtle_files

    graph = Graph()
    for path in turtle_files(resource_dir("ontology")):
        parse_turtle(path, graph)
    return graph


@pytest.fixture(scope="session")
def shapes() -> Graph:
    """The shapes graph, as the build loads it."""
    from ntrkkg.build.pipeline import load_inputs

    return load_inputs(BASE)[1]


@pytest.fixture(scope="session")
def app(dist: Path) -> Iterator[Flask]:
    """The Flask app over the session build, with a short timeout and a small row cap."""
    from ntrkkg.config import Settings
    from ntrkkg.web import create_app

    application = create_app(Settings(dist=dist, timeout=3.0, row_cap=5000, engines=2))
    yield application
    application.extensions["ntrkkg"].service.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts (and its first bytes)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.server.settimeout(0.02)  # accept() wakes up to notice close()
        self.received: list[bytes] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(0.5)
                try:
                    first = conn.recv(512)
                except OSError:
                    first = b""
            with self._lock:
                self.received.append(first)

    def settle(self) -> list[bytes]:
        """What was received, once a connection that reached the backlog has been accepted."""
        time.sleep(0.3)
        with self._lock:
            return list(self.received)

    @property
    def connections(self) -> int:
        """How many connections were accepted."""
        return len(self.settle())

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(2)
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback listener, closed after the test."""
    server = Listener()
    yield server
    server.close()
