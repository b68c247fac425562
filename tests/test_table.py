"""The table regenerated from the graph is the source, byte for byte."""

from __future__ import annotations

import csv
import io

from conftest import SOURCE_TABLE
from ntrkkg.sparql.service import QueryService
from ntrkkg.table import as_csv, as_markdown, as_text


def test_text_reproduces_source_lines_5_to_61(service: QueryService) -> None:
    source = SOURCE_TABLE.read_bytes().split(b"\n")
    expected = b"\n".join(source[4:61]) + b"\n"
    assert as_text(service).encode("utf-8") == expected


def test_text_has_one_line_per_cell_plus_header(service: QueryService) -> None:
    lines = as_text(service).splitlines()
    assert len(lines) == 1 + 8 * 7


def test_csv_has_56_cells_with_expanded_references(service: QueryService) -> None:
    rows = list(csv.DictReader(io.StringIO(as_csv(service))))
    assert len(rows) == 56
    lpf_radiology = next(r for r in rows if r["row"] == "3" and r["facet"] == "radiology")
    assert lpf_radiology["references"] == "46 47 48"
    assert {r["facet"] for r in rows if r["text"] == "N.A."} == {
        "differential diagnosis",
        "radiology",
        "treatment response",
    }


def test_markdown_has_header_and_eight_rows(service: QueryService) -> None:
    lines = as_markdown(service).splitlines()
    assert lines[0] == "| Tumor type | Clinical features |"
    assert len(lines) == 2 + 8
    assert "Infantile fibrosarcoma (IFS) — IFS with canonical ETV6-NTRK3 fusions" in lines[2]


def test_html_links_every_statement(service: QueryService) -> None:
    from ntrkkg.table import as_html

    page = as_html(service)
    assert page.count('href="https://w3id.org/ntrkkg/statement/') == 70
    assert "Infantile fibrosarcoma (IFS)" in page and "&lt;" not in page.split("<body>")[0]
