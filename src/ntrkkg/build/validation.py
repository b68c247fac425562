"""SHACL validation, and its report in words."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pyshacl
from rdflib import RDF, SH, BNode, Graph, URIRef
from rdflib.term import Node


@dataclass(frozen=True)
class Violation:
    """One SHACL result: what failed, where, and why."""

    severity: str
    focus_node: str
    path: str
    shape: str
    message: str
    value: str

    def in_words(self) -> str:
        """The result in words, as a report for a person."""
        parts = [f"{self.severity}: {self.focus_node}"]
        if self.path:
            parts.append(f"  path:    {self.path}")
        if self.value:
            parts.append(f"  value:   {self.value}")
        parts.append(f"  shape:   {self.shape}")
        parts.append(f"  message: {self.message}")
        return "\n".join(parts)


@dataclass
class ValidationReport:
    """The outcome of validation: conforms, its results, and the report graph."""

    conforms: bool
    violations: list[Violation]
    graph: Graph

    def in_words(self) -> str:
        """The result in words, as a report for a person."""
        if self.conforms:
            return "The graph conforms to every shape."
        lines = [f"{len(self.violations)} SHACL result(s):", ""]
        lines += [v.in_words() + "\n" for v in self.violations]
        return "\n".join(lines)

    def as_json(self) -> str:
        """The report as JSON (conforms and the results)."""
        return json.dumps(
            {"conforms": self.conforms, "results": [asdict(v) for v in self.violations]},
            indent=2,
        )

    def as_turtle(self) -> str:
        """The SHACL report graph as Turtle."""
        return self.graph.serialize(format="turtle")


def _name(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return _describe_blank(graph, node)
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.curie(node, generate=False)
        except (KeyError, ValueError):
            return str(node)
    return str(node)


def _describe_blank(graph: Graph, node: BNode) -> str:
    """Name a blank property shape by its parent node shape and path."""
    parent = graph.value(predicate=SH.property, object=node)
    path = graph.value(node, SH.path)
    if parent is not None:
        return f"{_name(graph, parent)} (property {_name(graph, path)})"
    return "(anonymous shape)"


def validate(data: Graph, shapes: Graph, focus_nodes: Sequence[URIRef] | None = None) -> ValidationReport:
    """Validate ``data`` (already reasoned) against ``shapes``; only ``focus_nodes`` when given."""
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        inplace=True,
        advanced=True,
        allow_warnings=True,
        focus_nodes=list(focus_nodes) if focus_nodes is not None else None,
    )
    violations: list[Violation] = []
    names = Graph()
    for prefix, ns in list(shapes.namespaces()) + list(data.namespaces()):
        names.bind(prefix, ns, replace=False)
    for t in shapes:
        names.add(t)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus_node=_name(names, results.value(result, SH.focusNode)),
                path=_name(names, results.value(result, SH.resultPath)),
                shape=_name(names, results.value(result, SH.sourceShape)),
                message=str(results.value(result, SH.resultMessage) or ""),
                value=_name(names, results.value(result, SH.value)),
            )
        )
    violations.sort(key=lambda v: (v.shape, v.focus_node, v.path, v.value))
    failing = [v for v in violations if v.severity == "Violation"]
    return ValidationReport(conforms=bool(conforms) or not failing, violations=violations, graph=results)
