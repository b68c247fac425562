"""HTML documentation of the ontology, made with pyLODE."""

from __future__ import annotations

from pathlib import Path


def render_html(source: Path) -> str:
    """The pyLODE page for ``source`` (an OWL file in Turtle)."""
    from pylode import OntPub

    return str(OntPub(ontology=str(source)).make_html())
