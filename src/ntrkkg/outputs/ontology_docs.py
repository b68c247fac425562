"""HTML documentation of the ontology, rendered by pyLODE at build time (the ``docs`` extra)."""

from __future__ import annotations

import logging

from ntrkkg.resources import resource_dir

__all__ = ["ontology_page"]

log = logging.getLogger(__name__)


def ontology_page() -> str | None:
    """The pyLODE page of ``ontology/ntrkkg.ttl``, or None when pyLODE is not installed or fails."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logging.disable(logging.INFO)  # pyLODE logs its progress at INFO and DEBUG to the root logger
    try:  # pyLODE configures the root logger on import; keep the build's output our own
        from pylode import OntPub

        return str(OntPub(ontology=str(resource_dir("ontology") / "ntrkkg.ttl")).make_html())
    except ImportError:
        log.warning("pyLODE is not installed (pip install 'ntrkkg[docs]'): no ontology.html in this build")
        return None
    except Exception as error:  # documentation is optional; a pyLODE fault must not fail the build
        log.warning("pyLODE could not render the ontology: %s", error)
        return None
    finally:
        logging.disable(logging.NOTSET)
        root.handlers[:] = handlers
        root.setLevel(level)
