"""Where the served graph lives: opening and loading stores, and publishing to remote ones.

A store is named by a spec: ``oxigraph:PATH`` is an on-disk pyoxigraph (RocksDB) store that
``ntrkkg load`` fills once and ``ntrkkg serve --store`` opens read-only, with no rebuild;
``sparql:URL`` is a remote SPARQL 1.1 Protocol endpoint that the service forwards queries to
(fill it with ``ntrkkg publish``, over the SPARQL 1.1 Graph Store Protocol).

Loading uses pyoxigraph's bulk loader. It is not atomic over a file: it writes the parsed
quads in batches, each batch ingested by RocksDB as a whole (every quad in all of its indexes,
or none). A load killed part-way leaves a store that opens and answers consistently, holding
some of the file's quads; running the same load again completes it, since loading a quad that
is already there changes nothing.
"""

from __future__ import annotations

import gzip
import io
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from ntrkkg.web.dataset import GraphNames, examples_graph, graph_names, load_store
from ntrkkg.web.engine import Job, Outcome
from ntrkkg.web.formats import BY_KEY, GRAPH_FORMATS
from ntrkkg.web.vetting import inspect

#: The base IRI that ``create_app`` names the asserted and inferred graphs under.
BASE = "https://w3id.org/ntrkkg/"
#: Files at least this large get a progress bar while they load.
PROGRESS_FROM = 4 * 2**20


class BackendError(Exception):
    """A store spec, file or remote store that cannot be used; the message says why."""


def parse_spec(spec: str) -> tuple[str, str]:
    """``("oxigraph", path)`` or ``("sparql", url)`` from ``oxigraph:PATH`` or ``sparql:URL``."""
    kind, _, location = spec.partition(":")
    if kind not in ("oxigraph", "sparql") or not location:
        raise BackendError(f"unknown store {spec!r}: use oxigraph:PATH or sparql:URL")
    if kind == "sparql" and not location.startswith(("http://", "https://")):
        raise BackendError(f"sparql:URL needs an http(s) URL, not {location!r}")
    return kind, location


def default_names(endpoint: str) -> GraphNames:
    return graph_names(BASE, endpoint)


# --- Loading an on-disk store ------------------------------------------------------------

def rdf_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """The RDF format of ``path`` from its extension, and whether it is gzipped."""
    gzipped = path.suffix == ".gz"
    name = path.stem if gzipped else path.name
    extension = Path(name).suffix.lstrip(".")
    fmt = ox.RdfFormat.from_extension(extension) if extension else None
    if fmt is None:
        raise BackendError(f"cannot tell the RDF format of {path} from its extension")
    return fmt, gzipped


