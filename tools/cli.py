"""The tools' commands on the `newsgraph` command line.

The tools (the local Neo4j, the benchmark, the evaluations, the builds of the
artifacts extraction reads) use the runtime; the runtime never imports them.
Their commands join the product's through the `newsgraph.commands` entry point
(pyproject.toml), which newsgraph/cli.py loads: `register` adds them to its app,
after the product's own. Each command imports its tool when it runs, so the
command line starts as fast as without them.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from newsgraph.config import configure_prefect
from newsgraph.console import check_neo4j, command_settings, err, fail, out


def register(app: typer.Typer) -> None:
    """Add the tools' commands to the `newsgraph` command line."""
    app.add_typer(neo4j_app, name="neo4j")
    app.command("bench")(bench_command)
    app.command("eval")(eval_command)
    app.command("eval-resolution")(eval_resolution_command)
    app.add_typer(build_app, name="build")


# ------------------------------------------------------------------ neo4j
neo4j_app = typer.Typer(help="The local Neo4j server (runs from Maven Central jars, no Docker).",
                        no_args_is_help=True, rich_markup_mode=None)


@neo4j_app.command("start")
def neo4j_start(timeout: Annotated[int, typer.Option(help="Seconds to wait for Bolt.")] = 180) -> None:
    """Start the local Neo4j (idempotent) and wait until Bolt answers."""
    from tools import localneo4j

    settings = command_settings()
    try:
        started = localneo4j.start(settings, timeout=timeout)
    except RuntimeError as exc:
        raise fail(str(exc)) from None
    state = "started" if started else "already running"
    out.print(f"Neo4j {state}: bolt://127.0.0.1:{settings.neo4j_bolt_port}, "
              f"Browser http://127.0.0.1:{settings.neo4j_http_port}/browser/")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j if it runs."""
    from tools import localneo4j

    stopped = localneo4j.stop(command_settings())
    out.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Say whether the local Neo4j runs, and where."""
    from tools import localneo4j

    settings = command_settings()
    status = localneo4j.status(settings)
    if as_json:
        out.print_json(json.dumps(status, default=str))
    else:
        for key, value in status.items():
            out.print(f"{key}: {value}", highlight=False)
        if status.get("auth_ok") is False:
            err.print(f"The server answers but refuses the login for user {settings.neo4j_user!r}: check NEO4J_USER / "
                      "NEO4J_PASSWORD (environment or .env).", highlight=False)
    if not status.get("running"):
        raise typer.Exit(3)


# ------------------------------------------------------------------- bench
def bench_command(
    docs: Annotated[int, typer.Option(help="Documents for end to end, re-ingest, memory and queries.", min=1)] = 10_000,
    extract_docs: Annotated[int, typer.Option(help="Documents for extraction against stock spaCy.", min=1)] = 1_000,
    load_docs: Annotated[int, typer.Option(help="Documents for the loader against rdflib-neo4j.", min=1)] = 1_000,
    processes: Annotated[int, typer.Option(help="spaCy processes end to end (stock gets as many).", min=1)] = 1,
    query_runs: Annotated[int, typer.Option(help="Timed runs per cookbook recipe.", min=1)] = 20,
    dask_workers: Annotated[int, typer.Option(help="Workers of the local Dask cluster end to end is also "
                                              "measured on (0: not measured).", min=0)] = 2,
    growth_docs: Annotated[int | None, typer.Option(help="Documents loaded in ten slices for load.growth "
                                                    "(default: --docs).", min=1)] = None,
    use_configured: Annotated[bool, typer.Option("--use-configured", help="Use the Neo4j of NEO4J_URI instead "
                                                 "of the bench's own server: its graph is EMPTIED.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm --use-configured.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    corpus: Annotated[Path | None, typer.Option(help="A JSONL corpus in place of "
                                                "../shared/corpora/reuters21578.jsonl.")] = None,
) -> None:
    """Measure newsgraph against stock spaCy and rdflib-neo4j on ../shared/corpora/reuters21578.jsonl.

    Runs on a Neo4j of its own (bolt 7694, http 7481, data in services/neo4j/run-bench),
    started and stopped here, so the graph NEO4J_URI names is not touched."""
    from tools.bench import BenchOptions, BenchSkipped, RecipeWithoutRows, check_queries, format_table, run_bench

    if use_configured and not yes:
        raise fail("--use-configured empties the graph of NEO4J_URI; run again with --yes", 2)
    configure_prefect()
    options = BenchOptions(docs=docs, extract_docs=extract_docs, load_docs=load_docs, processes=processes,
                           query_runs=query_runs, growth_docs=growth_docs, use_configured=use_configured,
                           dask_workers=dask_workers)
    if corpus is not None:
        options = replace(options, corpus=corpus)
    try:
        result = run_bench(options, log=lambda message: err.print(message, highlight=False))
    except BenchSkipped as exc:
        err.print(f"bench skipped: {exc}", highlight=False)
        return
    except RuntimeError as exc:
        raise fail(str(exc)) from None
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(format_table(result))
    try:
        check_queries(result["queries"])  # a time measured on no answer is no figure: the bench fails
    except RecipeWithoutRows as exc:
        raise fail(str(exc)) from None


