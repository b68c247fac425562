"""Pictures: the model diagram and entity neighbourhoods, rendered to SVG by Graphviz."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from ntrkkg.build.pipeline import BuildResult
from ntrkkg.outputs.diagrams import ontology_svg, property_usage

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


def test_property_usage_is_read_from_the_data(built: BuildResult) -> None:
    usage = property_usage(built.asserted, built.base)
    assert usage[("Statement", "citesReference", "Reference")] == 79
    assert usage[("GeneFusion", "fivePrimePartner", "Gene")] == 7
    assert usage[("Statement", "tumourType", "TumourType")] == 70


def test_model_diagram(built: BuildResult, dist: Path) -> None:
    svg = ontology_svg(built.asserted, built.base)
    assert svg.lstrip().startswith(("<?xml", "<svg", "<!--"))
    for node in ("Statement", "TumourType", "Reference", "Publication", "GeneFusion", "Gene"):
        assert f">{node}</text>" in svg
    assert (dist / "model.svg").exists()


def test_home_page_shows_the_model(client: FlaskClient) -> None:
    page = client.get("/").data.decode()
    assert "<svg" in page and ">citesReference</text>" in page


def test_tumour_type_page_shows_its_neighbourhood(client: FlaskClient) -> None:
    page = client.get("/disease/spindle-cell-sclerosing-rhabdomyosarcoma").data.decode()
    match = re.search(r"<svg.*?</svg>", page, re.S)
    assert match
    svg = html.unescape(match.group(0))  # Graphviz writes "-" as &#45;
    for label in ("TPM3-NTRK1 fusion", "SYPL1", "desmin", "myogenin"):
        assert f">{label}</text>" in svg
    assert 'xlink:href="/gene/TPM3"' in svg
