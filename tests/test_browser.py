"""What a visitor sees, in a real browser: headless Chromium, driven by Playwright.

Opens the home page, an entity page and the query editor on the test server, checks what a user
would see on each (headings, the SVG pictures, the statements table, the editor running an example
and showing its rows, and that no request leaves 127.0.0.1) and takes a full-page screenshot of
each, 1280 pixels wide, into pytest's ``tmp_path``.

With ``NTRKKG_UPDATE_SCREENSHOTS=1`` the screenshots are also copied to ``docs/screenshots/``
(``home.png``, ``entity.png``, ``editor.png``) for the README.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian package `chromium`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the `playwright` Python package is not installed")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--font-render-hinting=none",
]
TIMEOUT_MS = 30_000  # every wait in this module is bounded by this
WIDTH, HEIGHT = 1280, 900
MIN_PNG_BYTES = 20_000
DOCS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
UPDATE = os.environ.get("NTRKKG_UPDATE_SCREENSHOTS") == "1"

ENTITY = "/disease/spindle-cell-sclerosing-rhabdomyosarcoma"
EXAMPLE = "ntrk3-partner-genes"  # queries/002-ntrk3-partner-genes.ttl
PARTNERS = ["EML4", "ETV6", "SPECC1L"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def errors() -> list[str]:
    """The uncaught JavaScript errors of this test's page."""
    return []


@pytest.fixture
def requests() -> list[str]:
    """Every URL this test's page asked for (including refused ones)."""
    return []


