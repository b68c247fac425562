"""Table 2 regenerated from the graph by SPARQL: the proof that no cell was lost."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from html import escape

from ntrkkg.sparql.service import QueryService

CELLS_QUERY = """
PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?rowNumber ?row ?rowName ?groupName ?facetOrder ?facetLabel ?heading ?position ?text ?statement
       (GROUP_CONCAT(STR(?refNumber); separator=",") AS ?refs)
WHERE {
  ?row ntrkkg:tableRowNumber ?rowNumber ; ntrkkg:printedName ?rowName .
  OPTIONAL {
    ?row rdfs:subClassOf ?group .
    ?group ntrkkg:printedName ?groupName .
    FILTER NOT EXISTS { ?group ntrkkg:tableRowNumber ?anyRow }
  }
  ?cell a ntrkkg:TableCell ; ntrkkg:tumourType ?row ; ntrkkg:facet ?facet ;
        ntrkkg:printedHeading ?heading .
  ?facet ntrkkg:facetOrder ?facetOrder ; rdfs:label ?facetLabel .
  ?statement ntrkkg:partOfCell ?cell ; ntrkkg:positionInCell ?position ;
             ntrkkg:verbatimText ?text .
  OPTIONAL { ?statement ntrkkg:citesReference/ntrkkg:referenceNumber ?refNumber }
}
GROUP BY ?rowNumber ?row ?rowName ?groupName ?facetOrder ?facetLabel ?heading ?position ?text ?statement
ORDER BY ?rowNumber ?facetOrder ?position
"""

HEADER_QUERY = """
PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?label ?title ?first ?second ?footnote ?publication WHERE {
  ?table a ntrkkg:SourceTable ; rdfs:label ?label ; dcterms:title ?title ; ntrkkg:inPublication ?publication ;
         ntrkkg:firstColumnHeading ?first ; ntrkkg:secondColumnHeading ?second ;
         ntrkkg:tableFootnote ?footnote .
}
"""


@dataclass(frozen=True)
class Frame:
    """What the source prints around the rows: label, title (caption), column headings and footnote."""

    label: str
    title: str
    headings: tuple[str, str]
    footnote: str
    publication: str


@dataclass
class Cell:
    """One cell of the table: its facet, printed heading, statements and references."""

    facet: str
    heading: str
    texts: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    references: set[int] = field(default_factory=set)

    @property
    def text(self) -> str:
        """The cell's text as printed: its statements joined by spaces."""
        return " ".join(self.texts)


@dataclass
class Row:
    """One row of the table: a tumour type and its cells."""

    number: int
    iri: str
    name: str
    group: str | None
    cells: list[Cell] = field(default_factory=list)


class TableError(Exception):
    """The graph does not hold the table (for example, a build of other data)."""


def read_frame(service: QueryService) -> Frame:
    """The table's label, title, column headings and footnote, as the graph records them."""
    found = service.rows(HEADER_QUERY)
    if len(found) != 1:
        raise TableError(
            f"the graph describes {len(found)} source tables with a label, title, column headings and "
            "footnote; expected one"
        )
    table = {name: term.value for name, term in found[0].items()}
    headings = (table["first"], table["second"])
    return Frame(table["label"], table["title"], headings, table["footnote"], table["publication"])


def read_rows(service: QueryService) -> tuple[tuple[str, str], list[Row]]:
    """The column headings and the rows, cells and statement texts, in table order."""
    headings = read_frame(service).headings
    rows: dict[int, Row] = {}
    for sol in service.rows(CELLS_QUERY):
        number = int(sol["rowNumber"].value)
        group = sol["groupName"].value if "groupName" in sol else None
        row = rows.setdefault(number, Row(number, sol["row"].value, sol["rowName"].value, group))
        heading = sol["heading"].value
        if not row.cells or row.cells[-1].heading != heading:
            row.cells.append(Cell(sol["facetLabel"].value, heading))
        row.cells[-1].texts.append(sol["text"].value)
        row.cells[-1].statements.append(sol["statement"].value)
        refs = sol["refs"].value if "refs" in sol else ""
        row.cells[-1].references.update(int(r) for r in refs.split(",") if r)
    return headings, [rows[n] for n in sorted(rows)]


