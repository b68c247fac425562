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
SELECT ?first ?second WHERE {
  ?table a ntrkkg:SourceTable ; ntrkkg:firstColumnHeading ?first ;
         ntrkkg:secondColumnHeading ?second .
}
"""


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


def read_rows(service: QueryService) -> tuple[tuple[str, str], list[Row]]:
    """The column headings and the rows, cells and statement texts, in table order."""
    headers = service.rows(HEADER_QUERY)
    if len(headers) != 1:
        raise TableError(f"the graph describes {len(headers)} source tables with column headings; expected one")
    headings = (headers[0]["first"].value, headers[0]["second"].value)
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
    """The table as the source prints it: header line, then one line per cell."""
    (first, second), rows = read_rows(service)
    lines = [first + second]
    previous_group = None
    for row in rows:
        prefix = row.group if row.group and row.group != previous_group else ""
        previous_group = row.group
        for i, cell in enumerate(row.cells):
            lead = prefix + row.name if i == 0 else ""
            lines.append(f"{lead}{cell.heading}: {cell.text}")
    return "\n".join(lines) + "\n"


def _escape_markdown(text: str) -> str:
    return text.replace("|", "\\|")


def as_markdown(service: QueryService) -> str:
    """The table as Markdown, one row per tumour type."""
    (first, second), rows = read_rows(service)
    lines = [f"| {first} | {second} |", "| --- | --- |"]
    for row in rows:
        name = f"{row.group} — {row.name}" if row.group else row.name
        body = "<br>".join(f"**{c.heading}:** {_escape_markdown(c.text)}" for c in row.cells)
        lines.append(f"| {_escape_markdown(name)} | {body} |")
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
    (first, second), rows = read_rows(service)
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Table 2: Histological classification of NTRK fusion gene–positive sarcoma</title>",
        "<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccd;padding:.4em .6em;vertical-align:top;text-align:left}"
        "a{color:#1f4e79;text-decoration:none}a:hover{text-decoration:underline}.h{font-weight:600}</style>",
        "</head><body>",
        "<table>",
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
        "<p>Abbreviation: N.A., not available. Source: Kubota et al. 2025, "
        '<a href="https://doi.org/10.1093/jjco/hyaf015">doi:10.1093/jjco/hyaf015</a>.</p>',
        "</body></html>",
    ]
    return "\n".join(out) + "\n"


FORMATS = {"text": as_text, "markdown": as_markdown, "csv": as_csv, "html": as_html}
