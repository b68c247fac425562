"""The ``ntrkkg`` command line: a thin layer over the package's functions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ntrkkg import __version__
from ntrkkg.build import BuildError, build_dataset, dataset_version, write_build
from ntrkkg.loading import SourceError
from ntrkkg.store import DEFAULT_DIST, open_store


def _build(args: argparse.Namespace) -> int:
    from ntrkkg.dumps import write_dumps

    result = build_dataset(args.base)
    write_build(args.out, result, write_dumps)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    print(f"Built {len(result.asserted)} asserted and {len(result.inferred)} inferred triples "
          f"into {args.out}/ ({stages}).")
    return 0


def _validate(args: argparse.Namespace) -> int:
    report = build_dataset(args.base, check=False).report
    if args.format == "json":
        print(report.as_json())
    elif args.format == "turtle":
        print(report.as_turtle())
    else:
        print(report.in_words())
    return 0 if report.conforms else 1


def _table(args: argparse.Namespace) -> int:
    from ntrkkg.table import FORMATS

    sys.stdout.write(FORMATS[args.format](open_store(args.dist)))
    return 0


def _query(args: argparse.Namespace) -> int:
    from ntrkkg.results import QueryFailed, run_and_format

    text = Path(args.sparql[1:]).read_text(encoding="utf-8") if args.sparql.startswith("@") \
        else args.sparql
    try:
        sys.stdout.write(run_and_format(open_store(args.dist), text, args.format))
    except QueryFailed as error:
        print(f"ntrkkg: {error}", file=sys.stderr)
        return 2
    return 0


def _serve(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ntrkkg.dumps import write_dumps
    from ntrkkg.web import create_app
    from ntrkkg.web.server import serve
    from ntrkkg.web.settings import Settings

    if not any(args.dist.glob("ntrkkg-*.nq")):
        print(f"No build in {args.dist}/: building it first.", file=sys.stderr)
        write_build(args.dist, build_dataset(), write_dumps)
    settings = replace(Settings.from_env(), dist=args.dist)
    print(f"Serving {args.dist}/ at http://{args.host}:{args.port}/ (SPARQL at /sparql)", file=sys.stderr)
    serve(create_app(settings), args.host, args.port, args.workers, args.threads)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ntrkkg", description=__doc__)
    parser.add_argument("--version", action="version",
                        version=f"ntrkkg {__version__} (software), dataset {dataset_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="reason, validate and write the dumps")
    build.add_argument("--out", type=Path, default=DEFAULT_DIST, help="output folder (dist/)")
    build.add_argument("--base", help="base IRI to publish under (default: $NTRKKG_BASE)")
    build.set_defaults(run=_build)

    validate = commands.add_parser("validate", help="the SHACL report; exit 1 on a violation")
    validate.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    validate.add_argument("--base", help="base IRI to publish under")
    validate.set_defaults(run=_validate)

    table = commands.add_parser("table", help="regenerate Table 2 from the graph")
    table.add_argument("--format", choices=("text", "markdown", "csv", "html"), default="text")
    table.add_argument("--dist", type=Path, default=DEFAULT_DIST)
    table.set_defaults(run=_table)

    query = commands.add_parser("query", help="run a SPARQL query on the built graph")
    query.add_argument("sparql", help="the query, or @FILE to read it from a file")
    query.add_argument("--format", choices=("table", "json", "csv", "tsv", "xml", "turtle",
                                            "ntriples"), default="table")
    query.add_argument("--dist", type=Path, default=DEFAULT_DIST)
    query.set_defaults(run=_query)
    serve = commands.add_parser("serve", help="serve the graph: SPARQL endpoint, pages, downloads")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--dist", type=Path, default=DEFAULT_DIST)
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    serve.add_argument("--threads", type=int, default=8, help="threads per worker")
    serve.set_defaults(run=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (SourceError, BuildError) as error:
        print(f"ntrkkg: {error}", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"ntrkkg: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
