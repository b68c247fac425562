"""Reading the curated Turtle files, refusing malformed terms at the door with file and line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from ntrkkg.namespaces import AUTHORED_BASE, NTRKKG

__all__ = ["SourceError", "load_files", "parse_turtle", "rebase"]


class SourceError(Exception):
    """A curated file could not be read: names the file and, where known, the line."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


def _syntax_error(path: Path, error: BadSyntax) -> SourceError:
    text = error._str.decode("utf-8", "replace") if isinstance(error._str, bytes) else error._str
    line = text[: error._i].count("\n") + 1
    return SourceError(path, line, f"bad Turtle syntax: {error._why}")


def _check_terms(path: Path) -> None:
    """Oxigraph's strict parser: IRIs per RFC 3987, BCP 47 language tags, exact Turtle grammar."""
    try:
        for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            pass
    except SyntaxError as error:
        reason = str(error.msg if hasattr(error, "msg") else error)
        reason = re.sub(r"^Parser error at line \d+ (between columns \d+ and \d+|column \d+): ", "", reason)
        column = f", column {error.offset}" if error.offset else ""
        raise SourceError(path, error.lineno, f"malformed term{column}: {reason}") from None
    except ValueError as error:  # bad UTF-8
        raise SourceError(path, None, f"not UTF-8 text ({error})") from None


def _line_of(path: Path, needle: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    return None


def _check_literals(path: Path, graph: Graph) -> None:
    """Typed literals whose lexical form does not fit their XSD datatype."""
    for _, _, o in graph:
        if isinstance(o, Literal) and o.ill_typed:
            raise SourceError(path, _line_of(path, f'"{o}"'), f"the literal {str(o)!r} is not a valid {o.datatype}")


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file, raising :class:`SourceError` on any fault."""
    if not path.is_file():
        raise SourceError(path, None, "no such file")
    graph = Graph()
    rdflib_log = logging.getLogger("rdflib.term")
    level = rdflib_log.level
    rdflib_log.setLevel(logging.CRITICAL)  # ill-typed literals are reported below, with their line
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as error:
        raise _syntax_error(path, error) from None
    except UnicodeDecodeError as error:
        raise SourceError(path, None, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise SourceError(path, None, error.strerror or str(error)) from None
    except Exception as error:  # rdflib raises plain exceptions for some faults
        raise SourceError(path, None, f"cannot parse: {error}") from None
    finally:
        rdflib_log.setLevel(level)
    _check_terms(path)  # rdflib accepts malformed IRIs with a warning; Oxigraph's parser does not
    _check_literals(path, graph)
    if into is None:
        return graph
    for prefix, namespace in graph.namespaces():
        into.bind(prefix, namespace, override=False)
    for triple in graph:
        into.add(triple)
    return into


def load_files(paths: Iterable[Path]) -> Graph:
    """Parse several Turtle files into one graph."""
    graph = Graph()
    for path in paths:
        parse_turtle(path, graph)
    return graph


# IRIs minted under the authored base move to the deployment base; the ontology's own do not.
_MOVABLE = re.compile(re.escape(AUTHORED_BASE) + r"(?!" + re.escape(str(NTRKKG)[len(AUTHORED_BASE) :]) + ")")


def rebase(graph: Graph, base: str) -> Graph:
    """Rewrite IRIs (and IRIs quoted in literals, such as example queries) from the authored base to ``base``."""
    if base == AUTHORED_BASE:
        return graph

    def move(term: object) -> object:
        if isinstance(term, URIRef) and _MOVABLE.match(term):
            return URIRef(base + term[len(AUTHORED_BASE) :])
        if isinstance(term, Literal) and _MOVABLE.search(term):
            return Literal(_MOVABLE.sub(base, str(term)), lang=term.language, datatype=term.datatype)
        return term

    moved = Graph()
    for prefix, namespace in graph.namespaces():
        moved.bind(prefix, move(URIRef(namespace)), replace=True)
    for s, p, o in graph:
        moved.add((move(s), move(p), move(o)))  # type: ignore[arg-type]
    return moved
