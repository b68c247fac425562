"""OWL 2 DL consistency of the ontology plus data, checked by HermiT through owlready2."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph


@dataclass(frozen=True)
class ConsistencyResult:
    """The reasoner's verdict, and its message for a person."""

    consistent: bool
    message: str


def check_consistency(graph: Graph) -> ConsistencyResult:
    """Run HermiT on ``graph``. Needs owlready2 and a Java runtime."""
    import owlready2

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ntrkkg.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load()
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as error:
            return ConsistencyResult(False, f"HermiT: the ontology is inconsistent ({error})")
        unsatisfiable = [str(c) for c in world.inconsistent_classes()]
        if unsatisfiable:
            return ConsistencyResult(False, "HermiT: unsatisfiable classes: " + ", ".join(unsatisfiable))
        return ConsistencyResult(True, "HermiT: consistent")
