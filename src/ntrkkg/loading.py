"""Parsing the curated Turtle files, with errors that name the file and line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from ntrkkg.namespaces import AUTHORED_BASE


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


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file, raising :class:`SourceError` on any fault."""
    graph = into if into is not None else Graph()
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
    return graph


def load_files(paths: Iterable[Path]) -> Graph:
    """Parse several Turtle files into one graph."""
    graph = Graph()
    for path in paths:
        parse_turtle(path, graph)
    return graph


def rebase(graph: Graph, base: str) -> Graph:
    """Rewrite IRIs (and SPARQL/regex text in literals) from the authored base to ``base``."""
    if base == AUTHORED_BASE:
        return graph

    def move(term: object) -> object:
        if isinstance(term, URIRef) and term.startswith(AUTHORED_BASE):
            return URIRef(base + term[len(AUTHORED_BASE) :])
        if isinstance(term, Literal) and AUTHORED_BASE in term:
            moved = str(term).replace(AUTHORED_BASE, base)
            return Literal(moved, lang=term.language, datatype=term.datatype)
        return term

    moved = Graph()
    for prefix, namespace in graph.namespaces():
        moved.bind(prefix, move(URIRef(namespace)), replace=True)
    for s, p, o in graph:
        moved.add((move(s), move(p), move(o)))  # type: ignore[arg-type]
    return moved
