#!/usr/bin/env python3
"""Regenerate the pinned prefix map and the identifier shapes from the bioregistry package.

Run it from the checkout, in the project's virtualenv with ``bioregistry`` installed (the package ships its
registry data, so no network is needed)::

    python scripts/update_prefixes.py           # rewrites src/ntrkkg/prefixes.json, shapes/identifier-shapes.ttl
    python scripts/update_prefixes.py --prefixes OUT.json --shapes OUT.ttl    # writes them elsewhere
    python scripts/update_prefixes.py --shapes-only    # only the shapes, from the map as it is: no bioregistry

``src/ntrkkg/prefixes.json`` holds a curies extended prefix map (``extended_prefix_map``) and a side table
(``schemes``, by bioregistry key) for what that format has no place for. The map read with ``--pins`` (by
default the committed one) fixes what this script never changes: which bioregistry keys are in the map, each
scheme's CURIE prefix and canonical URI prefix (the IRIs in ``data/mappings/*.ttl`` use exactly those), the name
of its SHACL shape, and a ``local_pattern`` for a scheme that bioregistry gives none. Everything else is taken
afresh from bioregistry: CURIE and URI prefix synonyms, patterns, names, and the version recorded in
``source``. If bioregistry disagrees with a pinned CURIE prefix or URI prefix, has no pattern and there is no
local one, or now has a pattern where a local one is pinned, the script stops with the reasons and writes
nothing: a person decides, and edits the pins by hand if the change is right.

The shapes are generated from the map just written, through the same loader the package uses
(``ntrkkg.prefixes.read_map``): one NodeShape per scheme, in the map's order, saying that an IRI in the scheme's
namespace must end in a local identifier matching its pattern.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import curies

from ntrkkg.prefixes import read_map

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = ROOT / "src" / "ntrkkg" / "prefixes.json"
SHAPES = ROOT / "shapes" / "identifier-shapes.ttl"
SCRIPT = "scripts/update_prefixes.py"
MAP_NAME = "src/ntrkkg/prefixes.json"

#: The SKOS mapping properties whose objects the identifier shapes check.
MATCH_PROPERTIES = "skos:exactMatch , skos:closeMatch , skos:broadMatch , skos:narrowMatch , skos:relatedMatch"
#: Characters that stand for something in an XPath regular expression (as sh:pattern reads it).
REGEX_SPECIALS = frozenset("\\.?*+^$|()[]{}")


@dataclass(frozen=True)
class Pin:
    """What the map fixes for one scheme and this script keeps: see the module's docstring."""

    key: str
    prefix: str
    uri_prefix: str
    shape: str
    local_pattern: str | None


def read_pins(document: Mapping[str, Any]) -> list[Pin]:
    """The pins of a prefix-map document, in its order."""
    uri_prefixes = {record["prefix"]: record["uri_prefix"] for record in document["extended_prefix_map"]}
    return [
        Pin(key, entry["prefix"], uri_prefixes[entry["prefix"]], entry["shape"], entry.get("local_pattern"))
        for key, entry in document["schemes"].items()
    ]


