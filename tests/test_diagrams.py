"""Pictures: the model diagram and entity neighbourhoods, rendered to SVG by Graphviz."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from ntrkkg.build.pipeline import BuildError, BuildResult
from ntrkkg.outputs.diagrams import ontology_svg, property_usage
from ntrkkg.outputs.dumps import write_dumps

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


@needs_dot
def test_property_usage_is_read_from_the_data(built: BuildResult) -> None:
    usage = property_usage(built.asserted, built.base)
    assert usage[("Statement", "citesReference", "Reference")] == 79
    assert usage[("GeneFusion", "fivePrimePartner", "Gene")] == 7
    assert usage[("Statement", "tumourType", "TumourType")] == 70


@needs_dot
def test_model_diagram(built: BuildResult, dist: Path) -> None:
    svg = ontology_svg(built.asserted, built.base)
    assert svg.lstrip().startswith(("<?xml", "<svg", "<!--"))
    for node in ("Statement", "TumourType", "Reference", "Publication", "GeneFusion", "Gene"):
        assert f">{node}</text>" in svg
    assert (dist / "model.svg").exists()


@needs_dot
def test_home_page_shows_the_model(client: FlaskClient) -> None:
    page = client.get("/").data.decode()
    assert "<svg" in page and ">citesReference</text>" in page


@needs_dot
def test_tumour_type_page_shows_its_neighbourhood(client: FlaskClient) -> None:
    page = client.get("/disease/spindle-cell-sclerosing-rhabdomyosarcoma").data.decode()
    match = re.search(r"<svg.*?</svg>", page, re.S)
    assert match
    svg = html.unescape(match.group(0))  # Graphviz writes "-" as &#45;
    for label in ("TPM3-NTRK1 fusion", "SYPL1", "desmin", "myogenin"):
        assert f">{label}</text>" in svg
    assert 'xlink:href="/gene/TPM3"' in svg


@needs_dot
def test_model_labels_are_legible_on_the_page(built: BuildResult) -> None:
    """Drawn at the home page's width (about 1230 px), no label of the model is under 11 px."""
    svg = ontology_svg(built.asserted, built.base)
    width_pt = float(re.search(r'<svg width="([\d.]+)pt"', svg)[1])  # type: ignore[index]
    scale = min(1.0, 1230 / (width_pt * 4 / 3))
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) * 4 / 3 * scale >= 11, (min(sizes), width_pt)


def test_build_without_graphviz_fails_loudly(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(BuildError, match="apt-get install graphviz"):
        write_dumps(tmp_path, built)
    assert not (tmp_path / "model.svg").exists()
