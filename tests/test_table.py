"""The table regenerated from the graph is the source, byte for byte."""

from __future__ import annotations

import csv
import io

from conftest import SOURCE_TABLE
from ntrkkg.sparql.service import QueryService
from ntrkkg.table import as_csv, as_markdown, as_text, read_frame


def test_text_is_the_whole_source_file_byte_for_byte(service: QueryService) -> None:
    # Label, title, column headings, the 56 cells and the footnote: the file as extracted, unedited.
    assert as_text(service).encode("utf-8") == SOURCE_TABLE.read_bytes()


def test_text_frames_one_line_per_cell(service: QueryService) -> None:
    lines = as_text(service).splitlines()
    assert lines[:5] == [
        "Table 2",
        "",
        "Histological classification of NTRK fusion gene–positive sarcoma",
        "",
        "Tumor typeClinical features",
    ]
    assert lines[-2:] == ["", "Abbreviation: N.A., not available."]
    assert len(lines) == 5 + 8 * 7 + 2


def test_the_frame_is_read_from_the_graph(service: QueryService) -> None:
    frame = read_frame(service)
    assert (frame.label, frame.footnote) == ("Table 2", "Abbreviation: N.A., not available.")
    assert frame.publication == "https://doi.org/10.1093/jjco/hyaf015"


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
    assert lines[0] == "**Table 2.** Histological classification of NTRK fusion gene–positive sarcoma"
    assert lines[2] == "| Tumor type | Clinical features |"
    assert len(lines) == 2 + 2 + 8 + 2
    assert "Infantile fibrosarcoma (IFS) — IFS with canonical ETV6-NTRK3 fusions" in lines[4]
    assert lines[-1] == "Abbreviation: N.A., not available."


def test_html_links_every_statement(service: QueryService) -> None:
    from ntrkkg.table import as_html

    page = as_html(service)
    assert page.count('href="https://w3id.org/ntrkkg/statement/') == 70
    assert "<title>Table 2: Histological classification of NTRK fusion gene–positive sarcoma</title>" in page
    assert "<caption><b>Table 2</b> Histological classification" in page
    assert "<p>Abbreviation: N.A., not available. Source:" in page
    assert "Infantile fibrosarcoma (IFS)" in page and "&lt;" not in page.split("<body>")[0]
