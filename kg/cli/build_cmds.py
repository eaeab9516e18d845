"""build, extract, validate, eval."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.cli import app
from kg.cli.common import console, err_console, fail


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("{task.fields[current]}"), console=err_console,
                    transient=True)


@app.command()
def build(
    corpus: list[Path] = typer.Argument(None, readable=False,   # unreadable ones are reported by build
                                        help="Files or folders of policy texts (default: corpus/)."),
    out: Path = typer.Option(Path("build"), "--out", "-o", help="Output folder."),
    strict: bool = typer.Option(False, help="Exit non-zero when any file was skipped."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0,
                             help="Worker processes for extraction (0: all cores)."),
    store: str = typer.Option("oxigraph", "--store",
                              help="oxigraph: also write the embedded store build/store (default); "
                                   "memory: graph files only; an http(s) URL: then push the graph "
                                   "to that SPARQL endpoint (see `policykg push`)."),
) -> None:
    """Build the graph from policy texts: Turtle, N-Triples, the store and per-file extraction JSON.

    Incremental: files unchanged since the last build into the same folder are not extracted
    again (build/cache/).

    Example: [bold]policykg build corpus/ --out build/ --jobs 4[/]
    """
    from kg.build import build as run_build, discover
    remote = store.startswith(("http://", "https://"))
    if not remote and store not in ("oxigraph", "memory"):
        fail(f"--store {store}: use oxigraph, memory or the http(s) URL of a SPARQL endpoint")
    files, problems = discover(corpus or [Path("corpus")])
    with _progress() as bar:
        task = bar.add_task("extracting", total=len(files), current="")
        result = run_build([], out, progress=lambda p: bar.update(task, advance=1, current=p.name),
                           files=files, jobs=jobs or None, store="memory" if remote else store)
    result.skipped = problems + result.skipped
    table = Table(title=f"policykg build → {out}", show_header=True)
    for col in ("documents", "sources", "measures", "triples", "skipped"):
        table.add_column(col, justify="right")
    table.add_row(str(result.document_count), str(result.sources), str(result.measures),
                  str(result.triples), str(len(result.skipped)))
    console.print(table)
    if result.up_to_date:
        console.print("up to date: no file changed since the last build", highlight=False)
    elif result.reused:
        console.print(f"extracted {result.extracted} file(s), reused {result.reused} unchanged", highlight=False)
    for path, reason in result.skipped:
        err_console.print(f"skipped {path}: {reason}", highlight=False)
    console.print(f"graph: {result.outputs.get('turtle')}  {result.outputs.get('ntriples')}", highlight=False)
    if remote:
        from kg.cli.store_cmds import push_graph
        push_graph(out, store)
    if strict and result.skipped:
        raise typer.Exit(1)


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="Policy files to extract."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for one <stem>.json per input file."),
) -> None:
    """Extract sources, measures, amounts, themes and beneficiaries into the gold JSON schema.

    Example: [bold]policykg extract corpus/*.txt --out out/[/]
    """
    from kg.build import process
    from kg.goldjson import write_gold
    docs, skipped = process(paths)
    for doc in docs:
        write_gold(doc, out)
    for path, reason in skipped:
        err_console.print(f"skipped {path}: {reason}", highlight=False)
    console.print(f"{len(docs)} file(s) extracted to {out}", highlight=False)
    if skipped and not docs:
        raise typer.Exit(2)


@app.command()
def validate(
    graph: Path = typer.Option(Path("build/graph.ttl"), "--graph", "-g", help="Built graph (Turtle)."),
    shapes: Path = typer.Option(None, help="SHACL shapes (default: ontology/shapes.ttl)."),
) -> None:
    """Check the built graph against the SHACL shapes; non-zero exit with a report when it fails.

    Example: [bold]policykg validate --graph build/graph.ttl[/]
    """
    from kg.validate import validate_file
    if not graph.exists():
        fail(f"{graph}: no built graph; run `policykg build` first")
    conforms, report = validate_file(graph, shapes)
    if conforms:
        console.print(f"[green]{graph} conforms to the shapes[/]")
        return
    console.print(report, highlight=False)
    raise typer.Exit(1)


@app.command("eval")
def evaluate(
    gold: Path = typer.Option(Path("tests/gold"), "--gold", help="Folder of gold <stem>.json files."),
    corpus: list[Path] = typer.Argument(None, help="Texts to extract (default: corpus/)."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Extract and score against gold annotations: precision / recall / F1 per field.

    Example: [bold]policykg eval --gold tests/gold corpus/[/]
    """
    from kg.build import discover, process
    from kg.goldjson import write_gold
    from kg.scoring import overall, score, table
    files, _ = discover(corpus or [Path("corpus")])
    docs, skipped = process(files)
    with tempfile.TemporaryDirectory() as tmp:
        for doc in docs:
            write_gold(doc, Path(tmp))
        tallies = score(gold, Path(tmp))
    rows = table(tallies)
    if as_json:
        console.print_json(json.dumps({r[0]: {"precision": r[1], "recall": r[2], "f1": r[3]} for r in rows}
                                      | {"overall_f1": overall(tallies)}))
        return
    t = Table(title=f"extraction vs {gold}")
    for col in ("field", "P", "R", "F1", "tp", "fp", "fn"):
        t.add_column(col, justify="left" if col == "field" else "right")
    for name, p, r, f, tp, fp, fn in rows:
        t.add_row(name, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", str(tp), str(fp), str(fn))
    console.print(t)
    console.print(f"overall F1: {overall(tallies):.3f}")
