"""The engine sandbox, checked in forked children: the pytest process itself is never confined.

Network tests talk only to a listener on 127.0.0.1 that this module starts.
"""

from __future__ import annotations

import errno
import gc
import io
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
import pytest

from conftest import Listener
from ntrkkg.sparql import kernel, sandbox

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox uses Linux mechanisms")

LANDLOCK_ABI = sandbox.landlock_abi() if sys.platform.startswith("linux") else 0
HAS_SECCOMP = sandbox._seccomp_usable() if sys.platform.startswith("linux") else False
needs_seccomp = pytest.mark.skipif(not HAS_SECCOMP, reason="seccomp (pyseccomp with libseccomp.so.2) unavailable")
needs_landlock = pytest.mark.skipif(LANDLOCK_ABI == 0, reason="the kernel offers no Landlock")
needs_full = pytest.mark.skipif(not (HAS_SECCOMP and LANDLOCK_ABI), reason="needs both seccomp and Landlock")

EX = "http://example.org/"


def in_child(fn: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Run ``fn`` in a forked child and return its result; re-raise its exception as text."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)

    def target() -> None:
        try:
            reply: tuple[str, Any] = ("ok", fn())
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the test
            reply = ("raised", "".join(traceback.format_exception_only(type(exc), exc)))
        sender.send(reply)

    process = ctx.Process(target=target, daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            pytest.fail(f"the child did not answer within {timeout} s")
        status, value = receiver.recv()
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()
    if status != "ok":
        pytest.fail(f"the child raised: {value}")
    return value


def outcome(fn: Callable[[], Any]) -> str:
    """``ok`` or the exception's class and errno, for asserting what a confined call did."""
    try:
        fn()
    except OSError as exc:
        reason = getattr(exc, "reason", None)  # urllib's URLError wraps the socket's error
        code = exc.errno or (reason.errno if isinstance(reason, OSError) else None)
        return f"{type(exc).__name__}:{errno.errorcode[code]}" if code else type(exc).__name__
    except Exception as exc:
        return type(exc).__name__
    return "ok"


def query_service(url: str) -> list[ox.QuerySolution]:
    """What an engine does with a SERVICE clause: pyoxigraph sends the inner pattern to ``url``."""
    return list(cast(ox.QuerySolutions, ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")))


def status_fields(fd: int) -> dict[str, str]:
    """Fields of /proc/self/status read through an fd opened before confining."""
    text = os.pread(fd, 16384, 0).decode()
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


# --- network -------------------------------------------------------------------------------------------------


class TestNetwork:
    def test_unconfined_pyoxigraph_posts_to_service(self, listener: Listener) -> None:
        # the control: without the sandbox, SERVICE really reaches the target
        url = f"http://127.0.0.1:{listener.port}/sparql"
        in_child(lambda: outcome(lambda: query_service(url)))
        received = listener.settle()
        assert len(received) == 1
        assert received[0].startswith(b"POST /sparql")

    @needs_seccomp
    def test_confined_child_connects_nowhere(self, listener: Listener) -> None:
        port = listener.port

        def attempt() -> dict[str, str]:
            sandbox.confine()
            url = f"http://127.0.0.1:{port}/sparql"
            return {
                "create_connection": outcome(lambda: socket.create_connection(("127.0.0.1", port), timeout=2)),
                "urlopen": outcome(lambda: urllib.request.urlopen(url, timeout=2)),
                "service": outcome(lambda: query_service(url)),
            }

        results = in_child(attempt)
        assert results == {
            "create_connection": "PermissionError:EACCES",
            "urlopen": "URLError:EACCES",
            "service": "PermissionError",  # pyoxigraph's, from "os error 13" (EACCES)
        }
        assert listener.settle() == []

    @needs_seccomp
    def test_only_unix_sockets_can_be_created(self) -> None:
        families = {
            "inet": socket.AF_INET,
            "inet6": socket.AF_INET6,
            "netlink": socket.AF_NETLINK,
            "packet": socket.AF_PACKET,
        }

        def attempt() -> dict[str, str]:
            sandbox.confine()
            results = {
                name: outcome(partial(socket.socket, family, socket.SOCK_DGRAM)) for name, family in families.items()
            }
            results["unix"] = outcome(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())
            left, right = socket.socketpair()
            left.sendall(b"ping")
            results["socketpair"] = right.recv(4).decode()
            return results

        results = in_child(attempt)
        assert results == {
            "inet": "PermissionError:EACCES",
            "inet6": "PermissionError:EACCES",
            "netlink": "PermissionError:EACCES",
            "packet": "PermissionError:EACCES",
            "unix": "ok",
            "socketpair": "ping",
        }

    @needs_landlock
    def test_allow_network_reaches_the_listener(self, listener: Listener) -> None:
        port = listener.port

        def attempt() -> dict[str, Any]:
            confinement = sandbox.confine(allow_network=True, require=False)
            with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                conn.sendall(b"hello")
            # a host name: resolving it reads /etc/hosts, which the network engine may read
            url = f"http://localhost:{port}/sparql"
            return {
                "network_blocked": confinement.network_blocked,
                "service": outcome(lambda: query_service(url)),
                "passwd": outcome(lambda: open("/etc/passwd").close()),
            }

        results = in_child(attempt)
        assert results["network_blocked"] is False
        assert results["passwd"] == "PermissionError:EACCES"  # files stay restricted
        received = listener.settle()
        assert received[0] == b"hello"
        assert any(data.startswith(b"POST /sparql") for data in received[1:]), results

    @needs_landlock
    @pytest.mark.skipif(not os.path.isdir("/etc/ssl/certs"), reason="no system CA certificates")
    def test_allow_network_engine_can_start_tls(self, listener: Listener) -> None:
        # rustls loads the system CA certificates on first use and aborts the process when it finds none
        port = listener.port

        def attempt() -> str:
            sandbox.confine(allow_network=True, require=False)
            return outcome(lambda: query_service(f"https://localhost:{port}/sparql"))

        assert in_child(attempt) == "OSError"  # the listener speaks no TLS
        assert listener.settle()[0][:1] == b"\x16"  # a TLS handshake record: certificates loaded, connection made

    @pytest.mark.skipif(LANDLOCK_ABI < 4, reason="Landlock denies TCP only from ABI 4")
    def test_landlock_alone_denies_tcp(self, listener: Listener) -> None:
        # the second layer, for a kernel without seccomp: sockets open, but TCP connect fails
        port = listener.port

        def attempt() -> str:
            kernel._prctl(kernel._PR_SET_NO_NEW_PRIVS, 1)
            kernel._landlock(LANDLOCK_ABI, readable=[], block_tcp=True)
            return outcome(lambda: socket.create_connection(("127.0.0.1", port), timeout=2))

        assert in_child(attempt) == "PermissionError:EACCES"
        assert listener.settle() == []


# --- files ---------------------------------------------------------------------------------------------------


def make_store(path: Path) -> None:
    store = ox.Store(str(path))
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("on disk")))
    store.flush()
    del store
    gc.collect()  # closes RocksDB, releasing its lock


@needs_landlock
class TestFiles:
    def test_reads_only_below_the_store_and_writes_nowhere(self, tmp_path: Path) -> None:
        store_dir = tmp_path / "store"
        store_dir.mkdir()
        (store_dir / "inside.txt").write_text("inside")
        (tmp_path / "outside.txt").write_text("outside")

        def attempt() -> dict[str, str]:
            sandbox.confine(store_dir=str(store_dir), require=False)
            return {
                "passwd": outcome(lambda: open("/etc/passwd").close()),
                "outside": outcome(lambda: (tmp_path / "outside.txt").read_text()),
                "inside": (store_dir / "inside.txt").read_text(),
                "list store": ",".join(os.listdir(store_dir)),
                "list tmp": outcome(lambda: os.listdir(tmp_path)),
                "append inside": outcome(lambda: open(store_dir / "inside.txt", "a").close()),
                "create inside": outcome(lambda: (store_dir / "new.txt").write_text("x")),
                "create outside": outcome(lambda: (tmp_path / "new.txt").write_text("x")),
                "create in /tmp": outcome(lambda: open("/tmp/ntrkkg-sandbox-test", "w").close()),
                "mkdir": outcome(lambda: os.mkdir(store_dir / "sub")),
                "unlink": outcome(lambda: os.unlink(store_dir / "inside.txt")),
                "truncate": outcome(lambda: os.truncate(store_dir / "inside.txt", 0)),
            }

        results = in_child(attempt)
        denied = "PermissionError:EACCES"
        assert results == {
            "passwd": denied,
            "outside": denied,
            "inside": "inside",
            "list store": "inside.txt",
            "list tmp": denied,
            "append inside": denied,
            "create inside": denied,
            "create outside": denied,
            "create in /tmp": denied,
            "mkdir": denied,
            "unlink": denied,
            "truncate": denied if LANDLOCK_ABI >= 3 else "ok",
        }
        assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.txt", "store"]
        assert (store_dir / "inside.txt").read_text() == "inside"

    @pytest.mark.parametrize("open_first", [False, True], ids=["opened-after", "opened-before"])
    def test_read_only_rocksdb_store_answers(self, tmp_path: Path, open_first: bool) -> None:
        path = tmp_path / "store"
        make_store(path)
        files = sorted(os.listdir(path))

        def attempt() -> list[str]:
            store = ox.Store.read_only(str(path)) if open_first else None
            sandbox.confine(store_dir=str(path), require=False)
            store = store or ox.Store.read_only(str(path))
            rows = cast(ox.QuerySolutions, store.query("SELECT ?o WHERE { ?s ?p ?o }"))
            return [str(row["o"]) for row in rows]

        assert in_child(attempt) == ['"on disk"']
        assert sorted(os.listdir(path)) == files  # nothing written: no LOG, no LOCK taken

    def test_writable_store_cannot_be_opened(self, tmp_path: Path) -> None:
        path = tmp_path / "store"
        make_store(path)

        def attempt() -> str:
            sandbox.confine(store_dir=str(path), require=False)
            return outcome(lambda: ox.Store(str(path)))

        assert in_child(attempt) == "OSError"

    def test_without_store_dir_no_store_opens(self, tmp_path: Path) -> None:
        path = tmp_path / "store"
        make_store(path)

        def attempt() -> str:
            sandbox.confine(require=False)
            return outcome(lambda: ox.Store.read_only(str(path)))

        assert in_child(attempt) == "OSError"


# --- processes, capabilities and limits ----------------------------------------------------------------------


class TestProcesses:
    @needs_seccomp
    def test_no_program_and_no_process_but_threads(self) -> None:
        def attempt() -> dict[str, str]:
            sandbox.confine(require=False)
            box: list[int] = []
            thread = threading.Thread(target=lambda: box.append(1))
            thread.start()
            thread.join()

            def fork() -> None:
                if os.fork() == 0:
                    os._exit(0)

            return {
                "subprocess": outcome(lambda: subprocess.run(["true"], check=True)),
                "execv": outcome(lambda: os.execv("/bin/true", ["true"])),
                "fork": outcome(fork),
                "thread": "ok" if box == [1] else "no thread",
            }

        assert in_child(attempt) == {
            "subprocess": "PermissionError:EPERM",
            "execv": "PermissionError:EPERM",
            "fork": "PermissionError:EPERM",
            "thread": "ok",
        }

    @needs_full
    def test_status_shows_seccomp_no_new_privs_and_no_capabilities(self) -> None:
        def attempt() -> dict[str, str]:
            fd = os.open("/proc/self/status", os.O_RDONLY)  # opened before: Landlock does not revoke it
            sandbox.confine()
            return status_fields(fd)

        fields = in_child(attempt)
        assert fields["Seccomp"] == "2"  # filter mode
        assert fields["NoNewPrivs"] == "1"
        assert int(fields["CapEff"], 16) == int(fields["CapPrm"], 16) == int(fields["CapBnd"], 16) == 0

    @pytest.mark.skipif(LANDLOCK_ABI < 6, reason="Landlock scopes signals only from ABI 6")
    def test_cannot_signal_the_parent(self) -> None:
        def attempt() -> dict[str, str]:
            sandbox.confine(require=False)
            return {
                "parent": outcome(lambda: os.kill(os.getppid(), 0)),
                "self": outcome(lambda: os.kill(os.getpid(), 0)),
            }

        assert in_child(attempt) == {"parent": "PermissionError:EPERM", "self": "ok"}

    def test_refuses_a_threaded_process(self) -> None:
        def attempt() -> str:
            stop = threading.Event()
            thread = threading.Thread(target=stop.wait)
            thread.start()
            try:
                return outcome(sandbox.confine)
            finally:
                stop.set()
                thread.join()

        assert in_child(attempt) == "SandboxError"


class TestLimits:
    def test_core_and_address_space(self) -> None:
        def attempt() -> dict[str, Any]:
            with open("/proc/self/status") as f:
                size = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
            limit = size + 256 * 2**20
            sandbox.confine(memory_bytes=limit, require=False)
            return {
                "limit": limit,
                "core": resource.getrlimit(resource.RLIMIT_CORE),
                "as": resource.getrlimit(resource.RLIMIT_AS),
                "small": outcome(lambda: bytearray(16 * 2**20)),
                "big": outcome(lambda: bytearray(1024 * 2**20)),
                "raise": outcome(lambda: resource.setrlimit(resource.RLIMIT_AS, (limit * 2, limit * 2))),
            }

        results = in_child(attempt)
        limit = results["limit"]
        assert results["core"] == (0, 0)
        assert results["as"] == (limit, limit)
        assert results["small"] == "ok"
        assert results["big"] == "MemoryError"
        assert results["raise"] == "ValueError"  # the hard limit holds, even for root: no CAP_SYS_RESOURCE

    def test_open_files(self) -> None:
        def attempt() -> str:
            sandbox.confine(open_files=64, require=False)
            pipes = []
            try:
                for _ in range(64):
                    pipes.append(os.pipe())
            except OSError as exc:
                return errno.errorcode[exc.errno or 0]
            return "no limit"

        assert in_child(attempt) == "EMFILE"

    def test_missing_store_dir_is_refused(self, tmp_path: Path) -> None:
        missing = str(tmp_path / "missing")
        assert in_child(lambda: outcome(lambda: sandbox.confine(store_dir=missing))) == "SandboxError"

    def test_memory_below_current_use_is_refused(self) -> None:
        assert in_child(lambda: outcome(lambda: sandbox.confine(memory_bytes=2**20))) == "SandboxError"


# --- an engine's work ----------------------------------------------------------------------------------------


SOLUTION_FORMATS = [
    ox.QueryResultsFormat.JSON,
    ox.QueryResultsFormat.XML,
    ox.QueryResultsFormat.CSV,
    ox.QueryResultsFormat.TSV,
]
GRAPH_FORMATS = [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD]


def engine_work(store: ox.Store) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fmt in SOLUTION_FORMATS:
        for kind, query in (("select", "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o"), ("ask", "ASK { ?s ?p ?o }")):
            sink = io.BytesIO()
            cast(ox.QuerySolutions | ox.QueryBoolean, store.query(query)).serialize(sink, format=fmt)
            out[f"{kind} {fmt.name}"] = sink.getvalue()
    for rdf_format in GRAPH_FORMATS:
        sink = io.BytesIO()
        cast(ox.QueryTriples, store.query("CONSTRUCT WHERE { ?s ?p ?o }")).serialize(sink, format=rdf_format)
        out[f"construct {rdf_format.name}"] = sink.getvalue()
    try:
        store.query("SELECT WHERE")
    except SyntaxError:
        out["syntax error"] = traceback.format_exc()
    return out


@needs_landlock
class TestEngine:
    @pytest.mark.parametrize("read_python", [True, False], ids=["python-readable", "preloaded"])
    def test_in_memory_store_answers_and_serialises(self, read_python: bool) -> None:
        store = ox.Store()
        for i, text in enumerate(["zéro", "un"]):
            store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(text, language="fr")))
        if not read_python:
            sandbox.preload()

        def attempt() -> dict[str, Any]:
            ctx = multiprocessing.get_context("fork")
            # the engine's link to its parent: a Pipe made before confining, used after it
            receiver, sender = ctx.Pipe(duplex=False)
            sandbox.confine(read_python=read_python, require=False)
            before = set(sys.modules)
            sender.send(engine_work(store))
            answer: dict[str, Any] = receiver.recv()
            answer["imported after confining"] = sorted(set(sys.modules) - before)
            return answer

        out = in_child(attempt)
        rows = json.loads(out["select SPARQL Results in JSON"])["results"]["bindings"]
        assert [row["o"]["value"] for row in rows] == ["un", "zéro"]
        assert json.loads(out["ask SPARQL Results in JSON"])["boolean"] is True
        assert b"<boolean>true</boolean>" in out["ask SPARQL Results in XML"]
        assert "zéro".encode() in out["select SPARQL Results in XML"]
        assert out["select SPARQL Results in CSV"].startswith(b"s,o\r\n")
        assert out["select SPARQL Results in TSV"].startswith(b"?s\t?o\n")
        assert '"zéro"@fr'.encode() in out["construct Turtle"]
        assert out["construct N-Triples"].count(b" .\n") == 2
        assert b"rdf:RDF" in out["construct RDF/XML"]
        assert json.loads(out["construct JSON-LD"])
        assert "SyntaxError" in out["syntax error"]
        assert out["imported after confining"] == []