def build_map(pins: Sequence[Pin]) -> dict[str, Any]:
    """The prefix-map document for ``pins``, from the installed bioregistry; exits if bioregistry disagrees."""
    import bioregistry

    registry = bioregistry.get_converter()
    problems: list[str] = []
    table: dict[str, dict[str, str]] = {}
    records: list[curies.Record] = []
    for pin in pins:
        resource = bioregistry.get_resource(pin.key)
        record = registry.get_record(pin.key)
        if resource is None or record is None or record.prefix != pin.key:
            problems.append(f"{pin.key}: not a bioregistry key (or it has no URI prefix)")
            continue
        preferred = resource.get_preferred_prefix() or pin.key
        if preferred != pin.prefix:
            problems.append(f"{pin.key}: bioregistry's CURIE prefix is {preferred!r}, the map's {pin.prefix!r}")
        if record.uri_prefix != pin.uri_prefix:
            known = "still a synonym there" if pin.uri_prefix in record.uri_prefix_synonyms else "unknown there"
            problems.append(
                f"{pin.key}: bioregistry's URI prefix is {record.uri_prefix!r}, the map's {pin.uri_prefix!r} ({known})"
            )
        pattern = resource.get_pattern()
        if pattern is not None and pin.local_pattern is not None:
            problems.append(
                f"{pin.key}: bioregistry now has the pattern {pattern!r}; compare it with the local "
                f"{pin.local_pattern!r} and remove local_pattern from the map"
            )
        pattern = pattern or pin.local_pattern
        if pattern is None:
            problems.append(f"{pin.key}: bioregistry has no pattern, and the map pins no local_pattern")
            continue
        entry = {"prefix": pin.prefix, "name": resource.get_name() or pin.key, "shape": pin.shape}
        if pin.local_pattern is not None:
            entry["local_pattern"] = pin.local_pattern
        table[pin.key] = entry
        records.append(
            curies.Record(
                prefix=pin.prefix,
                uri_prefix=pin.uri_prefix,
                prefix_synonyms=sorted({record.prefix, *record.prefix_synonyms} - {pin.prefix}),
                uri_prefix_synonyms=sorted({record.uri_prefix, *record.uri_prefix_synonyms} - {pin.uri_prefix}),
                pattern=pattern,
            )
        )
    if problems:
        sys.exit(f"{SCRIPT}: bioregistry disagrees with the pinned map; nothing written.\n  " + "\n  ".join(problems))
    return {
        "comment": f"Generated by {SCRIPT} from the bioregistry package; do not edit, except the pins it names.",
        "source": f"bioregistry {metadata.version('bioregistry')}",
        "schemes": table,
        "extended_prefix_map": _as_curies_writes_it(curies.Converter(records)),
    }


def _as_curies_writes_it(converter: curies.Converter) -> list[dict[str, Any]]:
    """The records of ``converter`` exactly as ``curies.write_extended_prefix_map`` writes them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.epm.json"
        curies.write_extended_prefix_map(converter, path)
        records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


def _regex_literal(text: str) -> str:
    return "".join("\\" + c if c in REGEX_SPECIALS else c for c in text)


def _turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_shapes(document: Mapping[str, Any]) -> str:
    """The Turtle of ``shapes/identifier-shapes.ttl`` for a prefix-map document."""
    _, schemes = read_map(document)
    lines = [
        "# Identifier syntax per external scheme, for the objects of SKOS mapping properties: an IRI in a",
        "# scheme's namespace must end in a local identifier matching that scheme's pattern.",
        f"# Generated by {SCRIPT} from {MAP_NAME} ({document['source']}); do not edit.",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .",
        "@prefix shape: <https://w3id.org/ntrkkg/shapes#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    for key, scheme in schemes.items():
        pattern = scheme.pattern or ""
        if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
            raise ValueError(f"{key}: the pattern {pattern!r} is not anchored with ^ and $")
        local = pattern[1:-1]
        namespace = "^" + _regex_literal(scheme.uri_prefix)
        comment = f"A {scheme.name} identifier ({scheme.curie_prefix}:…) matches {local}."
        message = f"This {scheme.curie_prefix} identifier does not match the scheme's syntax ({local})."
        lines += [
            "",
            f"shape:{document['schemes'][key]['shape']} a sh:NodeShape ;",
            f"    rdfs:comment {_turtle_string(comment)} ;",
            f"    sh:targetObjectsOf {MATCH_PROPERTIES} ;",
            f"    sh:or ( [ sh:not [ sh:pattern {_turtle_string(namespace)} ] ]"
            f" [ sh:pattern {_turtle_string(f'{namespace}({local})$')} ] ) ;",
            f"    sh:message {_turtle_string(message)} .",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the map (unless ``--shapes-only``) and the shapes; the options are in ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pins", type=Path, default=PREFIXES, help="the map whose pins to keep (default: %(default)s)")
    parser.add_argument("--prefixes", type=Path, default=PREFIXES, help="where to write the map (default: %(default)s)")
    parser.add_argument("--shapes", type=Path, default=SHAPES, help="where to write the shapes (default: %(default)s)")
    parser.add_argument(
        "--shapes-only", action="store_true", help="only write the shapes, from the --pins map as it is"
    )
    args = parser.parse_args(argv)
    current = json.loads(args.pins.read_text(encoding="utf-8"))
    document = current if args.shapes_only else build_map(read_pins(current))
    shapes = render_shapes(document)  # also loads the map with curies, so a broken map stops here
    if not args.shapes_only:
        args.prefixes.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.prefixes} ({document['source']}, {len(document['schemes'])} schemes)")
    args.shapes.write_text(shapes, encoding="utf-8")
    print(f"wrote {args.shapes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
