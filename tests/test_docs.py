"""The documentation cannot drift from the data: the cookbook and the diagram are regenerated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from ntrkkg.cookbook import render
from ntrkkg.resources import resource_dir
from ntrkkg.sparql.service import QueryService

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cookbook_matches_the_data(service: QueryService) -> None:
    assert (DOCS / "cookbook.md").read_text(encoding="utf-8") == render(service), (
        "docs/cookbook.md is stale: regenerate it with `python -m ntrkkg.cookbook > docs/cookbook.md`"
    )


def test_cookbook_covers_every_example() -> None:
    text = (DOCS / "cookbook.md").read_text(encoding="utf-8")
    for path in resource_dir("queries").glob("*.ttl"):
        assert f"`queries/{path.name}`" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_model_diagram_in_docs_is_current(dist: Path) -> None:
    assert (DOCS / "model.svg").read_text(encoding="utf-8") == (dist / "model.svg").read_text(encoding="utf-8")


def test_joining_guide_queries_run(store: ox.Store) -> None:
    text = (DOCS / "joining.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sparql\n(.*?)```", text, re.S)
    assert queries
    for query in queries:
        results = store.query(query, use_default_graph_as_union=True)
        assert isinstance(results, ox.QuerySolutions)
        rows = list(results)
        assert len(rows) == 8  # the genes of the eight NTRK fusions' partners


def test_readme_links_every_doc() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for page in sorted(DOCS.glob("*.md")):
        assert f"](docs/{page.name})" in readme, f"README does not link docs/{page.name}"


def test_readme_counts_match_the_data(service: QueryService) -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    examples = len(list(resource_dir("queries").glob("*.ttl")))
    assert f"| `queries/` | {examples} example questions," in readme
    links = service.values(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch } "
        'FILTER (STRENDS(STR(?g), "/graph/asserted")) }'
    )
    assert f"carry {links[0]['n']} verified links" in readme