# --- probing -------------------------------------------------------------------------------------------------


class TestProbe:
    def test_probe_reports_without_confining_the_caller(self, listener: Listener) -> None:
        started = time.monotonic()
        found = sandbox.probe()
        elapsed = time.monotonic() - started
        assert elapsed < 0.5
        assert found.landlock_abi == LANDLOCK_ABI
        assert found.seccomp == HAS_SECCOMP
        assert found.network_blocked == HAS_SECCOMP
        assert found.files_restricted == (LANDLOCK_ABI > 0)
        assert "\n" not in found.describe()
        assert json.loads(json.dumps(found.to_dict())) == found.to_dict()
        # the caller is untouched: it still reads, connects and has no filter
        with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as conn:
            conn.sendall(b"after probe")
        assert listener.settle() == [b"after probe"]
        fd = os.open("/proc/self/status", os.O_RDONLY)
        try:
            assert status_fields(fd)["Seccomp"] == "0"
        finally:
            os.close(fd)
        assert Path("/etc/passwd").read_text()
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY

    def test_describe_names_what_is_missing(self) -> None:
        bare = sandbox.Confinement(
            seccomp=False, landlock_abi=0, network_blocked=False, files_restricted=False, memory_bytes=None
        )
        line = bare.describe()
        assert "seccomp OFF" in line and "landlock OFF" in line and "network OPEN" in line
