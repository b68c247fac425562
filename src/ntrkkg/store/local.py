"""Local stores: find the build in a dist folder, load it in memory, or open an on-disk store.

An on-disk store is a pyoxigraph (RocksDB) folder that :func:`bulk_load` fills once and the
service opens read-only. Loading replaces every graph it writes: the graphs a file fills are
cleared first, so loading the same files twice leaves the store as after the first load.
"""

from __future__ import annotations

import gzip
import io
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from ntrkkg.build.examples import examples_graph
from ntrkkg.build.pipeline import BuildResult
from ntrkkg.formats import by_suffix
from ntrkkg.namespaces import GraphNames

__all__ = [
    "LoadReport",
    "StoreError",
    "bulk_load",
    "find_dump",
    "read_only",
    "serving_store",
    "store_from_build",
    "store_from_dist",
]

#: Files at least this large get a progress bar while they load.
PROGRESS_FROM = 4 * 2**20
_VERSIONED_DUMP = re.compile(r"ntrkkg-(.+)\.nq")


class StoreError(Exception):
    """A store, spec or file that cannot be used; the message says why."""


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    """``0.10.0`` after ``0.9.0``: numeric parts compare as numbers."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"[.\-+]", version))


def find_dump(dist: Path) -> Path | None:
    """The N-Quads dump of the newest dataset version in ``dist``, if any."""
    found = [
        (match.group(1), path) for path in dist.glob("ntrkkg-*.nq") if (match := _VERSIONED_DUMP.fullmatch(path.name))
    ]
    return max(found, key=lambda item: _version_key(item[0]))[1] if found else None


def store_from_build(result: BuildResult) -> ox.Store:
    """An in-memory store with the asserted and inferred graphs of ``result``."""
    store = ox.Store()
    store.bulk_load(result.dataset().serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def store_from_dist(dist: Path) -> ox.Store:
    """An in-memory store loaded from the N-Quads dump in ``dist``."""
    dump = find_dump(dist)
    if dump is None:
        raise StoreError(f"no ntrkkg-*.nq dump in {dist}; run `ntrkkg build` first")
    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    return store


def _extras(dist: Path, base: str, names: GraphNames) -> list[tuple[Path | bytes, ox.NamedNode]]:
    """VoID and the example queries, each in its own named graph."""
    extras: list[tuple[Path | bytes, ox.NamedNode]] = []
    if (dist / "void.ttl").is_file():
        extras.append((dist / "void.ttl", ox.NamedNode(names.void)))
    extras.append((examples_graph(base).serialize(format="nt", encoding="utf-8"), ox.NamedNode(names.examples)))
    return extras


def serving_store(dist: Path, base: str, names: GraphNames) -> ox.Store:
    """What the service answers from: the dump, plus VoID and the examples in their own graphs."""
    store = store_from_dist(dist)
    for item, graph in _extras(dist, base, names):
        if isinstance(item, Path):
            store.bulk_load(path=str(item), format=ox.RdfFormat.TURTLE, to_graph=graph)
        else:
            store.bulk_load(item, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    return store


def read_only(location: str) -> Callable[[], ox.Store]:
    """A factory that opens the on-disk store read-only, in whichever process calls it."""
    if not (Path(location) / "CURRENT").is_file():
        raise StoreError(f"no oxigraph store at {location}; fill it with `ntrkkg load --store oxigraph:{location}`")
    return lambda: ox.Store.read_only(location)


# --- Bulk loading ------------------------------------------------------------------------------


def rdf_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """The RDF format of ``path`` from its extension, and whether it is gzipped."""
    gzipped = path.suffix == ".gz"
    name = path.stem if gzipped else path.name
    fmt = by_suffix(Path(name).suffix)
    if fmt is None:
        raise StoreError(f"cannot tell the RDF format of {path} from its extension")
    return fmt.oxigraph, gzipped


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


def _open(path: Path, advance: Callable[[int], object] = lambda _: None) -> IO[bytes]:
    reader: IO[bytes] = io.BufferedReader(_Counting(path.open("rb"), advance), 2**20)
    if rdf_format(path)[1]:
        reader = cast(IO[bytes], gzip.GzipFile(fileobj=reader))  # decompressed as the loader reads
    return reader


def _graphs_in(item: Path | bytes, to_graph: ox.NamedNode) -> set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    """The graphs a file writes into: ``to_graph`` for triples, the named graphs of a dataset."""
    if isinstance(item, bytes) or not rdf_format(item)[0].supports_datasets:
        return {to_graph}
    with _open(item) as reader:
        return {
            to_graph if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
            for q in ox.parse(reader, format=rdf_format(item)[0])
        }


@dataclass
class LoadReport:
    """What a load did."""

    files: list[str] = field(default_factory=list)
    bytes: int = 0
    graphs: list[str] = field(default_factory=list)
    quads_before: int = 0
    quads_after: int = 0
    seconds: float = 0.0


def _plan(
    paths: Iterable[Path], graph: ox.NamedNode, base: str, names: GraphNames
) -> list[tuple[Path | bytes, ox.NamedNode]]:
    planned: list[tuple[Path | bytes, ox.NamedNode]] = []
    for path in paths:
        if not path.is_dir():
            if not path.is_file():
                raise StoreError(f"no such file: {path}")
            rdf_format(path)
            planned.append((path, graph))
            continue
        dump = find_dump(path)
        if dump is None:
            raise StoreError(f"no ntrkkg-*.nq dump in {path}; run `ntrkkg build` first")
        planned += [(dump, graph), *_extras(path, base, names)]
    return planned


def bulk_load(
    location: str,
    paths: Iterable[Path],
    *,
    base: str,
    names: GraphNames,
    graph: str | None = None,
    progress: bool = True,
) -> LoadReport:
    """Load RDF files (or dist folders) into the on-disk store at ``location``, replacing the graphs they fill.

    Named graphs of N-Quads, TriG and JSON-LD keep their names; triples (and a dataset's default
    graph) go to ``graph``, by default the asserted graph. Stop any server reading the store first.
    """
    from tqdm import tqdm

    target = ox.NamedNode(graph or names.asserted)
    planned = _plan(paths, target, base, names)
    Path(location).mkdir(parents=True, exist_ok=True)
    store = ox.Store(location)
    report = LoadReport(quads_before=len(store))
    started = time.perf_counter()
    graphs = set().union(*(_graphs_in(item, to_graph) for item, to_graph in planned))
    for name in graphs:
        store.clear_graph(name)
    report.graphs = sorted(g.value if isinstance(g, ox.NamedNode) else str(g) for g in graphs)
    for item, to_graph in planned:
        if isinstance(item, bytes):
            store.bulk_load(item, format=ox.RdfFormat.N_TRIPLES, to_graph=to_graph)
            report.files.append("(examples)")
            continue
        size = item.stat().st_size
        print(f"loading {item} ({size / 2**20:.1f} MiB)", file=sys.stderr, flush=True)
        bar = tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc=item.name,
            file=sys.stderr,
            disable=not progress or size < PROGRESS_FROM,
        )
        with bar, _open(item, bar.update) as reader:
            store.bulk_load(reader, format=rdf_format(item)[0], to_graph=to_graph)
        report.bytes += size
        report.files.append(str(item))
    store.flush()
    report.seconds = time.perf_counter() - started
    report.quads_after = len(store)
    return report
