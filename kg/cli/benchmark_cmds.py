"""benchmark, similar: a draft's measures against other regions' measures in the graph.

Thin: parse, call kg.benchmark, print with kg.report (terminal, Markdown memo) or as JSON.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from kg.cli import app
from kg.cli.common import console, fail

STORE_HELP = "Graph store: memory, oxigraph or the http(s) URL of a SPARQL endpoint."
BUILD_HELP = "Build folder (graph.nt, store/) made by `policykg build`."
FORMAT_HELP = "Output: table (terminal report), md (a Markdown memo) or json."
AGAINST_HELP = ("Compare only with these regions (any name: 厦门, 厦门市, Xiamen); repeat the option or "
                "separate names with commas. Default: every other region in the graph.")
FORMATS = ("table", "md", "json")


def _check(fmt: str, top: int) -> None:
    if fmt not in FORMATS:
        fail(f"--format: unknown format '{fmt}' (use {', '.join(FORMATS)})")
    if top < 1:
        fail("--top: give a number of at least 1")


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command("benchmark")
def benchmark_cmd(
    draft: Path = typer.Argument(..., help="The draft policy: any file `policykg extract` reads "
                                           "(.txt in any Chinese encoding, .html, .docx, .pdf). "
                                           "It is extracted, not added to the graph."),
    against: list[str] = typer.Option(None, "--against", "-a", help=AGAINST_HELP),
    top: int = typer.Option(3, "--top", help="Closest peer measures to list for each draft measure."),
    per_region: int = typer.Option(1, "--per-region", help="At most this many of them from one region "
                                                           "(0: no limit)."),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
    build: Path = typer.Option(Path("build"), "--build", help=BUILD_HELP),
) -> None:
    """Benchmark a draft against comparable regions, measure by measure.

    For each draft measure: the closest measures of other regions (shared themes, shared
    beneficiaries and text similarity, each score with its parts), and its figures next to
    the peers' figures of the same theme, kind and unit, flagged where the draft is the lowest
    or the highest. For the whole draft: the themes two or more peer regions treat and the draft
    lacks, with the peers' measures as evidence.

    Examples:
      [bold]policykg benchmark drafts/weihai.txt[/]
      [bold]policykg benchmark drafts/weihai.docx --against 厦门 --against 珠海 --format md > memo.md[/]
    """
    from kg.benchmark import benchmark
    from kg.report import benchmark_console, benchmark_markdown
    from kg.store import open_store
    _check(fmt, top)
    if per_region < 0:
        fail("--per-region: give 0 (no limit) or more")
    if not draft.exists():
        fail(f"{draft}: no such file")
    result = benchmark(open_store(store, build), draft, against=against, top=top, per_region=per_region)
    if fmt == "json":
        _write(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    elif fmt == "md":
        _write(benchmark_markdown(result))
    else:
        benchmark_console(result, console)


@app.command("similar")
def similar_cmd(
    measure: str = typer.Argument(..., help="A measure of the graph: its IRI (or id:measure/…), "
                                            "DOC/REGION/N such as 004_46d0cb6fe9d9ebe8/zhuhai/7 (DOC may be "
                                            "a unique prefix: 004/zhuhai/7), or REGION/N such as zhuhai/7 or "
                                            "珠海/7 when the region has one measure with that number."),
    against: list[str] = typer.Option(None, "--against", "-a", help=AGAINST_HELP),
    top: int = typer.Option(5, "--top", help="How many similar measures to list."),
    per_region: int = typer.Option(0, "--per-region", help="At most this many from one region (0: no limit); "
                                                           "1 aligns one provision per region."),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
    build: Path = typer.Option(Path("build"), "--build", help=BUILD_HELP),
) -> None:
    """The measures of other regions most similar to one measure of the graph.

    Examples:
      [bold]policykg similar zhuhai/7[/]            (珠海 7. 构建“先用后转”成果转化机制: pay after use elsewhere)
      [bold]policykg similar 004/zhuhai/7 --per-region 1 --top 10 --format md[/]
    """
    from kg.benchmark import similar
    from kg.report import similar_console, similar_markdown
    from kg.store import open_store
    _check(fmt, top)
    if per_region < 0:
        fail("--per-region: give 0 (no limit) or more")
    result = similar(open_store(store, build), measure, against=against, top=top, per_region=per_region)
    if fmt == "json":
        _write(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    elif fmt == "md":
        _write(similar_markdown(result))
    else:
        similar_console(result, console)
