"""The query editor in a real browser: headless Chromium, driven by Playwright.

Opens ``/sparql`` as a browser would, checks that YASGUI came up with the example queries as
tabs, runs the NTRK3-partner example from its tab and reads the answer from the rendered
result table. Every request the page makes is recorded; none may leave 127.0.0.1.
"""

from __future__ import annotations

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
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 30_000  # every wait in this module is bounded by this
EXAMPLE = "ntrk3-partner-genes"  # queries/002-ntrk3-partner-genes.ttl
PARTNERS = ["EML4", "ETV6", "SPECC1L"]
LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True, timeout=TIMEOUT_MS)
        try:
            yield chromium
        finally:
            chromium.close()


def _foreign(url: str) -> bool:
    """Whether a request URL leaves this machine's test server."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return parts.hostname != "127.0.0.1"


def test_editor_runs_an_example_query(browser: Any, live_server: str) -> None:
    context = browser.new_context(service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    requests: list[str] = []
    problems: list[str] = []
    context.on("request", lambda request: requests.append(request.url))

    def refuse_foreign(route: Any) -> None:
        # Record (via the listener above) and refuse, so a stray request cannot hang the test.
        if _foreign(route.request.url):
            route.abort()
        else:
            route.continue_()

    context.route("**/*", refuse_foreign)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    try:
        response = page.goto(live_server + "/sparql", wait_until="load")
        assert response is not None and response.ok, response and response.status
        assert response.headers["content-type"].startswith("text/html")

        # YASGUI is up and holds the examples as tabs (the server has 28; the editor adds its own).
        page.wait_for_function("() => window.ntrkkgEditor && window.ntrkkgEditor.persistentConfig"
                               " && window.ntrkkgEditor.persistentConfig.getTabs().length >= 20")
        tabs: list[dict[str, str]] = page.evaluate(
            """() => { const y = window.ntrkkgEditor;
                       return y.persistentConfig.getTabs().map(id => ({id, name: y.getTab(id).getName()})); }""")
        assert len(tabs) >= 20, tabs
        tab_links = page.locator(".yasgui .tabsList a[role=tab]")
        assert tab_links.count() >= 20, f"only {tab_links.count()} tabs drawn"
        chosen = [tab for tab in tabs if tab["name"].endswith(EXAMPLE)]
        assert len(chosen) == 1, f"no single tab named {EXAMPLE}: {[t['name'] for t in tabs]}"
        tab_id = chosen[0]["id"]

        # Select the tab as a user would: click its name in the tab list.
        page.locator(f"a#tab-{tab_id}").click()
        page.wait_for_function("id => window.ntrkkgEditor.getTab().getId() === id"
                               " && !!window.ntrkkgEditor.getTab().getYasqe()", arg=tab_id)
        panel = page.locator(f"div.tabPanel[id='{tab_id}']")
        assert "ntrkkg:threePrimePartner <https://w3id.org/ntrkkg/gene/NTRK3>" in page.evaluate(
            "() => window.ntrkkgEditor.getTab().getYasqe().getValue()")

        # Run it with the editor's run button and wait for the rendered table.
        with page.expect_response(lambda r: r.url.startswith(live_server + "/sparql")
                                  and r.request.method == "POST") as answer:
            panel.locator("button.yasqe_queryButton").click()
        assert answer.value.ok, f"query answered {answer.value.status}: {answer.value.text()[:500]}"
        rows = panel.locator(".yasr table.dataTable tbody tr")
        rows.first.wait_for(state="visible")
        page.wait_for_function(
            """([id, names]) => { const panel = document.getElementById(id);
                 const text = panel.querySelector('.yasr table.dataTable tbody')?.innerText || '';
                 return names.every(n => text.includes(n)); }""",
            arg=[tab_id, PARTNERS])
        texts = rows.all_inner_texts()
        assert len(texts) == 3, texts
        for partner, text in zip(PARTNERS, texts, strict=True):
            assert partner in text, (partner, texts)
        assert not [p for p in problems if p.startswith("page error")], problems
    except Exception as error:
        raise AssertionError(f"{error}\nbrowser problems: {problems}") from error
    finally:
        context.close()

    foreign = sorted({url for url in requests if _foreign(url)})
    assert not foreign, f"the editor page asked hosts other than 127.0.0.1: {foreign}"
    assert any(url.startswith(live_server + "/static/yasgui/") for url in requests), requests
