"""What a visitor sees, in a real browser: headless Chromium, driven by Playwright.

Opens the home page, an entity page and the query editor on the test server, checks what a user
would see on each (headings, the SVG pictures, the statements table, the editor running an example
and showing its rows, and that no request leaves 127.0.0.1) and takes a full-page screenshot of
each, 1280 pixels wide, into pytest's ``tmp_path``.

With ``NTRKKG_UPDATE_SCREENSHOTS=1`` the screenshots are also copied to ``docs/screenshots/``
(``home.png``, ``entity.png``, ``tumour-type.png``, ``statement.png``, ``ontology.png``, ``editor.png``)
for the README.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from conftest import FACETS

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
ROW = "/disease/ifs-canonical-etv6-ntrk3"
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
    # A script the Content Security Policy refuses is reported on the console, not as a page error.
    new_page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
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


def _shoot(page: Any, tmp_path: Path, name: str, full_page: bool = True) -> Path:
    """A screenshot (of the full page unless told), checked for size and width; copied to docs/ when asked to."""
    page.evaluate("() => document.fonts.ready")
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", timeout=TIMEOUT_MS)
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
    rows = page.locator("main section.facet-block div.statement")
    assert rows.count() >= 3, rows.all_inner_texts()
    first = rows.first
    assert page.locator("main section.facet-block h3.facet").first.is_visible()
    assert first.locator("div.quote").inner_text().strip()
    assert rows.locator("a[href^='/reference/']").count() >= 1, "no statement cites a reference"
    assert page.get_by_role("heading", name="Properties", exact=True).is_visible()
    assert not errors, errors
    _shoot(page, tmp_path, "entity")


def test_editor_page(page: Any, errors: list[str], requests: list[str], live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + "/sparql")
    page.wait_for_function("() => window.ntrkkgEditor && !!window.ntrkkgEditor.getTab().getYasqe()")
    # The examples are listed by their question, and the search narrows the list.
    questions = page.locator("#example-list li:not([hidden]) button")
    assert questions.count() >= 20
    assert "Which genes fuse with NTRK3 as its 5′ partner?" in questions.all_inner_texts()
    page.locator("#example-search").fill("NTRK3 partner")
    assert questions.all_inner_texts() == ["Which genes fuse with NTRK3 as its 5′ partner?"]
    page.locator("#example-search").fill("")
    # The default tab is a real example, not ?sub ?pred ?obj.
    tab = page.evaluate(
        "() => ({name: window.ntrkkgEditor.getTab().getName(), query: window.ntrkkgEditor.getTab().getQuery()})"
    )
    assert tab["name"] == "Which genes fuse with NTRK3 as its 5′ partner?" and "threePrimePartner" in tab["query"]

    panel = page.locator("div.tabPanel.active")
    with page.expect_response(
        lambda r: r.url.startswith(live_server + "/sparql") and r.request.method == "POST"
    ) as answer:
        panel.locator("button.yasqe_queryButton").click()
    assert answer.value.ok, f"query answered {answer.value.status}"
    rows = panel.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for(state="visible")
    texts = rows.all_inner_texts()
    assert len(texts) == 3, texts
    for partner, text in zip(PARTNERS, texts, strict=True):
        assert partner in text, (partner, texts)
    assert not errors, errors
    foreign = sorted({url for url in requests if (urlsplit(url).hostname or "127.0.0.1") != "127.0.0.1"})
    assert not foreign, f"the editor page asked hosts other than 127.0.0.1: {foreign}"
    assert any(url.startswith(live_server + "/static/yasgui/") for url in requests), requests
    _shoot(page, tmp_path, "editor")

    # Edits survive a reload; a question from the list opens in the current tab.
    page.evaluate("() => { window.ntrkkgEditor.getTab().setQuery('# kept\\nASK {}'); }")
    page.reload(wait_until="load")
    page.wait_for_function("() => window.ntrkkgEditor && !!window.ntrkkgEditor.getTab().getYasqe()")
    assert page.evaluate("() => window.ntrkkgEditor.getTab().getQuery()").startswith("# kept")
    page.locator("#example-list button", has_text="How does CD34 stain").click()
    assert "CD34" in page.evaluate("() => window.ntrkkgEditor.getTab().getQuery()")


def test_editor_completes_our_prefixes_and_terms(page: Any, errors: list[str], live_server: str) -> None:
    _open(page, live_server + "/sparql")
    page.wait_for_function("() => window.ntrkkgEditor && !!window.ntrkkgEditor.getTab().getYasqe()")
    completers = page.evaluate("() => Object.keys(window.ntrkkgEditor.getTab().getYasqe().autocompleters)")
    assert {"ntrkkgPrefixes", "ntrkkgProperties", "ntrkkgClasses"} <= set(completers), completers
    assert not {"property", "class"} & set(completers), "completers that ask the network"
    editor = page.locator("div.tabPanel.active .CodeMirror")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>\nSELECT * WHERE { ?f ntrkkg:threeP")
    page.keyboard.press("Control+Space")
    hints = page.locator(".CodeMirror-hints li")
    hints.first.wait_for(state="visible")
    assert "ntrkkg:threePrimePartner" in hints.all_inner_texts()
    assert not errors, errors


def test_query_link_shows_its_results(page: Any, errors: list[str], live_server: str) -> None:
    query = "SELECT ?gene WHERE { <https://w3id.org/ntrkkg/fusion/ETV6-NTRK3> ntrkkg:involvesGene ?gene }"
    _open(page, live_server + "/sparql?query=" + quote(query))
    rows = page.locator("div.tabPanel.active .yasr table.dataTable tbody tr")
    rows.first.wait_for(state="visible")
    assert sorted(t.split()[-1].strip("<>").rsplit("/", 1)[-1] for t in rows.all_inner_texts()) == ["ETV6", "NTRK3"]
    # Result IRIs of the dataset open this server's pages.
    links = page.locator("div.tabPanel.active .yasr table.dataTable tbody a")
    hrefs = sorted(links.evaluate_all("as => as.map(a => a.href)"))
    assert hrefs == [live_server + "/gene/ETV6", live_server + "/gene/NTRK3"], hrefs
    assert not errors, errors


def test_tumour_type_page(page: Any, errors: list[str], live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + ROW)
    headings = page.locator("main h3.facet")
    assert headings.all_inner_texts() == FACETS
    # No heading breaks inside a word: each word's glyphs sit on one line.
    broken = page.evaluate(
        """() => [...document.querySelectorAll('main h3.facet, main td.facet')].flatMap(el => {
             const node = el.firstChild; if (!node || node.nodeType !== 3) return [];
             const out = []; const re = /\\S+/g; let m;
             while ((m = re.exec(node.data))) {
               const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
               const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
               if (tops.size > 1) out.push(m[0]);
             }
             return out; })"""
    )
    assert not broken, f"words broken across lines: {broken}"
    findings = page.locator("main ul.findings li")
    texts = findings.all_inner_texts()
    # Row 1 in the table's order: histology ("focal necrosis, mitoses, ...") before immunohistochemistry.
    assert texts[0].startswith("feature necrosis · polarity present")
    assert any("vimentin" in text and "positive" in text for text in texts)
    _svg_fits(page, "main figure.picture svg")
    assert not errors, errors
    _shoot(page, tmp_path, "tumour-type")


def test_statement_page(page: Any, errors: list[str], live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + "/statement/ifs-canonical-etv6-ntrk3/treatment-response/1")
    assert page.locator("main h1").inner_text() == (
        "infantile fibrosarcoma with canonical ETV6-NTRK3 fusion — treatment response"
    )
    inferred = page.locator("main details.inferred")
    assert inferred.is_visible() and not inferred.locator("table").is_visible()  # folded until opened
    assert "patient count 28" in page.locator("main ul.findings").inner_text()
    assert not errors, errors
    _shoot(page, tmp_path, "statement")


def test_ontology_page(page: Any, errors: list[str], live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + "/ontology")
    assert page.locator("h1").all_inner_texts() == ["ntrkkg: the NTRK fusion-positive sarcoma ontology"]
    assert page.locator("header").get_by_role("link", name="SPARQL editor").is_visible()
    _shoot(page, tmp_path, "ontology", full_page=False)  # the whole page is many screens long
    # A term link from an entity page lands on its section, in view.
    _open(page, live_server + "/marker/CD34")
    page.locator("main a[href='/ontology#ImmunohistochemicalMarker']").first.click()
    page.wait_for_url("**/ontology#ImmunohistochemicalMarker")
    target = page.locator("[id='ImmunohistochemicalMarker']")
    target.wait_for(state="visible")
    assert "immunohistochemical marker" in target.inner_text()
    box = target.bounding_box()
    assert box is not None and -1 <= box["y"] < HEIGHT, box  # scrolled to it
    assert not errors, errors
