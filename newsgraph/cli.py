"""The `newsgraph` command line.

The product's commands are here. The tools' commands (the local Neo4j, bench,
eval, the builds of extraction's artifacts: tools/cli.py) join the same command
line through the `newsgraph.commands` entry point (see `add_commands`), so this
runtime never imports the tools.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from newsgraph.config import DEFAULTS, configure_prefect
from newsgraph.console import check_neo4j, command_settings, err, fail, out

app = typer.Typer(
    help="News articles → knowledge graph: spaCy extraction, RDF schema, Neo4j, Prefect flows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain usage errors: one line each, where rich's boxed panel wraps a
    # message to the terminal's width.
    rich_markup_mode=None,
)


# ----------------------------------------------------------------- extract
@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt, .story, .jsonl).")],
    fmt: Annotated[str, typer.Option("--format", help="Output format.")] = "jsonl",
    processes: Annotated[int, typer.Option(help="spaCy processes.")] = 1,
    min_confidence: Annotated[float | None, typer.Option(
        "--min-confidence", min=0.0, max=1.0,
        help="Leave out entities and facts below this calibrated confidence (0: every candidate). "
             "Default: NEWSGRAPH_MIN_CONFIDENCE, else the cut-off chosen on dev data; "
             "what `ingest` would load.")] = None,
) -> None:
    """Extract entities and relations, one JSON object per document on stdout (no Neo4j needed)."""
    from extractors.pipeline import extract_documents
    from newsgraph.readers import DocumentReader

    if fmt != "jsonl":
        raise fail(f"unknown format {fmt!r}; the only format is jsonl")
    settings = command_settings()
    reader = DocumentReader(paths, max_doc_bytes=settings.max_doc_bytes)
    count = 0
    cutoff = settings.min_confidence if min_confidence is None else min_confidence
    for extraction in extract_documents(reader, model_name=settings.spacy_model, n_process=processes,
                                        min_confidence=cutoff):
        sys.stdout.write(json.dumps(extraction.to_json(), ensure_ascii=False) + "\n")
        count += 1
    for failure in reader.failures:
        err.print(f"[red]failed[/] {escape(str(failure))}", highlight=False)
    _print_unsupported([str(p) for p in reader.unsupported])
    err.print(f"{count} documents extracted, {len(reader.failures)} failed", highlight=False)
    nothing = _no_documents({"read": count, "failed": reader.failures,
                             "unsupported": reader.unsupported}, paths)
    if nothing is not None:
        raise nothing
    if reader.failures:
        raise typer.Exit(1)


# ------------------------------------------------------------------ ingest
def _print_report(report: dict[str, Any]) -> None:
    table = Table(title="Ingest summary", show_header=False)
    table.add_row("documents read", str(report["read"]))
    table.add_row("skipped (unchanged)", str(report["skipped"]))
    if report.get("kept_old_version"):
        table.add_row("  of which extracted by another version", str(report["kept_old_version"]))
    table.add_row("loaded", str(report["loaded"]))
    table.add_row("re-extracted (new extractor)", str(report.get("reextracted", 0)))
    table.add_row("failed", str(len(report["failed"])))
    if report.get("unsupported"):
        table.add_row("not read (unsupported type)", str(len(report["unsupported"])))
    for label, n in report["entities"].items():
        table.add_row(f"entities: {label}", str(n))
    for rel_type, n in report["relationships"].items():
        table.add_row(f"relationships: {rel_type}", str(n))
    table.add_row("triples", str(report["triples"]))
    table.add_row("seconds", f"{report['seconds']:.1f}")
    out.print(table)
    for source, reason in report["failed"]:
        err.print(f"[red]failed[/] {escape(f'{source}: {reason}')}", highlight=False)
    _print_unsupported(report.get("unsupported", []))


SHOWN_UNSUPPORTED = 20


def _print_unsupported(paths: list[str]) -> None:
    """Files a folder held that are not read, named (the first few), so none is skipped silently."""
    for path in paths[:SHOWN_UNSUPPORTED]:
        err.print(f"[yellow]not read[/] {escape(path)}: unsupported file type; newsgraph reads .txt, .story and .jsonl",
                  highlight=False)
    if len(paths) > SHOWN_UNSUPPORTED:
        err.print(f"[yellow]not read[/] {len(paths) - SHOWN_UNSUPPORTED} more files of unsupported types "
                  "(all of them in --json)", highlight=False)


def _no_documents(report: dict[str, Any], paths: list[Path]) -> typer.Exit | None:
    """An ingest that found nothing to read is an error, not a quiet success."""
    if report["read"] or report["failed"]:
        return None
    where = ", ".join(str(p) for p in paths)
    also = f" ({len(report['unsupported'])} files of other types)" if report.get("unsupported") else ""
    return fail(f"no documents found in {where}{also}: newsgraph reads .txt and .story files (one document "
                 "each) and .jsonl files (one per line)")


def run_ingest(paths: list[str], *, force: bool = False, processes: int = 1,
               batch_words: int | None = None, show_progress: bool = True, runner: str = "sequential",
               dask_address: str | None = None, limit: int | None = None,
               reextract: bool | None = None, min_confidence: float | None = None) -> dict[str, Any]:
    configure_prefect()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.ingest import run_ingest_flow

    progress = Progress(TextColumn("ingesting"), BarColumn(bar_width=None), TextColumn("{task.description}"),
                        TimeElapsedColumn(), console=err, transient=True,
                        disable=not (show_progress and err.is_terminal))
    with progress:
        bar = progress.add_task("", total=None)

        def show(read: int, failed: int) -> None:
            progress.update(bar, description=f"{read} documents read, {failed} failed")

        return run_ingest_flow(paths, runner=runner, dask_address=dask_address, force=force, n_process=processes,
                               batch_words=batch_words, limit=limit, reextract=reextract,
                               min_confidence=min_confidence, progress=show)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt, .story, .jsonl).")],
    force: Annotated[bool, typer.Option(help="Re-extract documents even when unchanged.")] = False,
    processes: Annotated[int, typer.Option(help="spaCy processes.")] = 1,
    batch_words: Annotated[int | None, typer.Option(help="Words per batch (default from settings).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    runner: Annotated[str, typer.Option(help="Task runner: sequential (this process) or dask "
                                             "(Prefect's DaskTaskRunner).")] = "sequential",
    dask_address: Annotated[str | None, typer.Option(help="Dask scheduler for --runner dask, e.g. "
                                                          "tcp://10.0.0.5:8786 (default: a local cluster).")] = None,
    limit: Annotated[int | None, typer.Option(help="Read at most N documents.", min=1)] = None,
    keep_old_versions: Annotated[bool, typer.Option(
        "--keep-old-versions", help="Skip unchanged documents even when another extractor version read them "
                                    "(default: NEWSGRAPH_REEXTRACT, on: they are re-extracted).")] = False,
    min_confidence: Annotated[float | None, typer.Option(
        "--min-confidence", min=0.0, max=1.0,
        help="Load only entities and facts at or above this calibrated confidence (0: every candidate). "
             "Default: NEWSGRAPH_MIN_CONFIDENCE, else the cut-off chosen on dev data; the same as "
             "`extract --min-confidence`. Unchanged documents already loaded keep their facts (--force "
             "extracts them again at this cut-off).")] = None,
) -> None:
    """Ingest articles into Neo4j through the Prefect flow; unchanged documents are skipped
    unless another extractor version read them."""
    if runner not in ("sequential", "dask"):
        raise fail(f"unknown runner {runner!r}; use sequential or dask", 2)
    if dask_address and runner != "dask":
        raise fail("--dask-address needs --runner dask", 2)
    check_neo4j()
    report = run_ingest([str(p) for p in paths], force=force, processes=processes, batch_words=batch_words,
                        runner=runner, dask_address=dask_address, limit=limit,
                        reextract=False if keep_old_versions else None, min_confidence=min_confidence)
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
    else:
        _print_report(report)
    nothing = _no_documents(report, paths)
    if nothing is not None:
        raise nothing
    if report["failed"]:
        raise typer.Exit(1)


# ------------------------------------------------------------------- query
def _parse_param(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise fail(f"--param takes NAME=VALUE, got {text!r}")
    name, raw = text.split("=", 1)
    try:
        value = json.loads(raw)  # numbers, booleans, lists; anything else is a string
    except json.JSONDecodeError:
        value = raw
    return name.strip(), value


@app.command()
def query(
    cypher_text: Annotated[str, typer.Argument(metavar="CYPHER", help="The Cypher query ($names for parameters).")],
    param: Annotated[list[str] | None, typer.Option("--param", help="NAME=VALUE (JSON values allowed).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of row objects.")] = False,
    write: Annotated[bool, typer.Option("--write", help="Allow the query to change the graph.")] = False,
) -> None:
    """Run a Cypher query; read-only unless --write."""
    from neo4j.exceptions import ClientError

    from graphstore.store import run_query

    conn = check_neo4j()
    params = dict(_parse_param(p) for p in (param or []))
    try:
        rows = run_query(conn, cypher_text, params, write=write)
    except ClientError as exc:
        hint = " (the query writes: add --write)" if "write" in (exc.message or "").lower() else ""
        raise fail(f"{exc.code}: {exc.message}{hint}") from None
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, default=str) + "\n")
        return
    _print_rows(rows)


def _print_rows(rows: list[dict[str, Any]], title: str | None = None) -> None:
    if not rows:
        out.print("(no rows)")
        return
    table = Table(title=title)
    for key in rows[0]:
        table.add_column(key, overflow="fold")
    for row in rows:
        table.add_row(*(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in row.values()))
    out.print(table)


# ------------------------------------------------------------------ export
@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="turtle or json-ld.")] = "turtle",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File (default: stdout).")] = None,
) -> None:
    """The graph back as RDF."""
    from graphstore.export import export_graph

    formats = {"turtle": "turtle", "ttl": "turtle", "json-ld": "json-ld", "jsonld": "json-ld"}
    if fmt not in formats:
        raise fail(f"unknown format {fmt!r}; use turtle or json-ld")
    conn = check_neo4j()
    graph = export_graph(conn)
    text = graph.serialize(format=formats[fmt])
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"{len(graph)} triples written to {output}")


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="An RDF file written by `newsgraph export` (.ttl or .jsonld).")],
) -> None:
    """Load an RDF export into the graph (it must conform to schema/shapes.ttl)."""
    from rdflib import Graph

    from graphstore import store
    from graphstore.plan import plan_from_graph
    from schema.validation import validate_graph

    if not path.is_file():
        raise fail(f"{path} is not a file")
    fmt = "json-ld" if path.suffix.lower() in (".jsonld", ".json") else "turtle"
    conn = check_neo4j()
    try:
        graph = Graph().parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many kinds of parse errors
        raise fail(f"cannot parse {path} as {fmt}: {exc}") from None
    report = validate_graph(graph)
    if not report.conforms:
        raise fail(f"{path} does not conform to the shapes; nothing loaded:\n{report.summary()}")
    store.ensure_schema(conn)
    # The file holds the graph as it was, merges included: loaded as recorded, not resolved again.
    counts = store.load_plan(conn, plan_from_graph(graph), resolve=False)
    out.print(f"{len(graph)} triples imported: {counts['documents']} documents, {counts['entities']} entities, "
              f"{counts['mentions']} mentions, {counts['relationships']} relationships, "
              f"{counts['merges']} merge records", highlight=False)


@app.command()
def why(
    head: Annotated[str, typer.Argument(help="Name of the subject, e.g. \"Emmanuel Macron\".")],
    rel_type: Annotated[str, typer.Argument(metavar="TYPE", help="Relationship type, e.g. HOLDS_ROLE.")],
    tail: Annotated[str, typer.Argument(help="Name of the object, e.g. \"France\".")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print the sentences that support a fact, each with its document, sentence number, offsets and confidence."""
    from graphstore.cookbook import recipe
    from graphstore.store import run_query
    from schema.ontology import load_ontology

    types = sorted(load_ontology().relation_types)
    if rel_type.upper() not in types:
        raise fail(f"unknown relationship type {rel_type!r}; one of {', '.join(types)}")
    conn = check_neo4j()
    rows = run_query(conn, recipe("fact_evidence").cypher,
                     {"head": head, "type": rel_type.upper(), "tail": tail})
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    elif not rows:
        out.print(f"The graph has no {rel_type.upper()} from {head!r} to {tail!r}.", highlight=False)
    else:
        first = rows[0]
        detail = f" ({first['detail']})" if first["detail"] else ""
        out.print(f"{first['head']} {first['fact']}{detail} {first['tail']}: "
                  f"{len(rows)} supporting sentence(s)", highlight=False, markup=False)
        for r in rows:
            # A sentence of the one-per-line form keeps its line break in the evidence; one line per sentence here.
            out.print(f"  [{r['document']} sentence {r['sentence']}, chars {r['start']}-{r['end']}, "
                      f"confidence {r['confidence']:.2f}{_time_said(r)}] {r['text'].strip()}",
                      highlight=False, markup=False)  # "[more-001 ...]" is text, not a style tag
        if first.get("closed_how"):
            as_of = f" as of {first['closed_as_of']}" if first.get("closed_as_of") else ""
            out.print(f"  closed ({first['closed_how']}){as_of}: [{first['closed_by_doc']}] "
                      f"{(first['closed_by_evidence'] or '').strip()}", highlight=False, markup=False)
    if not rows:
        raise typer.Exit(1)