def as_text(service: QueryService) -> str:
    """The whole table as the source prints it: label, title, header line, one line per cell, footnote."""
    frame = read_frame(service)
    (first, second), rows = read_rows(service)
    lines = [frame.label, "", frame.title, "", first + second]
    previous_group = None
    for row in rows:
        prefix = row.group if row.group and row.group != previous_group else ""
        previous_group = row.group
        for i, cell in enumerate(row.cells):
            lead = prefix + row.name if i == 0 else ""
            lines.append(f"{lead}{cell.heading}: {cell.text}")
    lines += ["", frame.footnote]
    return "\n".join(lines) + "\n"


def _escape_markdown(text: str) -> str:
    return text.replace("|", "\\|")


def as_markdown(service: QueryService) -> str:
    """The table as Markdown, one row per tumour type, with its label, title and footnote."""
    frame = read_frame(service)
    (first, second), rows = read_rows(service)
    lines = [f"**{frame.label}.** {frame.title}", "", f"| {first} | {second} |", "| --- | --- |"]
    for row in rows:
        name = f"{row.group} — {row.name}" if row.group else row.name
        body = "<br>".join(f"**{c.heading}:** {_escape_markdown(c.text)}" for c in row.cells)
        lines.append(f"| {_escape_markdown(name)} | {body} |")
    lines += ["", frame.footnote]
    return "\n".join(lines) + "\n"


def as_csv(service: QueryService) -> str:
    """The table as CSV, one line per cell, with its references."""
    _, rows = read_rows(service)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "group", "tumour_type", "tumour_type_iri", "facet", "heading", "text", "references"])
    for row in rows:
        for cell in row.cells:
            writer.writerow(
                [
                    row.number,
                    row.group or "",
                    row.name,
                    row.iri,
                    cell.facet,
                    cell.heading,
                    cell.text,
                    " ".join(str(n) for n in sorted(cell.references)),
                ]
            )
    return buffer.getvalue()


def as_html(service: QueryService) -> str:
    """A standalone HTML table; each statement's text links to the statement's IRI."""
    frame = read_frame(service)
    source = frame.publication
    (first, second), rows = read_rows(service)
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(frame.label)}: {escape(frame.title)}</title>",
        "<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccd;padding:.4em .6em;vertical-align:top;text-align:left}"
        "a{color:#1f4e79;text-decoration:none}a:hover{text-decoration:underline}.h{font-weight:600}</style>",
        "</head><body>",
        f"<table><caption><b>{escape(frame.label)}</b> {escape(frame.title)}</caption>",
        f"<tr><th>{escape(first)}</th><th>{escape(second)}</th></tr>",
    ]
    previous_group = None
    for row in rows:
        group = f"<div>{escape(row.group)}</div>" if row.group and row.group != previous_group else ""
        previous_group = row.group
        name = f'{group}<a href="{escape(row.iri)}">{escape(row.name)}</a>'
        cells = []
        for cell in row.cells:
            parts = " ".join(
                f'<a href="{escape(iri)}">{escape(text)}</a>'
                for iri, text in zip(cell.statements, cell.texts, strict=True)
            )
            cells.append(f'<p><span class="h">{escape(cell.heading)}:</span> {parts}</p>')
        out.append(f"<tr><td>{name}</td><td>{''.join(cells)}</td></tr>")
    out += [
        "</table>",
        f'<p>{escape(frame.footnote)} Source: <a href="{escape(source)}">{escape(source)}</a>.</p>',
        "</body></html>",
    ]
    return "\n".join(out) + "\n"


FORMATS = {"text": as_text, "markdown": as_markdown, "csv": as_csv, "html": as_html}
