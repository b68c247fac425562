"""The OWL-RL closure, kept apart from the asserted triples."""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal
from rdflib.term import Node

_BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))
_TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource}


def _is_noise(s: Node, p: Node, o: Node) -> bool:
    """Closure triples that tell a user nothing: tautologies and facts about RDF itself."""
    if isinstance(s, (BNode, Literal)) or isinstance(o, BNode):
        return True
    if str(s).startswith(_BUILT_IN):
        return True
    if s == o and p in (OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty):
        return True
    return o in _TRIVIAL_OBJECTS


# Where a property takes part in OWL-RL's rules: as the subject of these, or as the object of the next.
_PROPERTY_AXIOMS = {
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentProperty,
    OWL.inverseOf,
    OWL.propertyChainAxiom,
    OWL.propertyDisjointWith,
}
_PROPERTY_MENTIONS = {
    RDFS.subPropertyOf,
    OWL.equivalentProperty,
    OWL.inverseOf,
    OWL.onProperty,
    OWL.propertyDisjointWith,
    OWL.assertionProperty,
    RDF.first,  # property chains, keys, disjoint properties
}
_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.deprecated}
_PROPERTY_TYPES = {
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.TransitiveProperty,
    OWL.IrreflexiveProperty,
}


def _inert(asserted: Graph) -> set[Node]:
    """Properties no OWL-RL rule mentions: their triples can add nothing but copies through owl:sameAs.

    The vocabulary of RDF, RDFS and OWL (the rules' own words) is never inert, but for its annotations.
    """
    used = {p for p, axiom, _ in asserted if axiom in _PROPERTY_AXIOMS}
    used |= {o for _, mention, o in asserted if mention in _PROPERTY_MENTIONS}
    used |= {p for p, _, kind in asserted.triples((None, RDF.type, None)) if kind in _PROPERTY_TYPES}
    candidates = {p for p in asserted.predicates() if not str(p).startswith(_BUILT_IN) or p in _ANNOTATIONS}
    return candidates - used


def _closure(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    # SimpleMemory (no contexts) makes owlrl ~20% faster (measured by benchmarks/build.py).
    closure = Graph(store="SimpleMemory")
    for triple in triples:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics,
        rdfs_closure=False,
        axiomatic_triples=False,
        datatype_axioms=False,
    ).expand(closure)
    return closure


def infer(asserted: Graph) -> Graph:
    """Return only the triples that the OWL-RL closure adds to ``asserted``."""
    # Axiom annotations (mapping provenance) carry no OWL-RL consequences; leave them out. So do the
    # triples of properties no rule mentions (labels, texts, mappings: half the graph), since owlrl
    # walks every triple on every pass. Only owl:sameAs could copy them; if it appears, close everything.
    annotations = set(asserted.subjects(RDF.type, OWL.Axiom))
    inert = _inert(asserted)
    kept = [t for t in asserted if t[0] not in annotations]
    closure = _closure(t for t in kept if t[1] not in inert)
    if any(s != o for s, o in closure.subject_objects(OWL.sameAs)):
        closure = _closure(kept)
    inferred = Graph()
    for s, p, o in closure:
        if (s, p, o) not in asserted and not _is_noise(s, p, o):
            inferred.add((s, p, o))
    return inferred
