"""The package installs anywhere: build the wheel, install it in a fresh venv, use it far from the checkout.

Builds the wheel of this checkout with ``pip wheel``, checks the curated inputs, the prefix map,
the templates and the bundled YASGUI are inside it, installs it with its dependencies into a new
virtual environment in ``tmp_path`` and then, from an empty folder outside the repository, runs
the ``ntrkkg`` script (``--version``, ``build``), ``python -m ntrkkg query``, the Python API and
the web app, checking each answer.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
INSTALL_TIMEOUT = 600  # seconds; with a warm pip cache it takes well under a minute
RUN_TIMEOUT = 300
PARTNERS = ["EML4", "ETV6", "SPECC1L"]
PARTNER_QUERY = """PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?partner WHERE {
  ?f ntrkkg:threePrimePartner <https://w3id.org/ntrkkg/gene/NTRK3> ; ntrkkg:fivePrimePartner ?g .
  ?g rdfs:label ?partner .
} ORDER BY ?partner"""
# pip's words when it cannot reach an index: only these make the test skip rather than fail.
OFFLINE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Name or service not known"
    r"|Network is unreachable|Connection refused|ConnectTimeoutError|ReadTimeoutError"
    r"|Max retries exceeded|No route to host|ProxyError"
)


def _clean_env() -> dict[str, str]:
    """This process's environment without anything that would point Python at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NTRKKG_")
        and k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONSAFEPATH"}
    }
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _run(args: list[str], cwd: Path, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))[:300]} exited {result.returncode}\n"
        f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    result = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-w", str(out), str(CHECKOUT)],
        cwd=out,
        timeout=INSTALL_TIMEOUT,
    )
    if result.returncode != 0 and OFFLINE.search(result.stdout + result.stderr):
        pytest.skip(f"cannot build the wheel without the network (hatchling): {result.stderr[-500:]}")
    _ok(result)
    wheels = sorted(out.glob("ntrkkg-*.whl"))
    assert len(wheels) == 1, wheels
    assert wheels[0].name == f"ntrkkg-{VERSION}-py3-none-any.whl", wheels[0].name
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment, outside the checkout, with the wheel and its dependencies."""
    root = tmp_path_factory.mktemp("installed") / "venv"
    assert CHECKOUT not in root.parents
    _ok(_run([sys.executable, "-m", "venv", str(root)], cwd=root.parent))
    result = _run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", str(wheel)],
        cwd=root.parent,
        timeout=INSTALL_TIMEOUT,
    )
    if result.returncode != 0 and OFFLINE.search(result.stdout + result.stderr):
        pytest.skip(f"cannot install the wheel's dependencies without the network: {result.stderr[-500:]}")
    _ok(result)
    return root


def test_wheel_holds_what_runs_need(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.testzip() is None

        def under(folder: str, suffix: str = ".ttl") -> set[str]:
            return {n for n in names if n.startswith(folder) and n.endswith(suffix)}

        assert "ntrkkg/_resources/ontology/ntrkkg.ttl" in names
        for name in (
            "dataset.ttl",
            "diseases.ttl",
            "drugs.ttl",
            "fusions.ttl",
            "genes.ttl",
            "imaging.ttl",
            "markers.ttl",
            "references.ttl",
            "curation-notes.ttl",
        ):
            assert f"ntrkkg/_resources/data/{name}" in names, name
        # Every curated file of the checkout (Turtle and the KGX mapping table) is in the wheel, under the
        # same relative path, and so is every template and static asset of the pages.
        for folder, target in (
            ("ontology", "ntrkkg/_resources/ontology"),
            ("data", "ntrkkg/_resources/data"),
            ("shapes", "ntrkkg/_resources/shapes"),
            ("queries", "ntrkkg/_resources/queries"),
            ("src/ntrkkg/web/templates", "ntrkkg/web/templates"),
            ("src/ntrkkg/web/static", "ntrkkg/web/static"),
        ):
            expected = {
                f"{target}/{p.relative_to(CHECKOUT / folder).as_posix()}"
                for p in (CHECKOUT / folder).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts
            }
            assert expected, folder
            missing = expected - under(f"{target}/", "")
            assert not missing, f"not in the wheel: {sorted(missing)}"
        assert under("ntrkkg/_resources/data/statements/"), "no statements in the wheel"
        assert under("ntrkkg/_resources/data/mappings/", ""), "no mappings in the wheel"
        assert len(under("ntrkkg/_resources/queries/")) >= 28
        assert len(under("ntrkkg/_resources/shapes/")) >= 2
        for name in (
            "ntrkkg/__init__.py",
            "ntrkkg/__main__.py",
            "ntrkkg/cli.py",
            "ntrkkg/py.typed",
            "ntrkkg/prefixes.json",
            "ntrkkg/web/templates/base.html",
            "ntrkkg/web/templates/editor.html",
            "ntrkkg/web/templates/entity.html",
            "ntrkkg/web/templates/home.html",
            "ntrkkg/web/static/yasgui/yasgui.min.js",
            "ntrkkg/web/static/yasgui/yasgui.min.css",
        ):
            assert name in names, name
        assert archive.getinfo("ntrkkg/web/static/yasgui/yasgui.min.js").file_size > 100_000
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert not [n for n in names if n.startswith(("tests/", "src/", "dist/"))], "stray folders"

        dist_info = f"ntrkkg-{VERSION}.dist-info"
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
        assert re.search(r"^ntrkkg = ntrkkg\.cli:main$", entry_points, re.M), entry_points
        metadata = archive.read(f"{dist_info}/METADATA").decode()
        for requirement in ("rdflib", "pyoxigraph", "pyshacl", "owlrl", "curies", "diskcache", "pyseccomp"):
            assert re.search(rf"^Requires-Dist: {requirement}\b[^;]*$", metadata, re.M | re.I), requirement
        # The web service and the documentation are extras: a notebook user does not get Flask or pyLODE.
        for requirement, extra in (("flask", "serve"), ("waitress", "serve"), ("pylode", "docs")):
            assert re.search(rf"^Requires-Dist: {requirement}\b.*extra == .{extra}.", metadata, re.M | re.I), (
                requirement
            )
        assert not re.search(r"^Requires-Dist: gunicorn", metadata, re.M | re.I)


def test_installed_package_runs_outside_the_checkout(wheel: Path, venv: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    python, script = venv / "bin" / "python", venv / "bin" / "ntrkkg"

    # The package imported is the installed one, and it finds its inputs inside itself.
    where = _ok(
        _run(
            [
                str(python),
                "-c",
                "import ntrkkg, ntrkkg.resources as r; print(ntrkkg.__file__); "
                "print(*(r.resource_dir(n) for n in r.INPUT_DIRS), sep='\\n')",
            ],
            cwd=work,
        )
    ).split()
    assert Path(where[0]).is_relative_to(venv), where
    for folder, name in zip(where[1:], ("ontology", "data", "shapes", "queries"), strict=True):
        assert Path(folder) == Path(where[0]).parent / "_resources" / name, where

    version = _ok(_run([str(script), "--version"], cwd=work))
    assert version.startswith(f"ntrkkg {VERSION} (software), dataset "), version

    built = _ok(_run([str(script), "build", "--out", "dist"], cwd=work))
    assert re.match(r"Built \d+ asserted and \d+ inferred triples into dist/", built), built
    dumps = sorted((work / "dist").glob("ntrkkg-*.nq"))
    assert dumps and dumps[0].stat().st_size > 100_000, sorted(p.name for p in (work / "dist").iterdir())

    answer = _ok(_run([str(python), "-m", "ntrkkg", "query", PARTNER_QUERY, "--format", "csv"], cwd=work))
    rows = list(csv.DictReader(io.StringIO(answer)))
    assert [row["partner"] for row in rows] == PARTNERS, answer
    table = _ok(_run([str(python), "-m", "ntrkkg", "query", PARTNER_QUERY], cwd=work))
    assert all(partner in table for partner in PARTNERS), table

    api = _ok(
        _run(
            [
                str(python),
                "-c",
                "import ntrkkg, sys; print(sorted(row['partner'] for row in ntrkkg.query(sys.argv[1])))",
                PARTNER_QUERY,
            ],
            cwd=work,
        )
    )
    assert api.strip() == repr(PARTNERS), api

    # The same from a folder with no build, asked to build: the package builds the graph from its own inputs.
    bare = tmp_path / "bare"
    bare.mkdir()
    api = _ok(
        _run(
            [
                str(python),
                "-c",
                "import ntrkkg, sys; print(sorted(r['partner'] for r in ntrkkg.query(sys.argv[1], build=True)))",
                PARTNER_QUERY,
            ],
            cwd=bare,
        )
    )
    assert api.strip() == repr(PARTNERS), api
    assert not any(bare.iterdir()), "querying wrote into the working folder"

    # Without the serve extra, serving says which extra to install; with it, the web app finds its
    # templates, the bundled YASGUI and the example queries.
    refused = _run([str(script), "serve", "--port", "9"], cwd=work)
    assert refused.returncode == 1 and "pip install 'ntrkkg[serve]'" in refused.stderr, refused.stderr
    assert _run([str(python), "-c", "import flask"], cwd=work).returncode != 0
    _ok(
        _run(
            [str(python), "-m", "pip", "install", "-q", f"ntrkkg[serve] @ {wheel.as_uri()}"],
            cwd=work,
            timeout=INSTALL_TIMEOUT,
        )
    )
    web = _ok(_run([str(python), "-c", WEB_CHECK], cwd=work))
    assert web.split() == ["ok"], web


WEB_CHECK = """
from pathlib import Path
from ntrkkg.web import create_app
from ntrkkg.config import Settings

app = create_app(Settings(dist=Path("dist"), timeout=10.0, engines=1))
try:
    client = app.test_client()
    checks = {
        "/": "NTRK fusion-positive sarcomas, as a knowledge graph",
        "/sparql": "yasgui",
        "/disease/spindle-cell-sclerosing-rhabdomyosarcoma": "<svg",
        "/static/yasgui/yasgui.min.js": "",
        "/.well-known/sparql-examples": "ntrk3-partner-genes",
    }
    for path, needle in checks.items():
        response = client.get(path, headers={"Accept": "text/html"} if path != "/.well-known/sparql-examples"
                              else {"Accept": "text/turtle"})
        body = response.get_data(as_text=True)
        assert response.status_code == 200, (path, response.status_code, body[:300])
        assert needle in body, (path, body[:300])
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.get_json()["boolean"] is True, response.get_data()
finally:
    app.extensions["ntrkkg"].service.close()
print("ok")
"""