class _Counting(io.RawIOBase):
    """A binary reader that reports how many bytes have been read from the file below it."""

    def __init__(self, raw: IO[bytes], advance: Callable[[int], object]) -> None:
        self._raw, self._advance = raw, advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._advance(count)
        return int(count)


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    bytes: int = 0
    quads_before: int = 0
    quads_after: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Quads added per second (quads already in the store are not counted)."""
        return (self.quads_after - self.quads_before) / self.seconds if self.seconds else 0.0


def _bulk_load(store: ox.Store, path: Path, to_graph: ox.NamedNode, progress: bool) -> int:
    from tqdm import tqdm

    fmt, gzipped = rdf_format(path)
    size = path.stat().st_size
    bar = tqdm(total=size, unit="B", unit_scale=True, desc=path.name, file=sys.stderr,
               disable=not progress or size < PROGRESS_FROM)
    with path.open("rb") as raw, bar:
        reader: IO[bytes] = io.BufferedReader(_Counting(raw, bar.update), 2**20)
        if gzipped:
            reader = cast(IO[bytes], gzip.GzipFile(fileobj=reader))  # decompressed as the loader reads
        # to_graph takes the default graph's triples only; named graphs (N-Quads, TriG) keep their names.
        store.bulk_load(reader, format=fmt, to_graph=to_graph)
    return size


def _expand(paths: Iterable[Path], graph: ox.NamedNode,
            names: GraphNames) -> list[tuple[Path | bytes, ox.NamedNode]]:
    """Files to load with their target graph; a dist folder gives its dump, VoID and examples."""
    planned: list[tuple[Path | bytes, ox.NamedNode]] = []
    for path in paths:
        if not path.is_dir():
            planned.append((path, graph))
            continue
        dumps = sorted(path.glob("ntrkkg-*.nq"))
        if not dumps:
            raise BackendError(f"no ntrkkg-*.nq dump in {path}; run `ntrkkg build` first")
        planned.append((dumps[-1], graph))
        if (path / "void.ttl").is_file():
            planned.append((path / "void.ttl", ox.NamedNode(names.void)))
        planned.append((examples_graph().serialize(format="nt", encoding="utf-8"), ox.NamedNode(names.examples)))
    return planned


def load(location: str, paths: Iterable[Path], *, graph: str | None = None, names: GraphNames,
         progress: bool = True) -> LoadReport:
    """Bulk-load RDF files (or dist folders) into the on-disk store at ``location``.

    Named graphs of N-Quads, TriG and JSON-LD keep their names; triples (and a dataset's
    default graph) go to ``graph``, by default the asserted graph. Stop any server reading the
    store first: RocksDB does not support a read-only reader while another process writes.
    """
    target = ox.NamedNode(graph or names.asserted)
    planned = _expand(paths, target, names)
    for item, _ in planned:
        if isinstance(item, Path) and not item.is_file():
            raise FileNotFoundError(f"no such file: {item}")
    Path(location).mkdir(parents=True, exist_ok=True)
    store = ox.Store(location)
    report = LoadReport(quads_before=len(store))
    started = time.perf_counter()
    for item, to_graph in planned:
        if isinstance(item, bytes):
            store.bulk_load(item, format=ox.RdfFormat.N_TRIPLES, to_graph=to_graph)
            report.files.append("(examples)")
            continue
        print(f"loading {item} ({item.stat().st_size / 2**20:.1f} MiB)", file=sys.stderr, flush=True)
        report.bytes += _bulk_load(store, item, to_graph, progress)
        report.files.append(str(item))
    store.flush()
    report.seconds = time.perf_counter() - started
    report.quads_after = len(store)
    return report


def read_only(location: str) -> Callable[[], ox.Store]:
    """A factory that opens the on-disk store read-only, in whichever process calls it."""
    if not (Path(location) / "CURRENT").is_file():
        raise BackendError(f"no oxigraph store at {location}; fill it with `ntrkkg load --store oxigraph:{location}`")

    def open_store() -> ox.Store:
        return ox.Store.read_only(location)

    return open_store


# --- A remote SPARQL endpoint ----------------------------------------------------------------

def _graph_params(name: str, graphs: Iterable[str] | None) -> list[tuple[str, str]]:
    return [(name, g) for g in graphs or ()]


def _graphs(nodes: Iterable[Any] | None) -> list[str] | None:
    return None if nodes is None else [n.value for n in nodes]


@dataclass
class RemoteStore:
    """A SPARQL 1.1 Protocol client that stands in for a pyoxigraph store (queries only)."""

    url: str
    timeout: float = 60.0
    session: requests.Session = field(default_factory=requests.Session)

    def post(self, query: str, accept: str, default_graphs: Iterable[str] | None = None,
             named_graphs: Iterable[str] | None = None, *, stream: bool = False) -> requests.Response:
        data = [("query", query), *_graph_params("default-graph-uri", default_graphs),
                *_graph_params("named-graph-uri", named_graphs)]
        return self.session.post(self.url, data=data, headers={"Accept": accept}, timeout=self.timeout,
                                 stream=stream)

    def query(self, query: str, *, default_graph: Iterable[Any] | None = None,
              named_graphs: Iterable[Any] | None = None, use_default_graph_as_union: bool = False) -> Any:
        """Like ``pyoxigraph.Store.query``: solutions, a boolean, or triples, parsed by pyoxigraph."""
        if use_default_graph_as_union:
            raise ValueError("a remote store cannot take the union of its graphs; name the default graphs")
        graph = inspect(query).form in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph else "application/sparql-results+json"
        response = self.post(query, accept, _graphs(default_graph), _graphs(named_graphs))
        if response.status_code != 200:
            raise OSError(f"{self.url} answered {response.status_code}: {response.text[:500]}")
        if not graph:
            return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        triples = ox.Store()
        triples.load(response.content, format=ox.RdfFormat.N_TRIPLES)
        return triples.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def remote(url: str, timeout: float) -> Callable[[], RemoteStore]:
    """A factory of remote-store clients; each engine process makes its own HTTP session."""
    return lambda: RemoteStore(url, timeout=timeout)


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _read_capped(response: requests.Response, limit: int) -> bytes | None:
    chunks, size = [], 0
    for chunk in response.iter_content(2**16):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes, media_type: str) -> Any:
    """The remote's answer parsed by pyoxigraph: solutions, a boolean, or a list of triples."""
    results = ox.QueryResultsFormat.from_media_type(media_type)
    if results is not None:
        return ox.parse_query_results(body, results)
    rdf = ox.RdfFormat.from_media_type(media_type)
    if rdf is not None:
        return list(ox.parse(body, rdf))
    raise ValueError(f"the SPARQL endpoint answered in {media_type or 'no stated type'}, which cannot be read")


