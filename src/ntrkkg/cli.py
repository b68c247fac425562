"""The ``ntrkkg`` command line: a thin layer over the package's functions."""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import sys
from collections.abc import Sequence
from pathlib import Path

from ntrkkg import __version__
from ntrkkg.config import ConfigError, Settings


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from ntrkkg.build.pipeline import build_dataset, write_build
    from ntrkkg.outputs.dumps import write_dumps

    out = settings.dist  # --out, else $NTRKKG_DIST, else dist
    result = build_dataset(settings.base)
    write_build(out, result, write_dumps)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    print(f"Built {len(result.asserted)} asserted and {len(result.inferred)} inferred triples into {out}/ ({stages}).")
    return 0


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from ntrkkg.build.pipeline import build_dataset

    report = build_dataset(settings.base, check=False).report
    print({"json": report.as_json, "turtle": report.as_turtle}.get(args.format, report.in_words)())
    return 0 if report.conforms else 1


def _table(args: argparse.Namespace, settings: Settings) -> int:
    from ntrkkg.sparql.service import QueryService
    from ntrkkg.table import FORMATS

    service = QueryService.open(settings, engines=1)
    try:
        sys.stdout.write(FORMATS[args.format](service))
    finally:
        service.close()
    return 0


def _query_text(argument: str, settings: Settings) -> str:
    """The query itself, ``@FILE`` (a .rq file, or an example's .ttl file), or an example by number or name."""
    from ntrkkg.build.examples import find_example, read_example

    if argument.startswith("@"):
        path = Path(argument[1:])
        return read_example(path, settings.base).query if path.suffix == ".ttl" else path.read_text("utf-8")
    example = find_example(argument, settings.base) if " " not in argument.strip() else None
    return example.query if example is not None else argument


def _chosen_query(args: argparse.Namespace, settings: Settings) -> str:
    from ntrkkg.build.examples import find_example

    if (args.sparql is None) == (args.example is None):
        raise ConfigError("give a query or --example N, not both (--list-examples lists them)")
    if args.example is None:
        return _query_text(args.sparql, settings)
    example = find_example(args.example, settings.base)
    if example is None:
        raise ConfigError(f"no example {args.example!r}: `ntrkkg query --list-examples` lists them")
    return example.query


def _list_examples(settings: Settings) -> int:
    from ntrkkg.build.examples import examples

    for number, example in enumerate(examples(settings.base), 1):
        print(f"{number:3d}  {example.name:<45}  {example.comment.splitlines()[0] if example.comment else ''}")
    return 0


def _query(args: argparse.Namespace, settings: Settings) -> int:
    from ntrkkg.formats import BY_KEY
    from ntrkkg.sparql.service import QueryFailed, QueryRejected, QueryService
    from ntrkkg.sparql.text import as_table

    if args.list_examples:
        return _list_examples(settings)
    text = _chosen_query(args, settings)
    service = QueryService.open(settings, engines=1)
    try:
        vetted = service.vet(text)
        graph = vetted.form in ("CONSTRUCT", "DESCRIBE")
        key = {"table": "turtle" if graph else "json"}.get(args.format, args.format)
        if BY_KEY[key].graph != graph:
            raise QueryRejected(f"format {args.format!r} does not fit a {vetted.form} query")
        body = service.require(vetted, BY_KEY[key]).body
        text = as_table(body) if args.format == "table" and not graph else body.decode("utf-8")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")  # a shell prompt starts on its own line
    except (QueryRejected, QueryFailed) as error:
        print(f"ntrkkg: {error}", file=sys.stderr)
        return 2
    finally:
        service.close()
    return 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from ntrkkg.sparql.sandbox import probe

    confinement = probe()
    print(f"Query engines: {confinement.describe()}", file=sys.stderr)
    if (
        not (confinement.network_blocked and confinement.files_restricted)
        and not _loopback(args.host)
        and not settings.allow_unconfined
    ):
        print(
            "ntrkkg: this kernel cannot confine the query engines, so the service will not listen on "
            f"{args.host}; serve on 127.0.0.1, or set NTRKKG_ALLOW_UNCONFINED=1 to accept the risk",
            file=sys.stderr,
        )
        return 1
    if not (confinement.network_blocked and confinement.files_restricted):
        # Accepted (loopback, or the operator said so): engines confine what this kernel offers.
        settings = dataclasses.replace(settings, allow_unconfined=True)
    if settings.store is None:
        from ntrkkg.store.local import find_dump

        if find_dump(settings.dist) is None:
            from ntrkkg.build.pipeline import build_dataset, write_build
            from ntrkkg.outputs.dumps import write_dumps

            print(f"No build in {settings.dist}/: building it first.", file=sys.stderr)
            write_build(settings.dist, build_dataset(settings.base), write_dumps)
    try:
        from ntrkkg.web import create_app
        from ntrkkg.web.server import serve
    except ImportError as error:
        print(f"ntrkkg: serving needs the serve extra (pip install 'ntrkkg[serve]'): {error}", file=sys.stderr)
        return 1
    from ntrkkg.sparql.service import QueryFailed
    from ntrkkg.store.local import StoreError

    try:
        app = create_app(settings)
    except (QueryFailed, StoreError, OSError) as error:
        print(f"ntrkkg: cannot serve {settings.store or settings.dist}: {error}", file=sys.stderr)
        return 1
    print(
        f"Serving {settings.store or str(settings.dist) + '/'} at http://{args.host}:{args.port}/ (SPARQL at /sparql)",
        file=sys.stderr,
    )
    serve(app, settings, args.host, args.port)
    return 0


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from ntrkkg.store.local import StoreError, bulk_load
    from ntrkkg.store.remote import parse_spec

    kind, location = parse_spec(settings.store or "oxigraph:store")
    if kind != "oxigraph":
        raise StoreError("load fills an oxigraph:PATH store; use `ntrkkg publish` for a remote one")
    report = bulk_load(
        location, args.files, base=settings.base, names=settings.names, graph=args.graph, progress=not args.quiet
    )
    print(
        f"Loaded {len(report.files)} file(s), {report.bytes / 2**20:.1f} MiB, in {report.seconds:.1f}s, "
        f"replacing {len(report.graphs)} graph(s): {location} holds {report.quads_after:,} quads."
    )
    return 0


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    from ntrkkg.store.remote import publish, source_store

    store = source_store(settings.dist, settings.store, settings.base, settings.names)
    for graph in publish(store, args.to, credentials=args.auth, digest=args.digest):
        print(f"PUT {graph.graph}: {graph.triples:,} triples ({graph.status})")
    return 0