def _time_said(row: dict[str, Any]) -> str:
    """When one sentence says the fact held: ', as of 2022-09-09, former, since 2012'."""
    said = [f"as of {row['as_of']}" if row.get("as_of") else "", "former" if row.get("former") else "",
            f"since {row['valid_from']}" if row.get("valid_from") else "",
            f"until {row['valid_to']}" if row.get("valid_to") else ""]
    return "".join(f", {part}" for part in said if part)


@app.command()
def cookbook(
    name: Annotated[str | None, typer.Argument(help="A recipe; without it, the list.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="NAME=VALUE (JSON values allowed).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the Cypher cookbook's analyst questions, or run one."""
    from graphstore.cookbook import recipe, recipes
    from graphstore.store import run_query

    if name is None:
        for r in recipes().values():
            names = ", ".join(f"{n}={json.dumps(r.params[n], ensure_ascii=False)}" if n in r.params else n
                              for n in r.parameter_names)
            out.print(f"[bold]{r.name}[/]  {r.description}", highlight=False)
            out.print(f"    params: {names or '(none)'}  [dim]{r.path.name}[/]", highlight=False)
        return
    try:
        chosen = recipe(name)
    except KeyError:
        raise fail(f"no recipe {name!r}; `newsgraph cookbook` lists them") from None
    given = dict(_parse_param(p) for p in (param or []))
    # A misspelt name would otherwise run with the example value and look like an answer.
    unknown = sorted(set(given) - set(chosen.parameter_names))
    if unknown:
        accepted = ", ".join(chosen.parameter_names) or "none"
        raise fail(f"recipe {chosen.name} has no parameter {', '.join(map(repr, unknown))}; "
                    f"its parameters: {accepted}", 2)
    params = {**chosen.params, **given}
    rows = run_query(check_neo4j(), chosen.cypher, params)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, default=str) + "\n")
    else:
        _print_rows(rows, title=chosen.description)


# ------------------------------------------------------------ reset/forget
@app.command()
def reset(yes: Annotated[bool, typer.Option("--yes", help="Confirm: delete the whole graph.")] = False) -> None:
    """Empty the graph (constraints and indexes stay)."""
    from graphstore import store

    if not yes:
        raise fail("this deletes every node and relationship; run again with --yes", 2)
    conn = check_neo4j()
    store.reset(conn)
    store.ensure_schema(conn)
    out.print("Graph emptied.")


@app.command()
def forget(doc_ids: Annotated[list[str], typer.Argument(metavar="DOC_ID...")]) -> None:
    """Remove documents and every fact only they supported."""
    from graphstore import store

    conn = check_neo4j()
    n = store.forget_documents(conn, doc_ids)
    out.print(f"{n} of {len(doc_ids)} documents forgotten.")
    if n < len(doc_ids):
        raise typer.Exit(1)


@app.command()
def split(merge_id: Annotated[str, typer.Argument(metavar="MERGE_ID", help="A merge's merge_id (or URI).")],
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Undo a decision: a merge (applied or accepted) comes apart and the pair is not merged again;
    a rejected candidate's veto is lifted."""
    from graphstore import store
    from graphstore.resolution import MergeStateError

    conn = check_neo4j()
    try:
        merge = store.split_merge(conn, merge_id)
    except MergeStateError as exc:
        raise fail(f"{exc}; list them with `newsgraph cookbook entity_merges`") from None
    if as_json:
        sys.stdout.write(json.dumps(_merge_summary(merge), ensure_ascii=False) + "\n")
    elif merge["status"] == "rejected":
        out.print(f"Lifted the veto {merge['merge_id']}: {merge['alias_name']!r} and {merge['target_name']!r} "
                  f"may be proposed again (`newsgraph merges` lists what is pending).", highlight=False)
    else:
        out.print(f"Split merge {merge['merge_id']} ({merge['rule']}: {merge['reason']}): {merge['alias_name']!r} "
                  f"is its own node again ({merge['alias_uri']}); it will not be merged into "
                  f"{merge['target_uri']} again.", highlight=False)


# ------------------------------------------------------------------ merges
merges_app = typer.Typer(help="Merge candidates: resolution's unsure pairs, for a person to accept or reject.",
                         rich_markup_mode=None)
app.add_typer(merges_app, name="merges")


def _merge_summary(merge: dict[str, Any]) -> dict[str, Any]:
    keys = ("merge_id", "status", "entity_label", "alias_name", "alias_uri", "target_name", "target_uri",
            "rule", "reason", "evidence_documents", "evidence_sentences")
    return {k: merge.get(k) for k in keys}


@merges_app.callback(invoke_without_command=True)
def merges(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the pending merge candidates with their evidence: the two names, the rule, the documents
    and sentences that tie them."""
    from graphstore import store

    if ctx.invoked_subcommand is not None:
        return
    pending = [_merge_summary(m) for m in store.merges_with_status(check_neo4j(), "pending")]
    if as_json:
        sys.stdout.write(json.dumps(pending, ensure_ascii=False) + "\n")
        return
    if not pending:
        out.print("No pending merge candidates.")
        return
    for m in pending:
        out.print(f"{m['merge_id']}  {m['entity_label'] or 'Person'}: {m['alias_name']!r} -> {m['target_name']!r}"
                  f"  ({m['rule']}: {m['reason']})", highlight=False, markup=False)
        for sentence in m["evidence_sentences"] or m["evidence_documents"] or []:
            out.print(f"    {str(sentence).strip()}", highlight=False, markup=False)
    out.print(f"{len(pending)} pending; `newsgraph merges accept ID` or `newsgraph merges reject ID`.",
              highlight=False)


def _decide(merge_id: str, status: Literal["accepted", "rejected"], as_json: bool) -> dict[str, Any]:
    from graphstore import store
    from graphstore.resolution import MergeStateError

    conn = check_neo4j()
    try:
        merge = _merge_summary(store.decide_merge(conn, merge_id, status))
    except MergeStateError as exc:
        raise fail(f"{exc}; `newsgraph merges` lists the pending ones") from None
    if as_json:
        sys.stdout.write(json.dumps(merge, ensure_ascii=False) + "\n")
    return merge


@merges_app.command("accept")
def merges_accept(merge_id: Annotated[str, typer.Argument(metavar="ID", help="A pending candidate's merge_id.")],
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Merge a pending candidate's pair (as resolution would) and record the decision (status accepted)."""
    merge = _decide(merge_id, "accepted", as_json)
    if not as_json:
        out.print(f"Accepted {merge['merge_id']}: {merge['alias_name']!r} merged into {merge['target_name']!r} "
                  f"({merge['target_uri']}); `newsgraph split {merge['merge_id']}` undoes it.", highlight=False)


@merges_app.command("reject")
def merges_reject(merge_id: Annotated[str, typer.Argument(metavar="ID", help="A pending candidate's merge_id.")],
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Veto a pending candidate (status rejected): the pair is never proposed or merged again."""
    merge = _decide(merge_id, "rejected", as_json)
    if not as_json:
        out.print(f"Rejected {merge['merge_id']}: {merge['alias_name']!r} and {merge['target_name']!r} stay apart; "
                  f"`newsgraph split {merge['merge_id']}` lifts the veto.", highlight=False)


# ------------------------------------------------------------------- serve
@app.command()
def serve(
    inbox: Annotated[Path, typer.Option(help="Folder watched for new and changed files.")],
    cron: Annotated[str, typer.Option(help="Cron expression, e.g. '*/15 * * * *'.")] = "*/15 * * * *",
    prefect_port: Annotated[int, typer.Option(help="Port of the local Prefect server started when "
                                                   "PREFECT_API_URL is not set.")] = 4200,
) -> None:
    """Serve a Prefect deployment that ingests the inbox on a schedule."""
    from newsgraph.prefect_server import local_prefect_server

    if not inbox.is_dir():
        raise fail(f"inbox {inbox} is not a folder")
    check_neo4j()
    # The runs of the schedule are what `serve` is for: Prefect's log at INFO.
    configure_prefect("INFO", quiet_server=False)
    if os.environ.get("PREFECT_API_URL"):
        _serve(inbox, cron)
        return
    # A plain `kill` should stop the Prefect server we start too, not orphan it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # The embedded API has no scheduler: run a local Prefect server for the schedule.
    err.print(f"starting a local Prefect server on 127.0.0.1:{prefect_port} for the schedule ...")
    try:
        with local_prefect_server(prefect_port) as url:
            os.environ["PREFECT_API_URL"] = url
            err.print(f"Prefect UI: {url.removesuffix('/api')}", highlight=False)
            _serve(inbox, cron)
    except RuntimeError as exc:
        raise fail(str(exc)) from None


def _serve(inbox: Path, cron: str) -> None:
    from flows.serve import serve_inbox

    serve_inbox(str(inbox.resolve()), cron)


# ---------------------------------------------------------- summary / demo
@app.command("summary")
def summary_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Documents, entities by label and relationships by type in the graph."""
    from graphstore import store

    data = store.summary(check_neo4j())
    if as_json:
        sys.stdout.write(json.dumps(data) + "\n")
        return
    _print_summary(data)


def _print_summary(data: dict[str, Any]) -> None:
    table = Table(title="Graph", show_header=False)
    table.add_row("documents", str(data["documents"]))
    for label, n in data["entities"].items():
        table.add_row(f"entities: {label}", str(n))
    for rel_type, n in data["relationships"].items():
        table.add_row(f"relationships: {rel_type}", str(n))
    out.print(table)


@app.command()
def demo(
    path: Annotated[Path, typer.Argument(help="Articles to ingest.")] = Path("examples"),
) -> None:
    """Ingest the examples, then show the graph, three analyst queries and where to look."""
    from graphstore import store
    from graphstore.store import run_query
    from newsgraph.demo import DEMO_QUERIES

    conn = check_neo4j()
    settings = command_settings()
    report = run_ingest([str(path)])
    _print_report(report)
    nothing = _no_documents(report, [path])
    if nothing is not None:
        raise nothing
    _print_summary(store.summary(conn))
    for title, statement in DEMO_QUERIES:
        _print_rows(run_query(conn, statement), title=title)
    # The documented local default is no secret; any other password is never shown.
    password = (f"password {DEFAULTS['NEO4J_PASSWORD']} (the local default)"
                if settings.neo4j_password == DEFAULTS["NEO4J_PASSWORD"]
                else "password: the value of NEO4J_PASSWORD")
    out.print(
        f"\nNeo4j Browser: http://127.0.0.1:{settings.neo4j_http_port}/browser/\n"
        f"  connect URL bolt://127.0.0.1:{settings.neo4j_bolt_port}, user {settings.neo4j_user}, {password}",
        highlight=False,
    )
    if report["failed"]:
        raise typer.Exit(1)


# ------------------------------------------------------------------ tools
COMMANDS_GROUP = "newsgraph.commands"


def add_commands(target: typer.Typer) -> None:
    """Add the commands of every `newsgraph.commands` entry point: each names a
    function that takes the command line and adds its commands to it. The
    project's tools come this way (pyproject.toml: `tools = "tools.cli:register"`)."""
    for entry_point in entry_points(group=COMMANDS_GROUP):
        entry_point.load()(target)


add_commands(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
