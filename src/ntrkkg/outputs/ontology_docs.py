"""HTML documentation of the ontology, rendered by pyLODE at build time (the ``docs`` extra).

pyLODE names its anchors after labels ("#immunohistochemicalmarker") and repeats some; entity pages
link ``/ontology#LocalName``. So every term of our namespace is given its local name as anchor before
rendering, the remaining repeats are renamed, and the heading keeps the one title of the ontology.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from html import escape

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Graph, URIRef

from ntrkkg.namespaces import NTRKKG
from ntrkkg.resources import resource_dir

__all__ = ["anchors", "ontology_page", "tidy_page"]

log = logging.getLogger(__name__)


def anchors(graph: Graph) -> dict[str, str]:
    """IRI → fragment id for every term of the ntrkkg namespace: its local name (``Gene``, ``tumourType``)."""
    return {
        str(s): str(s).removeprefix(str(NTRKKG))
        for s in set(graph.subjects())
        if isinstance(s, URIRef) and str(s).startswith(str(NTRKKG)) and str(s) != str(NTRKKG)
    }


_ID = re.compile(r'\bid="([^"]*)"')
_H1 = re.compile(r"<h1>.*?</h1>", re.S)


def tidy_page(page: str, title: str, label: str | None = None) -> str:
    """One ``<h1>`` with the ontology's title; every id unique (a repeat becomes ``id-2``, ``id-3``).

    pyLODE also counts the ontology's ``rdfs:label`` as a title; it is dropped from the metadata.
    """
    page = _H1.sub(lambda _: f"<h1>{escape(title)}</h1>", page, count=1)
    if label and label != title:
        page = re.sub(rf"\s*<li><p>{re.escape(escape(label))}</p></li>", "", page, count=1)
    seen: Counter[str] = Counter()

    def unique(match: re.Match[str]) -> str:
        seen[match.group(1)] += 1
        n = seen[match.group(1)]
        return match.group(0) if n == 1 else f'id="{match.group(1)}-{n}"'

    return _ID.sub(unique, page)


def individuals_section(graph: Graph, missing: dict[str, str]) -> str:
    """A section for the terms pyLODE leaves out (our named individuals: facets, staining results, ...)."""
    parts = ['<div class="section" id="individuals"><h2>Named individuals</h2>']
    for iri, fid in sorted(missing.items(), key=lambda item: item[1].lower()):
        node = URIRef(iri)
        label = escape(str(graph.value(node, RDFS.label) or fid))
        rows = [f"<tr><th>IRI</th><td><code>{escape(iri)}</code></td></tr>"]
        for kind in sorted(str(o) for o in graph.objects(node, RDF.type) if str(o).startswith(str(NTRKKG))):
            name = kind.removeprefix(str(NTRKKG))
            rows.append(f'<tr><th>Type</th><td><a href="#{escape(name)}">{escape(name)}</a></td></tr>')
        for predicate, heading in ((SKOS.definition, "Definition"), (NTRKKG.tableHeading, "Table heading")):
            value = graph.value(node, predicate)
            if value is not None:
                rows.append(f"<tr><th>{heading}</th><td>{escape(str(value))}</td></tr>")
        parts.append(
            f'<div class="property entity" id="{escape(fid)}"><h3>{label}</h3><table>{"".join(rows)}</table></div>'
        )
    parts.append("</div>")
    return "\n".join(parts)


def ontology_page() -> str | None:
    """The pyLODE page of ``ontology/ntrkkg.ttl``, or None when pyLODE is not installed or fails."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    path = resource_dir("ontology") / "ntrkkg.ttl"
    logging.disable(logging.INFO)  # pyLODE logs its progress at INFO and DEBUG to the root logger
    try:  # pyLODE configures the root logger on import; keep the build's output our own
        from pylode import OntPub

        graph = Graph().parse(path, format="turtle")
        ontology = next(graph.subjects(RDF.type, OWL.Ontology))
        title = str(graph.value(ontology, DCTERMS.title) or "ntrkkg ontology")
        label = graph.value(ontology, RDFS.label)
        publisher = OntPub(ontology=str(path))
        publisher.fids.update(anchors(graph))  # pyLODE reuses a known IRI's id for its section and every link
        page = tidy_page(str(publisher.make_html()), title, str(label) if label else None)
        present = set(_ID.findall(page))
        missing = {iri: fid for iri, fid in anchors(graph).items() if fid not in present}
        if missing:  # appended inside #content, before pyLODE's namespace list
            page = page.replace(
                '<div id="namespaces"', individuals_section(graph, missing) + '\n<div id="namespaces"', 1
            )
        return page
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
