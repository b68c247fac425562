"""The ``ntrkkg`` command line: a thin layer over the package's functions."""

from __future__ import annotations

import argparse
import os
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

    settings = replace(Settings.from_env(), dist=args.dist)
    if args.store:  # an on-disk or remote store: nothing to build or load here
        from ntrkkg.backends import BackendError, app_options

        try:
            app = create_app(settings, **app_options(args.store, settings.timeout))
        except (BackendError, OSError) as error:
            print(f"ntrkkg: cannot serve {args.store}: {error}", file=sys.stderr)
            return 1
        print(f"Serving {args.store} at http://{args.host}:{args.port}/ (SPARQL at /sparql)", file=sys.stderr)
        serve(app, args.host, args.port, args.workers, args.threads)
        return 0
    if not any(args.dist.glob("ntrkkg-*.nq")):
        print(f"No build in {args.dist}/: building it first.", file=sys.stderr)
        write_build(args.dist, build_dataset(), write_dumps)
    print(f"Serving {args.dist}/ at http://{args.host}:{args.port}/ (SPARQL at /sparql)", file=sys.stderr)
    serve(create_app(settings), args.host, args.port, args.workers, args.threads)
    return 0


def _load(args: argparse.Namespace) -> int:
    from ntrkkg.backends import BackendError, default_names, load, parse_spec
    from ntrkkg.web.settings import Settings

    try:
        kind, location = parse_spec(args.store)
        if kind != "oxigraph":
            raise BackendError("load fills an oxigraph:PATH store; use `ntrkkg publish` for a remote one")
        report = load(location, args.files, graph=args.graph, names=default_names(Settings.from_env().endpoint),
                      progress=not args.quiet)
    except (BackendError, SyntaxError, ValueError, OSError) as error:
        print(f"ntrkkg: {error}", file=sys.stderr)
        return 1
    print(f"Loaded {len(report.files)} file(s), {report.bytes / 2**20:.1f} MiB, in {report.seconds:.1f}s: "
          f"{location} holds {report.quads_after:,} quads ({report.rate:,.0f} new quads/s).")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from ntrkkg.backends import BackendError, default_names, publish, source_store
    from ntrkkg.web.settings import Settings

    try:
        store = source_store(args.dist, args.store, default_names(Settings.from_env().endpoint))
        done = publish(store, args.to, credentials=args.auth, digest=args.digest)
    except (BackendError, OSError) as error:  # requests' errors are OSErrors
        print(f"ntrkkg: {error}", file=sys.stderr)
        return 1
    for graph in done:
        print(f"PUT {graph.graph}: {graph.triples:,} triples ({graph.status})")
    return 0


class _Version(argparse.Action):
    """Reads the dataset version only when asked, so a broken data folder cannot break the parser."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        try:
            dataset = dataset_version()
        except (OSError, SourceError, ValueError) as error:
            dataset = f"unknown ({error})"
        print(f"ntrkkg {__version__} (software), dataset {dataset}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ntrkkg", description=__doc__)
    parser.add_argument("--version", action=_Version, nargs=0, help="print the software and dataset versions")
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
    serve.add_argument("--store", help="serve oxigraph:PATH (read-only) or sparql:URL instead of --dist's dump")
    serve.set_defaults(run=_serve)

    load = commands.add_parser("load", help="bulk-load dumps (or a dist folder) into an on-disk store")
    load.add_argument("files", nargs="+", type=Path, help="RDF files, optionally .gz, or dist folders")
    load.add_argument("--store", default=os.environ.get("NTRKKG_STORE", "oxigraph:store"),
                      help="oxigraph:PATH (default: $NTRKKG_STORE or oxigraph:store)")
    load.add_argument("--graph", help="the graph for triple formats (default: the asserted graph)")
    load.add_argument("--quiet", action="store_true", help="no progress bar")
    load.set_defaults(run=_load)

    publish = commands.add_parser("publish", help="PUT the graphs to a SPARQL Graph Store Protocol endpoint")
    publish.add_argument("--to", required=True, help="the Graph Store endpoint URL, e.g. http://host:7878/store")
    publish.add_argument("--auth", help="user:password")
    publish.add_argument("--digest", action="store_true", help="HTTP digest authentication (default: basic)")
    publish.add_argument("--dist", type=Path, default=DEFAULT_DIST, help="the build to publish")
    publish.add_argument("--store", help="publish an oxigraph:PATH store instead of --dist")
    publish.set_defaults(run=_publish)
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
