"""export: the facts of the built graph as a table for Excel (csv, xlsx) or as RDF (jsonld, ttl, nt)."""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from kg.cli import app
from kg.cli.common import console, fail


@app.command("export")
def export_cmd(
    fmt: str = typer.Option("xlsx", "--format", "-f", help="csv, xlsx, jsonld, ttl or nt."),
    out: Path = typer.Option(None, "--out", "-o", help="Output file ('-' for stdout, not for xlsx). "
                             "Default: <build>/export/facts.<format>."),
    store: str = typer.Option("oxigraph", "--store", help="Graph store: memory, oxigraph or the http(s) "
                              "URL of a SPARQL endpoint."),
    build: Path = typer.Option(Path("build"), "--build", help="Build folder made by `policykg build`."),
) -> None:
    """Export measures, themes, beneficiaries and amounts, one row per fact with region, policy
    and provenance (quote, offsets, source file). CSV is UTF-8 with BOM so Excel opens it as is.

    Example: [bold]policykg export --format xlsx --out facts.xlsx[/]
    """
    from kg.export import FORMATS, SUFFIX, export
    from kg.store import open_store
    if fmt not in FORMATS:
        fail(f"--format: unknown format '{fmt}' (use {', '.join(FORMATS)})")
    to_stdout = out is not None and str(out) == "-"
    if to_stdout and fmt == "xlsx":
        fail("--out -: an .xlsx workbook cannot go to the terminal; give a file name")
    if out is None:
        out = build / "export" / f"facts{SUFFIX[fmt]}"
    graph = open_store(store, build)
    if to_stdout:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            result = export(graph, fmt, Path(tmp) / f"facts{SUFFIX[fmt]}")
            sys.stdout.buffer.write(result["path"].read_bytes())
        return
    result = export(graph, fmt, out)
    if "rows" in result:
        plural = {"measure": "measures", "theme": "themes", "beneficiary": "beneficiaries", "amount": "amounts"}
        facts = ", ".join(f"{n} {plural.get(kind, kind)}" for kind, n in result["facts"].items())
        console.print(f"{result['rows']} rows ({facts}) → {result['path']}", highlight=False, soft_wrap=True)
    else:
        console.print(f"{result['triples']} triples → {result['path']}", highlight=False, soft_wrap=True)