class _Version(argparse.Action):
    """Reads the dataset version only when asked, so a broken data folder cannot break the parser."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        from ntrkkg.build.pipeline import dataset_version

        try:
            dataset = dataset_version()
        except Exception as error:  # any fault of the data folder: report it, do not fail --version
            dataset = f"unknown ({error})"
        print(f"ntrkkg {__version__} (software), dataset {dataset}")
        parser.exit()


DESCRIPTION = (
    "Build, check, query and serve the knowledge graph of NTRK fusion-positive sarcomas "
    "(Table 2 of Kubota et al. 2025, doi:10.1093/jjco/hyaf015)."
)
QUERY_EPILOG = """examples:
  ntrkkg query 'SELECT ?g WHERE { ?g a ntrkkg:Gene }'
  ntrkkg query @my-question.rq --format csv
  ntrkkg query @queries/021-tumour-type-fusion-network.ttl
  ntrkkg query 21
  ntrkkg query --example ntrk3-partner-genes --format csv
  ntrkkg query --list-examples

Common prefixes (ntrkkg:, rdf:, rdfs:, owl:, xsd:, skos:, dcterms:, ...) are predeclared."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ntrkkg", description=DESCRIPTION)
    parser.add_argument("--version", action=_Version, nargs=0, help="print the software and dataset versions")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str,
        run: object,
        help: str,
        *,
        base: bool = False,
        dist: bool = False,
        store: bool = False,
        epilog: str | None = None,
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help,
            description=help[:1].upper() + help[1:] + ".",
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(run=run)
        if base:
            sub.add_argument("--base", help="base IRI to publish under (default: $NTRKKG_BASE or the w3id base)")
        if dist:
            sub.add_argument("--dist", type=Path, help="the build folder (default: $NTRKKG_DIST or dist)")
        if store:
            sub.add_argument("--store", help="oxigraph:PATH or sparql:URL (default: $NTRKKG_STORE)")
        return sub

    build = command("build", _build, "reason, validate and write the dumps", base=True)
    build.add_argument("--out", type=Path, help="output folder (default: $NTRKKG_DIST or dist)")
    validate = command("validate", _validate, "the SHACL report; exit 1 on a violation", base=True)
    validate.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    table = command("table", _table, "regenerate Table 2 from the graph", base=True, dist=True)
    table.add_argument("--format", choices=("text", "markdown", "csv", "html"), default="text")
    query = command(
        "query", _query, "run a SPARQL query on the built graph", base=True, dist=True, store=True, epilog=QUERY_EPILOG
    )
    query.add_argument(
        "sparql", nargs="?", help="the query, @FILE (.rq, or an example's .ttl), or an example's number or name"
    )
    query.add_argument("--example", metavar="N|NAME", help="run example N (see --list-examples) instead")
    query.add_argument("--list-examples", action="store_true", help="list the example questions and stop")
    query.add_argument(
        "--format", choices=("table", "json", "csv", "tsv", "xml", "turtle", "ntriples", "jsonld"), default="table"
    )
    serve = command(
        "serve", _serve, "serve the graph: SPARQL endpoint, pages, downloads", base=True, dist=True, store=True
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    load = command("load", _load, "bulk-load dumps (or a dist folder) into an on-disk store", base=True, store=True)
    load.add_argument("files", nargs="+", type=Path, help="RDF files, optionally .gz, or dist folders")
    load.add_argument("--graph", help="the graph for triple formats (default: the asserted graph)")
    load.add_argument("--quiet", action="store_true", help="no progress bar")
    publish = command(
        "publish",
        _publish,
        "PUT the graphs to a SPARQL Graph Store Protocol endpoint",
        base=True,
        dist=True,
        store=True,
    )
    publish.add_argument("--to", required=True, help="the Graph Store endpoint URL, e.g. http://host:7878/store")
    publish.add_argument("--auth", help="user:password")
    publish.add_argument("--digest", action="store_true", help="HTTP digest authentication (default: basic)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from ntrkkg.build.loading import SourceError
    from ntrkkg.build.pipeline import BuildError
    from ntrkkg.store.local import StoreError
    from ntrkkg.table import TableError

    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(
            base=getattr(args, "base", None),
            dist=getattr(args, "out", None) or getattr(args, "dist", None),
            store=getattr(args, "store", None),
        )
        return int(args.run(args, settings))
    except (ConfigError, SourceError, BuildError, StoreError, TableError, FileNotFoundError) as error:
        print(f"ntrkkg: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # network faults of publish, unreadable files
        print(f"ntrkkg: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a fault of ours: one line for the user, not a traceback
        print(f"ntrkkg: internal error ({type(error).__name__}: {error}); please report it", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
