"""viz, analyze: the graph as an offline HTML page, and networkx analytics of regions and themes."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from kg.cli import app
from kg.cli.common import console, err_console, fail

STORE_HELP = "Graph store: memory, oxigraph or the http(s) URL of a SPARQL endpoint."
BUILD_HELP = "Build folder (graph.nt, store/) made by `policykg build`."


def _store(spec: str, build: Path):
    from kg.store import open_store
    return open_store(spec, build)


@app.command()
def viz(
    theme: list[str] = typer.Option(None, "--theme", "-t", help="Only measures of this theme (id, 中文 or English; repeatable)."),
    region: list[str] = typer.Option(None, "--region", "-r", help="Only these regions (厦门, Xiamen, xiamen; repeatable)."),
    out: Path = typer.Option(None, "--out", "-o", help="HTML file to write (default: <build>/graph.html)."),
    measures: bool = typer.Option(None, "--measures/--overview",
                                  help="Open with every measure drawn, or with policy→theme edges only "
                                       "(default: measures up to 300, overview above)."),
    screenshot: Path = typer.Option(None, "--screenshot", help="Also save a PNG of the page drawn by headless Chromium."),
    build: Path = typer.Option(Path("build"), "--build", "-b", help=BUILD_HELP),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
) -> None:
    """Draw the graph as ONE self-contained HTML page (no network needed): regions, policies,
    measures, themes and beneficiary groups; hover for the evidence sentence and amounts, click
    to highlight a node's chain, search by name.

    Example: [bold]policykg viz --region 厦门 --region 珠海 --out build/xm-zh.html[/]
    """
    from kg.viz import project, render
    graph = project(_store(store, build), regions=region, themes=theme)
    path = render(graph, out or build / "graph.html", show_measures=measures)
    kinds = {}
    for _, d in graph.nodes(data=True):
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    plural = {"policy": "policies", "beneficiary": "beneficiary groups"}
    console.print(f"{path}  ({path.stat().st_size / 1e6:.1f} MB; "
                  + ", ".join(f"{n} {plural.get(k, k + 's')}" for k, n in kinds.items()) + ")", highlight=False)
    if screenshot:
        from kg.screenshot import open_graph
        report = open_graph(path, screenshot)
        if report.blocked:
            fail(f"{path}: the page tried to fetch {report.blocked[0]}")
        console.print(f"{screenshot}  (drawn in {report.ready_seconds:.1f} s)", highlight=False)


def _table(title: str, columns: list[str], rows: list[list]) -> Table:
    t = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        numeric = bool(i) and isinstance(rows[0][i] if rows else "", (int, float))
        t.add_column(c, justify="right" if numeric else "left", overflow="fold")
    for r in rows:
        t.add_row(*(f"{x:.3f}" if isinstance(x, float) else str(x) for x in r))
    return t


@app.command()
def analyze(
    fmt: str = typer.Option("table", "--format", "-f", help="Output: table or json."),
    top: int = typer.Option(10, "--top", "-n", min=1, help="Rows per table (json holds everything)."),
    build: Path = typer.Option(Path("build"), "--build", "-b", help=BUILD_HELP),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
) -> None:
    """Region similarity by shared themes (Jaccard, cosine), the most central themes, themes that
    co-occur in measures, and communities of regions.

    Example: [bold]policykg analyze --format json > analysis.json[/]
    """
    if fmt not in ("table", "json"):
        fail(f"--format: unknown format '{fmt}' (use table or json)")
    from kg.analyze import analyze as run
    result = run(_store(store, build))
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    if not result["regions"]:
        err_console.print("the graph holds no region with measures", highlight=False)
        raise typer.Exit(1)
    console.print(_table("Region similarity by shared themes (Jaccard of theme sets; cosine of measures per theme)",
                         ["region A", "region B", "Jaccard", "cosine", "shared", "union"],
                         [[r["a_label"], r["b_label"], r["jaccard"], r["cosine"], r["shared"], r["union"]]
                          for r in result["similarity"][:top]]))
    console.print(_table("Most central themes (regions addressing them; co-occurrence degree and betweenness)",
                         ["theme", "regions", "measures", "co-themes", "betweenness"],
                         [[r["label"], r["regions"], r["measures"], r["co_themes"], r["betweenness"]]
                          for r in result["central_themes"][:top]]))
    console.print(_table("Themes that co-occur in measures",
                         ["theme A", "theme B", "measures", "Jaccard"],
                         [[r["a_label"], r["b_label"], r["measures"], r["jaccard"]] for r in result["cooccurrence"][:top]]))
    com = result["communities"]
    console.print(_table(f"Communities of regions ({com['method']} {com['threshold']:.3f}; "
                         f"modularity {com['modularity']:.3f})",
                         ["#", "regions", "themes all of them treat"],
                         [[i, "、".join(g["labels"]), "、".join(g["common_themes"]) or "—"]
                          for i, g in enumerate(com["groups"], 1)]))
