"""The build: load the curated files, reason, validate, and write the dumps atomically."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, Dataset, Graph

from ntrkkg.build.loading import load_files, rebase
from ntrkkg.build.reasoning import infer
from ntrkkg.build.validation import ValidationReport, validate
from ntrkkg.config import check_base
from ntrkkg.namespaces import AUTHORED_BASE, dataset_iri, graph_iri
from ntrkkg.resources import resource_dir, turtle_files


class BuildError(Exception):
    """The build failed; the message is a report for a person."""


@dataclass
class BuildResult:
    """The graphs of one build, and how long each stage took (seconds)."""

    base: str
    asserted: Graph
    inferred: Graph
    shapes: Graph
    report: ValidationReport
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The dataset version (owl:versionInfo of the dataset)."""
        value = self.asserted.value(dataset_iri(self.base), OWL.versionInfo)
        return str(value) if value is not None else "0"

    def dataset(self) -> Dataset:
        """The asserted and inferred graphs as named graphs of one rdflib Dataset."""
        ds = Dataset()
        for name, graph in (("asserted", self.asserted), ("inferred", self.inferred)):
            target = ds.graph(graph_iri(name, self.base))
            for triple in graph:
                target.add(triple)
        for prefix, ns in self.asserted.namespaces():
            ds.bind(prefix, ns, replace=True)
        return ds


@contextmanager
def _stage(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def dataset_version() -> str:
    """The dataset version declared in data/dataset.ttl (owl:versionInfo of the dataset)."""
    graph = Graph().parse(resource_dir("data") / "dataset.ttl", format="turtle")
    value = graph.value(dataset_iri(), OWL.versionInfo)
    return str(value) if value is not None else "unknown"


def _base(base: str) -> str:
    try:
        return check_base(base)
    except ValueError as error:
        raise BuildError(f"base IRI {base!r}: {error}") from None


def load_inputs(base: str = AUTHORED_BASE) -> tuple[Graph, Graph]:
    """The asserted graph (ontology + data) and the shapes graph, rebased to ``base``."""
    base = _base(base)
    asserted = load_files(turtle_files(resource_dir("ontology")) + turtle_files(resource_dir("data")))
    shapes = load_files(turtle_files(resource_dir("shapes")))
    return rebase(asserted, base), rebase(shapes, base)


def build_dataset(base: str = AUTHORED_BASE, *, check: bool = True) -> BuildResult:
    """Load, reason and validate. Raises :class:`BuildError` if the graph violates a shape."""
    base = _base(base)
    timings: dict[str, float] = {}
    with _stage(timings, "load"):
        asserted, shapes = load_inputs(base)
    with _stage(timings, "reason"):
        inferred = infer(asserted)
    with _stage(timings, "validate"):
        union = Graph()
        for graph in (asserted, inferred):
            for triple in graph:
                union.add(triple)
        report = validate(union, shapes)
    result = BuildResult(base, asserted, inferred, shapes, report, timings)
    if check and not report.conforms:
        raise BuildError("The graph violates its shapes:\n\n" + report.in_words())
    return result


def write_build(out: Path, result: BuildResult, writer: Callable[[Path, BuildResult], None]) -> None:
    """Write into a fresh folder beside ``out``, then swap it into place.

    A failure anywhere leaves the previous ``out`` untouched.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        staging.chmod(0o755)
        writer(staging, result)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
            out.rename(retired / out.name)
            staging.rename(out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