# -------------------------------------------------------------------- eval
def eval_command(
    path: Annotated[Path, typer.Argument(help="The dataset's folder or file (e.g. ../shared/datasets/dwie).")],
    dataset: Annotated[str, typer.Option(help="dwie, crossre, conll04, redocred or cnn-facts.")],
    lowercase: Annotated[bool, typer.Option(help="Lowercase the text before extraction.")] = False,
    limit: Annotated[int | None, typer.Option(help="Score only the first N documents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    min_confidence: Annotated[float | None, typer.Option(
        help="Score the relations at or above this confidence (default: the extractor's default cut-off); "
             "the reliability table always covers every candidate.", min=0.0, max=1.0)] = None,
) -> None:
    """Score extraction on a labelled dataset (entities per type, relations strict; cnn-facts by facts,
    with a reliability table) and its speed."""
    from tools.evaluate import DATASETS, format_tables, run_eval

    if dataset not in DATASETS:
        raise fail(f"unknown dataset {dataset!r}; use {', '.join(DATASETS)}")
    if not path.exists():
        raise fail(f"{path} does not exist")
    result = run_eval(dataset, path, lowercase=lowercase, limit=limit, model_name=command_settings().spacy_model,
                      min_confidence=min_confidence)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        sys.stdout.write(format_tables(result) + "\n")  # fixed-width tables, not wrapped to the terminal


def eval_resolution_command(
    path: Annotated[Path, typer.Argument(help="DWIE's folder (e.g. ../shared/datasets/dwie); its dev split is used.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N dev documents.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Empty the graph first (it must be empty otherwise).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Measure one-node-per-entity on DWIE dev: ingest into an empty graph, before and after resolution."""
    from tools.resolution_eval import GraphNotEmpty, format_table, run_resolution_eval

    if not path.exists():
        raise fail(f"{path} does not exist")
    conn = check_neo4j()
    configure_prefect()
    try:
        result = run_resolution_eval(conn, path, limit=limit, reset=reset)
    except GraphNotEmpty as exc:
        raise fail(str(exc)) from None
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        sys.stdout.write(format_table(result) + "\n")  # a Markdown table, unwrapped
    if result["failed"]:
        raise typer.Exit(1)


# ------------------------------------------------------------------ build
build_app = typer.Typer(help="Rebuild the artifacts extraction reads (committed under extractors/) from the data "
                             "in ../shared.", no_args_is_help=True, rich_markup_mode=None)


@build_app.command("calibration")
def build_calibration(
    data: Annotated[Path | None, typer.Argument(help="cnn-facts (default: ../shared/datasets/cnn-facts).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Default: extractors/data/calibration.json.")] = None,
) -> None:
    """Measure the confidences per rule and source, and the default cut-off, on the news dev set (`make calibrate`)."""
    from extractors.calibration import CALIBRATION_FILE
    from tools.training.calibrate import DEFAULT_DATA, write_calibration

    data = data or DEFAULT_DATA
    if not (data / "gold").is_dir():
        raise fail(f"no cnn-facts gold at {data}", 2)
    write_calibration(data, out_file or CALIBRATION_FILE)


@build_app.command("truecase-table")
def build_truecase_table(
    sources: Annotated[list[Path] | None, typer.Argument(help="Cased corpora (default: Reuters and the datasets' "
                                                              "train splits in ../shared).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Default: extractors/data/truecase.json.")] = None,
) -> None:
    """Count the casings of words mid-sentence into the truecasing table (`make truecase-table`)."""
    from tools.training.build_truecaser import DEFAULT_OUT, default_sources, write_table

    found = [s for s in (sources or default_sources()) if s.exists()]
    target = out_file or DEFAULT_OUT
    if not found:
        raise fail(f"no corpus found; not writing {target}")
    write_table(found, target)


@build_app.command("relations")
def build_relations(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Default: extractors/models/relations.")] = None,
    datasets: Annotated[Path | None, typer.Option(help="Default: ../shared/datasets.")] = None,
    epochs: Annotated[int, typer.Option(min=1)] = 8,
    seed: int = 0,
    min_count: Annotated[int, typer.Option(help="Drop features seen in fewer documents.", min=1)] = 3,
    cache_dir: Annotated[Path | None, typer.Option(help="Keep the parsed training docs here (DocBin) "
                                                        "for reruns.")] = None,
) -> None:
    """Train the relation classifier on the DWIE, CoNLL04 and Re-DocRED train splits (`make train-relations`)."""
    from tools.training.train_relations import DEFAULT_DATASETS, DEFAULT_OUT, train_classifier

    summary = train_classifier(out_dir or DEFAULT_OUT, datasets or DEFAULT_DATASETS, epochs=epochs, seed=seed,
                               min_count=min_count, cache_dir=cache_dir)
    sys.stdout.write(json.dumps(summary) + "\n")


@build_app.command("ner-data")
def build_ner_data(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for train.spacy and valid.spacy.")] = Path("build/ner"),
    datasets: Annotated[Path | None, typer.Option(help="Default: ../shared/datasets.")] = None,
) -> None:
    """The case-robust NER's training data from the datasets' train splits (`make train-ner`)."""
    from tools.datasets import DATASETS_DIR
    from tools.training.convert import build

    for name, counts in build(datasets or DATASETS_DIR, out_dir).items():
        sys.stdout.write(f"{name} {dict(counts)}\n")