@pytest.fixture
def page(browser: Any, live_server: str, errors: list[str], requests: list[str]) -> Iterator[Any]:
    """A fresh page, 1280 wide, that may talk to the test server only; its errors go to ``errors``."""
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1, service_workers="block", locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)

    def local_only(route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()  # nothing may leave the machine, and nothing may hang the test

    context.on("request", lambda request: requests.append(request.url))
    context.route("**/*", local_only)
    new_page = context.new_page()
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield new_page
    finally:
        context.close()


def _open(page: Any, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _shoot(page: Any, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot, checked for size and width; copied to docs/ when asked to."""
    page.evaluate("() => document.fonts.ready")
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=TIMEOUT_MS)
    data = path.read_bytes()
    width, height = _png_size(data)
    assert width == WIDTH, f"{name}.png is {width} px wide, not {WIDTH}: something overflows sideways"
    assert height >= HEIGHT, (width, height)
    assert len(data) > MIN_PNG_BYTES, f"{name}.png is only {len(data)} bytes: a blank page?"
    if UPDATE:
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / f"{name}.png")
    return path


def _svg_fits(page: Any, selector: str) -> dict[str, float]:
    """The SVG is drawn, visible, of a sensible size and inside the page's width."""
    svg = page.locator(selector).first
    svg.wait_for(state="visible")
    box = svg.bounding_box()
    assert box is not None, selector
    assert box["width"] > 200 and box["height"] > 100, (selector, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 0.5, f"{selector} overflows: {box}"
    assert svg.locator("g.node").count() >= 2, f"{selector} has no Graphviz nodes"
    return dict(box)


def test_home_page(page: Any, errors: list[str], live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + "/")
    assert page.title().startswith("ntrkkg"), page.title()
    heading = page.locator("main h1")
    assert heading.inner_text() == "NTRK fusion-positive sarcomas, as a knowledge graph"
    header = page.locator("header")
    for link in ("SPARQL editor", "downloads", "ontology"):
        assert header.get_by_role("link", name=link).is_visible(), link

    counts = page.locator("table.counts tr")
    assert counts.count() >= 5, counts.all_inner_texts()
    assert counts.nth(0).locator("td").first.inner_text().startswith("statements")
    assert int(counts.nth(0).locator("td").nth(1).inner_text()) >= 70
    assert counts.nth(1).locator("td").first.inner_text().startswith("tumour types")
    row_count = int(counts.nth(1).locator("td").nth(1).inner_text())

    assert page.get_by_role("heading", name="The model", exact=True).is_visible()
    _svg_fits(page, "main figure.picture svg")
    # One link per row of Table 2, as many as the counts table says.
    tumour_types = page.locator("main ol li a")
    assert tumour_types.count() == row_count >= 5, tumour_types.all_inner_texts()
    assert "infantile fibrosarcoma with canonical ETV6-NTRK3 fusion" in tumour_types.all_inner_texts()
    assert not errors, errors
    _shoot(page, tmp_path, "home")


def test_entity_page(page: Any, errors: list[str], live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + ENTITY)
    heading = page.locator("main h1").inner_text()
    assert "spindle cell" in heading.lower() and "rhabdomyosarcoma" in heading.lower(), heading
    assert page.title() == f"{heading} — ntrkkg", page.title()
    assert page.locator("main p.iri").inner_text() == "https://w3id.org/ntrkkg" + ENTITY

    _svg_fits(page, "main figure.picture svg")
    # The neighbourhood picture names this tumour type and links to its neighbours.
    assert page.locator("main figure.picture svg a").count() >= 2

    statements = page.get_by_role("heading", name="Statements", exact=True)
    assert statements.is_visible()
    rows = page.locator("main h2:text-is('Statements') + table tr")
    assert rows.count() >= 3, rows.all_inner_texts()
    first = rows.first
    assert first.locator("td.facet").is_visible() and first.locator("div.quote").inner_text().strip()
    assert rows.locator("a[href^='/reference/']").count() >= 1, "no statement cites a reference"
    assert page.get_by_role("heading", name="Properties", exact=True).is_visible()
    assert not errors, errors
    _shoot(page, tmp_path, "entity")


def test_editor_page(page: Any, errors: list[str], requests: list[str], live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + "/sparql")
    page.wait_for_function(
        "() => window.ntrkkgEditor && window.ntrkkgEditor.persistentConfig"
        " && window.ntrkkgEditor.persistentConfig.getTabs().length >= 20"
    )
    tabs: list[dict[str, str]] = page.evaluate(
        """() => { const y = window.ntrkkgEditor;
                   return y.persistentConfig.getTabs().map(id => ({id, name: y.getTab(id).getName()})); }"""
    )
    chosen = [tab for tab in tabs if tab["name"].endswith(EXAMPLE)]
    assert len(chosen) == 1, f"no single tab named {EXAMPLE}: {[t['name'] for t in tabs]}"
    tab_id = chosen[0]["id"]

    page.locator(f"a#tab-{tab_id}").click()
    page.wait_for_function(
        "id => window.ntrkkgEditor.getTab().getId() === id && !!window.ntrkkgEditor.getTab().getYasqe()", arg=tab_id
    )
    panel = page.locator(f"div.tabPanel[id='{tab_id}']")
    editor = panel.locator(".yasqe .CodeMirror")
    assert editor.is_visible() and "threePrimePartner" in editor.inner_text()

    with page.expect_response(
        lambda r: r.url.startswith(live_server + "/sparql") and r.request.method == "POST"
    ) as answer:
        panel.locator("button.yasqe_queryButton").click()
    assert answer.value.ok, f"query answered {answer.value.status}"
    rows = panel.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for(state="visible")
    page.wait_for_function(
        """([id, names]) => { const panel = document.getElementById(id);
             const text = panel.querySelector('.yasr table.dataTable tbody')?.innerText || '';
             return names.every(n => text.includes(n)); }""",
        arg=[tab_id, PARTNERS],
    )
    texts = rows.all_inner_texts()
    assert len(texts) == 3, texts
    for partner, text in zip(PARTNERS, texts, strict=True):
        assert partner in text, (partner, texts)
    for row in range(3):
        assert rows.nth(row).is_visible()
    assert not errors, errors
    foreign = sorted({url for url in requests if (urlsplit(url).hostname or "127.0.0.1") != "127.0.0.1"})
    assert not foreign, f"the editor page asked hosts other than 127.0.0.1: {foreign}"
    assert any(url.startswith(live_server + "/static/yasgui/") for url in requests), requests
    _shoot(page, tmp_path, "editor")
