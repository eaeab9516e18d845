"""query, queries, compare theme|cities, matrix, amounts, show measure: reading the built graph.

Thin: parse the arguments, call kg.query / kg.compare, print. Every command reads the graph
through `--store` (memory, oxigraph or a SPARQL endpoint URL) from `--build`, and can print
JSON for scripts.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from kg import vocab
from kg.cli import app
from kg.cli.common import console, err_console, fail
from kg.coverage import EXAMPLES

compare_app = typer.Typer(help="Compare regions: one theme across all regions, or several regions side by side.",
                          no_args_is_help=True, rich_markup_mode="rich")
show_app = typer.Typer(help="Show one thing of the graph with its provenance.", no_args_is_help=True,
                       rich_markup_mode="rich")
app.add_typer(compare_app, name="compare")
app.add_typer(show_app, name="show")

STORE_HELP = "Graph store: memory, oxigraph or the http(s) URL of a SPARQL endpoint."
BUILD_HELP = "Build folder (graph.nt, store/) made by `policykg build`."
FORMAT_HELP = "Output: table, csv, tsv, json or md."


def _store(spec: str, build: Path):
    from kg.store import open_store
    return open_store(spec, build)


def _check_format(fmt: str, allowed=("table", "csv", "tsv", "json", "md")) -> str:
    if fmt not in allowed:
        fail(f"--format: unknown format '{fmt}' (use {', '.join(allowed)})")
    return fmt


def _echo(text: str) -> None:
    """Machine-readable output: plain, unwrapped, no markup."""
    sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def _json(data) -> None:
    _echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _ben_labels(ids: list[str]) -> str:
    bens = vocab.beneficiaries()
    return "、".join(bens[b].zh if b in bens else b for b in ids)


def _theme_label(tid: str) -> str:
    t = vocab.themes().get(tid)
    return f"{t.zh} ({tid})" if t else tid


def _amounts_cell(amounts: list[dict], per_kind: int = 4) -> str:
    """`cap 2000万元 / 100万元 · rate 50%`: the distinct figures of each kind, largest first."""
    by_kind: dict[str, list[str]] = {}
    for a in amounts:
        labels = by_kind.setdefault(a["kind"], [])
        if a["label"] not in labels:
            labels.append(a["label"])
    parts = []
    for kind, labels in by_kind.items():
        more = f" +{len(labels) - per_kind}" if len(labels) > per_kind else ""
        parts.append(f"{kind} {' / '.join(labels[:per_kind])}{more}")
    return " · ".join(parts)


# ------------------------------------------------------------------ query, queries

@app.command("query")
def query_cmd(
    sparql: str = typer.Argument(None, help="A SPARQL 1.1 SELECT or ASK query; the ontology's prefixes "
                                            "(pkg:, theme:, reg:, ben:, id:, schema:, dct:, skos:, ...) are predeclared."),
    file: Path = typer.Option(None, "--file", "-f", help="Read the query from a .rq file ('-' reads stdin)."),
    name: str = typer.Option(None, "--name", "-n", help="Run a named query (list: `policykg queries`)."),
    param: list[str] = typer.Option(None, "--param", "-p", help="NAME=VALUE for the query's parameters "
                                                                "(repeatable); bound, never pasted into the query."),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
    build: Path = typer.Option(Path("build"), "--build", help=BUILD_HELP),
) -> None:
    """Run any SPARQL query on the built graph, or a named one with typed parameters.

    Examples:
      [bold]policykg query "SELECT ?r (COUNT(?m) AS ?n) WHERE { ?m pkg:ofPolicy/pkg:region ?r } GROUP BY ?r"[/]
      [bold]policykg query -f my.rq --format csv[/]
      [bold]policykg query --name theme-by-region --param theme=先用后转[/]
    """
    from kg import query as q
    _check_format(fmt)
    if sum(x is not None for x in (sparql, file, name)) != 1:
        fail("give exactly one of: a query text, --file FILE.rq or --name NAME")
    values: dict[str, str] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--param '{item}': write NAME=VALUE")
        values[key.strip()] = value
    if name is not None:
        named = q.get(name)
    elif file is not None:
        named = q.parse(sys.stdin.read(), origin="stdin") if str(file) == "-" else q.load_file(file)
    else:
        named = q.parse(sparql, origin="query")
    result = q.run_named(_store(store, build), named, values)
    if fmt == "table":
        console.print(q.rich_table(result.variables, result.records()))
        err_console.print(f"{len(result.rows)} row(s)", style="dim")
    else:
        _echo(q.format_result(result, fmt))


@app.command("queries")
def queries_cmd() -> None:
    """List the named queries, one a line: name, parameters (`?` = optional), what it answers.

    Example: [bold]policykg queries[/]   then   [bold]policykg query --name region-themes --param region=厦门[/]
    """
    from kg.query import named_queries
    queries = named_queries().values()
    width = max(len(x.name) for x in queries)
    pwidth = max(len(" ".join(str(p) for p in x.params)) for x in queries)
    for x in queries:
        params = " ".join(str(p) for p in x.params)
        _echo(f"{x.name:<{width}}  {params:<{pwidth}}  {x.description}")


# ------------------------------------------------------------------ compare

def _ranges_cell(ranges: list[dict]) -> str:
    """`cap 20万元–2000万元 · rate 50%`: lowest and highest figure of each kind and unit."""
    return " · ".join(f"{r['kind']} {r['label']}" for r in ranges)


def _theme_rows(result: dict) -> list[dict]:
    """One row a measure shown (the examples, or every measure with --all); regions that do not
    mention the theme at the end."""
    rows = []
    for region in result["regions"]:
        common = {"region": region["region"], "mentioned": True, "measures": region["measure_count"],
                  "policies": region["policy_count"], "amount_ranges": _ranges_cell(region["amount_ranges"]),
                  "region_beneficiaries": " ".join(region["beneficiaries"])}
        for m in region.get("measures", region["examples"]):
            rows.append(common | {"doc": m["doc"], "policy_title": m["policy_title"], "status": m["status"],
                                  "n": m["n"], "title": m["title"], "evidence": m["evidence"],
                                  "amounts": _amounts_cell(m.get("amounts", []), per_kind=99),
                                  "beneficiaries": " ".join(m.get("beneficiaries", [])), "measure": m["measure"]})
    rows += [{"region": name, "mentioned": False} for name in result["not_mentioned"]]
    return rows


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@compare_app.command("theme")
def compare_theme_cmd(
    theme: str = typer.Argument(..., help="Theme: id, Chinese or English label or any wording "
                                          "(先使用后付费, 先用后转, pay-after-use)."),
    examples: int = typer.Option(1, "--examples", "-k", min=0, max=EXAMPLES,
                                 help=f"Example measures shown per region (0-{EXAMPLES}), first in reading order."),
    every_measure: bool = typer.Option(False, "--all", help="List every measure of every region with its own "
                                                             "amounts and beneficiaries (slow on large graphs)."),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
    build: Path = typer.Option(Path("build"), "--build", help=BUILD_HELP),
) -> None:
    """One theme across all regions: per region how many measures and policies treat it, the
    lowest and highest amount of each kind (statistics left out), the beneficiaries, and its
    first measure with the sentence that says it; regions that do not mention it at the end.

    Example: [bold]policykg compare theme 先用后转[/]   (every measure: [bold]--all[/], or policykg query --name theme-by-region --param theme=先用后转)
    """
    from kg.compare import compare_theme
    from kg.query import format_rows
    _check_format(fmt)
    result = compare_theme(_store(store, build), theme, examples=examples, every_measure=every_measure)
    if fmt == "json":
        return _json(result)
    if fmt != "table":
        columns = ["region", "mentioned", "measures", "policies", "amount_ranges", "region_beneficiaries", "doc",
                   "policy_title", "status", "n", "title", "evidence", "amounts", "beneficiaries", "measure"]
        return _echo(format_rows(columns, _theme_rows(result), fmt))
    total = len(result["regions"]) + len(result["not_mentioned"])
    measures = sum(r["measure_count"] for r in result["regions"])
    table = Table(title=f"{result['label']} ({result['theme']}): {len(result['regions'])} of {total} regions, "
                        f"{_plural(measures, 'measure', 'measures')}")
    for col, ratio in (("region", 1), ("policy", 2), ("measure", 2), ("evidence", 4), ("amounts", 2),
                       ("beneficiaries", 2)):
        table.add_column(col, ratio=ratio, overflow="fold")
    for region in result["regions"]:
        head = f"{region['region']}\n{_plural(region['measure_count'], 'measure', 'measures')}, " \
               f"{_plural(region['policy_count'], 'policy', 'policies')}"
        shown = region.get("measures", region["examples"])
        # per measure with --all; otherwise the region's ranges and groups beside its first example
        cells = [(_amounts_cell(m["amounts"]), _ben_labels(m["beneficiaries"])) for m in shown] \
            if "measures" in region else [(_ranges_cell(region["amount_ranges"]), _ben_labels(region["beneficiaries"]))]
        for i in range(max(len(shown), 1)):
            m = shown[i] if i < len(shown) else None
            amounts, groups = cells[i] if i < len(cells) else ("", "")
            table.add_row(Text(head if i == 0 else ""),
                          Text(f"{m['policy_title'] or m['doc']} [{m['status']}]" if m else ""),
                          Text(f"{m['n']}. {m['title'] or ''}".strip() if m else ""),
                          Text((m["evidence"] or " | ".join(m.get("evidence_words", []))) if m else ""),
                          Text(amounts.replace(" · ", "\n")), Text(groups), end_section=i == max(len(shown), 1) - 1)
    console.print(table)
    if not every_measure and any(r["measure_count"] > len(r["examples"]) for r in result["regions"]):
        shown = {0: "no measure", 1: "the first measure"}.get(examples, f"the first {examples} measures")
        console.print(Text(f"{shown} of each region shown (-k up to {EXAMPLES}, --all for every one); amounts "
                           f"and beneficiaries are over all its measures on the theme", style="dim"))
    if result["not_mentioned"]:
        console.print(Text(f"not mentioned: {'、'.join(result['not_mentioned'])}"))


def _cities_rows(result: dict) -> tuple[list[str], list[dict]]:
    names = result["cities"]
    rows = []
    def add(tid: str, where: str) -> None:
        row = {"theme": tid, "label": result["labels"].get(tid, tid), "in": where}
        for n in names:
            row[f"{n} measures"] = result["measures"][n].get(tid, 0)
            row[f"{n} amounts"] = _amounts_cell(result["amounts"].get(tid, {}).get(n, []))
        rows.append(row)
    for t in result["shared"]:
        add(t, "all")
    for n in names:
        for t in result["unique"][n]:
            add(t, f"only {n}")
    for t, where in result["partly_shared"].items():
        add(t, ", ".join(where))
    columns = ["theme", "label", "in"] + [f"{n} {k}" for n in names for k in ("measures", "amounts")]
    return columns, rows


@compare_app.command("cities")
def compare_cities_cmd(
    cities: list[str] = typer.Argument(..., help="Two or more regions as you would write them "
                                                 "(厦门, 厦门市, Xiamen, 廈門)."),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
    build: Path = typer.Option(Path("build"), "--build", help=BUILD_HELP),
) -> None:
    """Regions side by side: the themes all share (with their amounts next to each other), the
    themes unique to each, and with three or more regions those some share.

    Example: [bold]policykg compare cities 厦门 珠海[/]
    """
    from kg.compare import compare_cities
    from kg.query import format_rows
    _check_format(fmt)
    result = compare_cities(_store(store, build), cities)
    if fmt == "json":
        return _json(result)
    columns, rows = _cities_rows(result)
    if fmt != "table":
        return _echo(format_rows(columns, rows, fmt))
    names = result["cities"]
    table = Table(title=f"{' · '.join(names)}: {len(result['shared'])} shared themes, "
                        + ", ".join(f"{len(result['unique'][n])} only in {n}" for n in names))
    table.add_column("theme", overflow="fold")
    table.add_column("in", overflow="fold")
    for n in names:
        table.add_column(n, overflow="fold")
    previous = None
    for row in rows:
        if previous is not None and row["in"] != previous:
            table.add_section()
        previous = row["in"]
        cells = []
        for n in names:
            count = row[f"{n} measures"]
            amounts = row[f"{n} amounts"].replace(" · ", "\n")
            cells.append(Text("—" if not count else f"{count} measure{'s' if count > 1 else ''}"
                              + (f"\n{amounts}" if amounts else "")))
        table.add_row(Text(f"{row['label']}\n{row['theme']}"), Text(row["in"]), *cells)
    console.print(table)


# ------------------------------------------------------------------ matrix, amounts

@app.command("matrix")
def matrix_cmd(
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
    png: Path = typer.Option(None, "--png", help="Also draw the matrix as a heatmap PNG."),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
    build: Path = typer.Option(Path("build"), "--build", help=BUILD_HELP),
) -> None:
    """Theme x region coverage: how many measures of each region treat each theme.

    Examples: [bold]policykg matrix[/]   [bold]policykg matrix --format csv > matrix.csv[/]   [bold]policykg matrix --png matrix.png[/]
    """
    from kg.compare import matrix, matrix_rows, write_heatmap
    from kg.query import format_rows
    _check_format(fmt)
    m = matrix(_store(store, build))
    if png is not None:
        warning = write_heatmap(m, png)
        if warning:
            err_console.print(f"policykg: {warning}", highlight=False)
        err_console.print(f"heatmap: {png}", highlight=False)
    if fmt == "json":
        return _json(m)
    columns, rows = matrix_rows(m)
    if fmt != "table":
        return _echo(format_rows(columns, rows, fmt))
    table = Table(title="measures per theme and region")
    table.add_column("theme", overflow="fold")
    for n in m["regions"]:
        table.add_column(n, justify="right")
    table.add_column("Σ", justify="right")
    for t in m["themes"]:
        table.add_row(Text(t["label"] or t["theme"]), *[str(t["counts"][n] or "") for n in m["regions"]],
                      str(t["total"] or ""))
    console.print(table)


@app.command("amounts")
def amounts_cmd(
    theme: str = typer.Option(None, "--theme", "-t", help="Only measures with this theme (any wording)."),
    beneficiary: str = typer.Option(None, "--beneficiary", "-b", help="Only measures for this group (企业, university, ...)."),
    region: str = typer.Option(None, "--region", "-r", help="Only this region (厦门, Xiamen, ...)."),
    kind: str = typer.Option(None, "--kind", "-k", help="Only this kind: cap, fixed, floor, rate, total, duration, count, stat."),
    sort: str = typer.Option("value", "--sort", help="Within each kind: value (largest first), region or measure."),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
    build: Path = typer.Option(Path("build"), "--build", help=BUILD_HELP),
) -> None:
    """The money and other figures, normalised (CNY, %, years, items), one list per kind: caps,
    rates and totals are never mixed.

    Example: [bold]policykg amounts --theme 概念验证 --kind cap[/]
    """
    from kg.compare import amounts
    from kg.query import format_rows
    _check_format(fmt)
    result = amounts(_store(store, build), theme=theme, beneficiary=beneficiary, region=region, kind=kind, sort=sort)
    if fmt == "json":
        return _json(result)
    columns = ["kind", "unit", "value", "label", "region", "key", "title", "text", "measure", "amount"]
    rows = [a for g in result["groups"] for a in g["amounts"]]
    if fmt != "table":
        return _echo(format_rows(columns, rows, fmt))
    if not result["groups"]:
        console.print("no amounts match")
    for g in result["groups"]:
        table = Table(title=f"{g['kind']} ({g['unit']}): {g['count']}", title_justify="left")
        for col in ("amount", "region", "measure", "wording"):
            table.add_column(col, overflow="fold", justify="right" if col == "amount" else "left")
        for a in g["amounts"]:
            table.add_row(Text(a["label"]), Text(a["region"]),
                          Text(f"{a['key']} {a['title'] or ''}".strip()), Text(a["text"] or ""))
        console.print(table)


# ------------------------------------------------------------------ show

@show_app.command("measure")
def show_measure_cmd(
    measure: str = typer.Argument(..., help="The measure: its IRI, id:measure/…, or DOC/REGION/N where DOC may be "
                                            "a unique prefix and REGION any name (004/珠海/4)."),
    fmt: str = typer.Option("table", "--format", help="Output: table or json."),
    store: str = typer.Option("oxigraph", "--store", help=STORE_HELP),
    build: Path = typer.Option(Path("build"), "--build", help=BUILD_HELP),
) -> None:
    """Everything known about one measure, each fact with its provenance: the file, the offsets
    in the original text and the original characters.

    Example: [bold]policykg show measure 004/珠海/4[/]
    """
    from kg.compare import show_measure
    _check_format(fmt, ("table", "json"))
    m = show_measure(_store(store, build), measure)
    if fmt == "json":
        return _json(m)
    p, prov = m["policy"], m["provenance"]
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(overflow="fold")
    for label, value in (("measure", f"{m['n']}. {m['title'] or ''}"), ("part", m["part"]),
                         ("region", m["region"]["name"]),
                         ("policy", " · ".join(str(x) for x in (p["title"], p["doc_number"], p["issuer"], p["issued"],
                                                                p["status"]) if x)),
                         ("units", "、".join(m["units"])), ("key", m["key"]), ("iri", m["measure"]),
                         ("file", f"{prov['file']}  [{prov['start']}, {prov['end']})  sha256 {prov['sha256']}")):
        if value:
            head.add_row(label, Text(str(value)))
    console.print(head)
    facts = Table(title="facts and the words they rest on (offsets in the original file)", title_justify="left")
    for col in ("fact", "value", "words", "offsets"):
        facts.add_column(col, overflow="fold")
    for facet in ("themes", "beneficiaries"):
        for item in m[facet]:
            ev = item["evidence"] or [{"exact": "", "start": None, "end": None}]
            facts.add_row(facet[:-1] if facet == "themes" else "beneficiary", Text(f"{item['label']} ({item['id']})"),
                          Text(" | ".join(e["exact"] for e in ev if e["exact"])),
                          ", ".join(f"{e['start']}–{e['end']}" for e in ev if e["start"] is not None))
    for a in m["amounts"]:
        extra = "; ".join(x for x in (a["purpose"], a["recipient"]) if x)
        facts.add_row("amount", Text(f"{a['kind']} {a['label']}" + (f" ({extra})" if extra else "")),
                      Text(a["exact"] or a["text"] or ""),
                      f"{a['start']}–{a['end']}" if a["start"] is not None else "")
    console.print(facts)
    if prov["text"]:
        console.print(Text("original text:", style="bold"))
        console.print(Text(prov["text"]))