def _serialize(parsed: Any, fmt: ox.QueryResultsFormat | ox.RdfFormat) -> bytes:
    if isinstance(parsed, list):
        return bytes(ox.serialize(parsed, format=fmt))  # type: ignore[arg-type]
    return bytes(parsed.serialize(format=fmt))


def _rows(body: bytes, media_type: str) -> int:
    if media_type == "text/csv":
        import csv

        return max(sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1, 0)
    parsed = _parse(body, media_type)
    return 1 if isinstance(parsed, ox.QueryBoolean) else sum(1 for _ in parsed)


def forward(store: RemoteStore, job: Job) -> Outcome:
    """Answer a job by forwarding it to the remote endpoint (an engine ``evaluator``).

    The remote answers in the requested format; if it picks another, the answer is converted.
    The row and byte caps apply as for the embedded store.
    """
    fmt = BY_KEY[job.format]
    try:
        with store.post(job.query, fmt.media_type, job.default_graphs, job.named_graphs, stream=True) as response:
            status, media_type = response.status_code, _media_type(response)
            body = _read_capped(response, job.max_bytes)
    except requests.Timeout:
        return Outcome("timeout", message="the SPARQL endpoint behind this service did not answer in time")
    except requests.RequestException as error:
        return Outcome("busy", message=(
            f"the SPARQL endpoint behind this service is unavailable ({type(error).__name__})"))
    if body is None:
        return Outcome("too-large", message=f"the serialised result exceeds {job.max_bytes:,} bytes")
    if status != 200:
        text = body.decode("utf-8", "replace").strip()[:1000]
        kind = "busy" if status in (502, 503, 504) else "error"
        return Outcome(kind, message=f"the SPARQL endpoint behind this service answered {status}: {text}")
    graph = fmt in GRAPH_FORMATS
    try:
        if media_type not in (fmt.media_type, *fmt.aliases):
            body = _serialize(_parse(body, media_type), fmt.oxigraph)
        # Every row takes at least two bytes, so a short body cannot exceed the cap.
        if len(body) > 2 * job.row_cap and _rows(body, fmt.media_type) > job.row_cap:
            return Outcome("too-large", message=(
                f"the result has more than {job.row_cap:,} {'triples' if graph else 'rows'}, this endpoint's cap; "
                "narrow the query, page through it with LIMIT and OFFSET, or use the dumps"))
    except (SyntaxError, ValueError, OSError) as error:
        return Outcome("error", message=f"the SPARQL endpoint's answer could not be read: {error}")
    return Outcome("ok", body, kind="graph" if graph else "solutions")


def app_options(spec: str, timeout: float) -> dict[str, Any]:
    """``create_app`` keyword arguments that serve the store named by ``spec``."""
    kind, location = parse_spec(spec)
    if kind == "oxigraph":
        return {"store_factory": read_only(location), "open_in_child": True}
    return {"store_factory": remote(location, timeout + 5), "open_in_child": True, "evaluator": forward}


# --- Publishing over the Graph Store Protocol ------------------------------------------------

@dataclass(frozen=True)
class Published:
    graph: str
    triples: int
    status: int


def _auth(credentials: str | None, digest: bool) -> AuthBase | None:
    if credentials is None:
        return None
    user, sep, password = credentials.partition(":")
    if not sep:
        raise BackendError("--auth takes user:password")
    return HTTPDigestAuth(user, password) if digest else HTTPBasicAuth(user, password)


def source_store(dist: Path, spec: str | None, names: GraphNames) -> ox.Store:
    """What ``publish`` sends: an on-disk store, or the build in ``dist`` with VoID and examples."""
    if spec is None:
        return load_store(dist, names)
    kind, location = parse_spec(spec)
    if kind != "oxigraph":
        raise BackendError("publish reads from a dist folder or an oxigraph:PATH store")
    return read_only(location)()


def publish(store: ox.Store, to: str, *, credentials: str | None = None, digest: bool = False,
            timeout: float = 300.0) -> list[Published]:
    """PUT each named graph of ``store`` to the Graph Store Protocol endpoint ``to``.

    PUT replaces the graph, so publishing again leaves the remote with exactly this data.
    Each graph is sent as N-Triples (``application/n-triples``), named by the ``graph``
    parameter (``to`` is e.g. Oxigraph's ``/store`` or Virtuoso's ``/sparql-graph-crud-auth``).
    """
    session = requests.Session()
    session.auth = _auth(credentials, digest)
    done = []
    for graph in sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)):
        body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        assert body is not None
        response = session.put(to, params={"graph": graph}, data=body, timeout=timeout,
                               headers={"Content-Type": "application/n-triples"})
        if response.status_code not in (200, 201, 204):
            raise BackendError(f"{to} refused graph {graph}: {response.status_code} {response.text[:500]}")
        done.append(Published(graph, body.count(b"\n"), response.status_code))
    return done
