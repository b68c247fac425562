"""Pictures rendered server-side to SVG with Graphviz: the ontology, and an entity's neighbourhood.

The ontology diagram is drawn from how the data uses each property (which kind of node links to
which), so it cannot drift from the graph. Needs the Graphviz ``dot`` program: without it the build
stops with a message that says how to install it, rather than leaving the pictures out.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from ntrkkg.build.pipeline import BuildError
from ntrkkg.namespaces import NTRKKG

# The kind a node is drawn as: the first of these classes it belongs to.
KINDS = (
    "Statement",
    "TableCell",
    "MarkerFinding",
    "ImagingFinding",
    "CohortSubgroup",
    "GeneFusion",
    "Gene",
    "ImmunohistochemicalMarker",
    "Drug",
    "Reference",
    "CurationNote",
    "Facet",
    "StainingResult",
    "SignalIntensity",
    "OutcomeType",
    "PrognosisCategory",
    "ImagingModality",
    "ImagingSequence",
    "SourceTable",
)
COLOURS = {
    "Statement": "#f6d7a7",
    "TumourType": "#b7d7f0",
    "Disease": "#dbe9f5",
    "GeneFusion": "#c9e7c0",
    "Gene": "#e3f2dc",
    "ImmunohistochemicalMarker": "#f1d0e5",
    "Drug": "#fbe3c4",
    "Reference": "#e6e0f5",
    "Publication": "#e6e0f5",
    "CurationNote": "#f5e6a8",
}


MISSING = (
    "Graphviz's dot program is not installed, and the model diagram and the entity pictures need it: "
    "install it (Debian: apt-get install graphviz; or run bash scripts/quickstart.sh), then build again"
)


def available() -> bool:
    """True when Graphviz's dot program is installed."""
    return shutil.which("dot") is not None


def _kind(graph: Graph, node: URIRef, base: str) -> str | None:
    types = set(graph.objects(node, RDF.type))
    for name in KINDS:
        if NTRKKG[name] in types or any((t, RDFS.subClassOf, NTRKKG[name]) in graph for t in types):
            return name
    if OWL.Class in types and str(node).startswith(base + "disease/"):
        return "TumourType" if NTRKKG.TumourType in graph.transitive_objects(node, RDFS.subClassOf) else "Disease"
    if str(node).startswith("https://doi.org/"):
        return "Publication"
    return None


def property_usage(graph: Graph, base: str) -> Counter[tuple[str, str, str]]:
    """How often each ntrkkg property links a kind of node to another kind."""
    usage: Counter[tuple[str, str, str]] = Counter()
    kinds: dict[object, str | None] = {}
    for s, p, o in graph:
        if not (isinstance(p, URIRef) and str(p).startswith(str(NTRKKG)) and isinstance(o, URIRef)):
            continue
        for node in (s, o):
            if node not in kinds:
                kinds[node] = _kind(graph, node, base) if isinstance(node, URIRef) else None
        if kinds[s] and kinds[o]:
            usage[(kinds[s], str(p).removeprefix(str(NTRKKG)), kinds[o])] += 1  # type: ignore[index]
    return usage


def _render(dot_source: str) -> str:
    """SVG from Graphviz's ``dot`` program (the system package; no Python binding needed)."""
    dot = shutil.which("dot")
    if dot is None:
        raise BuildError(MISSING)
    done = subprocess.run([dot, "-Tsvg"], input=dot_source, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise BuildError(f"Graphviz's dot failed: {done.stderr.strip()[:500]}")
    return done.stdout


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ontology_svg(asserted: Graph, base: str) -> str:
    """The model: kinds of node and the properties that link them, as the data uses them."""
    usage = property_usage(asserted, base)
    lines = [
        "digraph ntrkkg {",
        # Compact ranks and large type: the picture is scaled to the page, and its labels must stay legible there.
        'graph [rankdir=LR, fontname="Helvetica", nodesep=0.1, ranksep=0.3, newrank=true, ratio=compress];',
        'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=14];',
        'edge [fontname="Helvetica", fontsize=12, color="#556677"];',
    ]
    kinds = {k for s, _, o in usage for k in (s, o)}
    for kind in sorted(kinds):
        lines.append(f"{_quote(kind)} [fillcolor={_quote(COLOURS.get(kind, '#eeeeee'))}];")
    pairs: dict[tuple[str, str], list[str]] = {}
    for (s, p, o), _ in sorted(usage.items()):
        pairs.setdefault((s, o), []).append(p)
    for (s, o), properties in sorted(pairs.items()):
        lines.append(f"{_quote(s)} -> {_quote(o)} [label={_quote(chr(10).join(sorted(set(properties))))}];")
    lines.append(f'{_quote("TumourType")} -> {_quote("Disease")} [label="subClassOf", style=dashed];')
    lines.append("}")
    return _render("\n".join(lines))


Node = tuple[str, str, str]  # IRI, label, kind


def neighbourhood_svg(center: Node, edges: Iterable[tuple[Node, str, Node]], link: Callable[[str], str]) -> str:
    """``center`` drawn bold; each edge is (from node, relation, to node); nodes link via ``link``."""
    lines = [
        "digraph neighbourhood {",
        'graph [rankdir=LR, fontname="Helvetica", nodesep=0.2, ranksep=0.6];',
        'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=12];',
        'edge [fontname="Helvetica", fontsize=10, color="#778899"];',
    ]
    nodes = {center[0]: center}
    drawn = []
    for source, relation, target in edges:
        nodes.setdefault(source[0], source)
        nodes.setdefault(target[0], target)
        drawn.append(f"{_quote(source[0])} -> {_quote(target[0])} [label={_quote(relation)}];")
    for iri, label, kind in nodes.values():
        bold = ", penwidth=2" if iri == center[0] else ""
        lines.append(
            f"{_quote(iri)} [label={_quote(label)}, fillcolor={_quote(COLOURS.get(kind, '#f4f4f4'))}, "
            f'URL={_quote(link(iri))}, target="_top"{bold}];'
        )
    lines += sorted(set(drawn))
    lines.append("}")
    return _render("\n".join(lines))
