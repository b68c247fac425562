"""One configuration: every variable parsed, checked and documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from ntrkkg.config import VARIABLES, ConfigError, Settings, parse_bytes, parse_seconds

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_variable_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for variable in VARIABLES.values():
        assert f"| `{variable}` |" in text, f"README's configuration table lacks {variable}"


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "NTRKKG_TIMEOUT": "2.5s",
            "NTRKKG_CACHE_BYTES": "16M",
            "NTRKKG_ENGINES": "3",
            "NTRKKG_ALLOWED_SERVICES": "https://a.example/sparql, https://b.example/q",
            "NTRKKG_ALLOW_UNCONFINED": "yes",
            "NTRKKG_BASE": "https://example.org/kg/",
        }
    )
    assert settings.timeout == 2.5 and settings.cache_bytes == 16 * 2**20 and settings.engines == 3
    assert settings.allowed_services == {"https://a.example/sparql", "https://b.example/q"}
    assert settings.allow_unconfined is True
    assert settings.endpoint == "https://example.org/kg/sparql"
    assert settings.names.asserted == "https://example.org/kg/graph/asserted"
    assert parse_bytes("512K") == 512 * 1024 and parse_seconds("500ms") == 0.5


def test_arguments_win_over_variables() -> None:
    settings = Settings.from_env({"NTRKKG_DIST": "a"}, dist=Path("b"), store=None)
    assert settings.dist == Path("b")


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("NTRKKG_TIMEOUT", "10x", "seconds"),
        ("NTRKKG_TIMEOUT", "0", "positive"),
        ("NTRKKG_ENGINES", "two", "whole"),
        ("NTRKKG_CACHE_BYTES", "lots", "size"),
        ("NTRKKG_ALLOW_UNCONFINED", "maybe", "true or false"),
        ("NTRKKG_BASE", "https://example.org/kg", "end with '/'"),
        ("NTRKKG_ROW_CAP", "-5", "positive"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_is_expected(variable: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({variable: value})
    assert variable in str(caught.value) and repr(value) in str(caught.value) and says in str(caught.value)


def test_a_bad_variable_is_one_line_from_the_cli(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ntrkkg", "query", "ASK {}"],
        capture_output=True,
        text=True,
        env={**os.environ, "NTRKKG_TIMEOUT": "10s!"},
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1 and result.stderr.startswith("ntrkkg: NTRKKG_TIMEOUT='10s!'")
    assert "Traceback" not in result.stderr


def test_engines_follow_the_serving_processes_unless_set() -> None:
    assert Settings.from_env({"NTRKKG_WORKERS": "1"}).engines == 2
    assert Settings.from_env({"NTRKKG_WORKERS": "3"}).engines == 6
    assert Settings.from_env({"NTRKKG_WORKERS": "3", "NTRKKG_ENGINES": "4"}).engines == 4


@pytest.mark.parametrize("value", ["sparql", "ftp://example.org/sparql", "https://exa mple.org/"])
def test_a_bad_endpoint_is_named(value: str) -> None:
    with pytest.raises(ConfigError, match=r"NTRKKG_ENDPOINT=.*absolute http\(s\) IRI"):
        Settings.from_env({"NTRKKG_ENDPOINT": value})
