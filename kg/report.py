"""Reports of `policykg benchmark` and `policykg similar` (the plain dicts of kg.benchmark) for
people: a terminal report (rich) and a Markdown memo a drafter can paste into a briefing.
JSON is the dict itself (the CLI dumps it)."""
from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from kg import vocab

MAX_PEER_FIGURES = 5     # figures listed per comparison; the range covers the rest


# ------------------------------------------------------------------ wording shared by both formats

def theme_names(ids: list[str]) -> str:
    concepts = vocab.themes()
    return "、".join(concepts[t].zh if t in concepts else t for t in ids) or "—"


def beneficiary_names(ids: list[str]) -> str:
    concepts = vocab.beneficiaries()
    return "、".join(concepts[b].zh if b in concepts else b for b in ids) or "—"


def number(n: str) -> str:
    """A measure number as printed (`7.`), or a section key of an unnumbered text (`§s3`)."""
    return f"{n}." if n and n[0].isdigit() else f"§{n}"


def measure_name(ref: dict, with_region: bool = True) -> str:
    """`珠海市 《珠海市打造…若干措施》 7. 构建“先用后转”成果转化机制` (status when not in force)."""
    policy = f"《{ref['policy_title']}》" if ref.get("policy_title") else ref.get("doc", "")
    status = ref.get("status")
    if status and status not in ("in-force", "unknown"):
        policy += f" ({status})"
    title = ref.get("title") or ""
    head = f"{ref['region']} " if with_region else ""
    return f"{head}{policy} {number(ref['n'])} {title}".strip()


def measure_short(ref: dict) -> str:
    """`珠海市 7. 构建“先用后转”成果转化机制`: for the terminal, where the policies are listed once."""
    return f"{ref['region']} {number(ref['n'])} {ref.get('title') or ''}".strip()


def parts(match: dict) -> str:
    p = match["parts"]
    return f"themes {p['themes']:.2f} + beneficiaries {p['beneficiaries']:.2f} + text {p['text']:.2f}"


def shared(match: dict) -> str:
    bits = []
    if match["shared_themes"]:
        bits.append(theme_names(match["shared_themes"]))
    if match["shared_words"]:
        bits.append("“" + "”“".join(w.replace("#", "…") for w in match["shared_words"]) + "”")
    return "; ".join(bits) or "—"


def figures(group: dict, limit: int = MAX_PEER_FIGURES) -> str:
    """`1000万元 厦门市 7., 300万元 厦门市 §s5 … (+3)`, largest first."""
    counts: dict[str, int] = {}
    for a in group["peers"]:
        name = f"{a['label']} {a['region']} {number(a['n'])}"
        counts[name] = counts.get(name, 0) + 1
    items = [name + (f" ×{k}" if k > 1 else "") for name, k in counts.items()]
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" … (+{more})" if more > 0 else "")


def peer_range(group: dict) -> str:
    n, regions = len(group["peers"]), group["peer_regions"]
    span = group["peer_min_label"] if group["peer_min"] == group["peer_max"] else \
        f"{group['peer_min_label']}–{group['peer_max_label']}"
    return f"{span}, {n} figure{'s' * (n != 1)} from {regions} region{'s' * (regions != 1)}"


def draft_figures(group: dict, marks: bool = True) -> str:
    out = []
    for d in group["draft"]:
        flag = " ▼lowest" if d["flag"] == "lowest" else " ▲highest" if d["flag"] == "highest" else ""
        out.append(d["label"] + (flag if marks else ""))
    return ", ".join(dict.fromkeys(out))


def method_line(method: dict) -> str:
    w = method["weights"]
    return (f"score = {w['themes']:.2f}·themes + {w['beneficiaries']:.2f}·beneficiaries + {w['text']:.2f}·text "
            f"(themes, beneficiaries: Jaccard of the sets; text: {method['text']} of the measure bodies)")


def peers_line(result: dict) -> str:
    regions = result["peers"]["regions"]
    names = []
    for r in regions:
        titles = "、".join(f"《{p['title']}》" if p["title"] else p["doc"] for p in r["policies"])
        names.append(f"{r['region']} {titles}")
    return "; ".join(names)


def _flags(result: dict) -> list[tuple[dict, dict, dict]]:
    return [(m, g, d) for m in result["measures"] for g in m["amount_comparison"] for d in g["draft"] if d["flag"]]


# ------------------------------------------------------------------ Markdown

def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def benchmark_markdown(result: dict) -> str:
    draft, method = result["draft"], result["method"]
    title = "、".join(f"《{t}》" for t in draft["titles"]) or draft["doc"]
    status = "、".join(s for s in dict.fromkeys(draft["status"]) if s)
    out = [f"# 对标分析 Benchmark: {'、'.join(draft['regions'])} {title}" + (f" ({status})" if status else ""),
           "",
           f"Draft `{draft['file']}`: {draft['measures']} measures. Compared with "
           f"{result['peers']['measures']} measures of {len(result['peers']['regions'])} other regions: "
           f"{peers_line(result)}.",
           "",
           f"Similarity: {method_line(method)}. Figures are compared only with figures of the same theme, "
           f"kind and unit; ▼/▲ mark a draft figure strictly below/above every peer figure "
           f"(at least {method['flag_min_peers']} of them). A gap is a theme that at least "
           f"{method['gap_min_regions']} peer regions treat and no draft measure does. All of it is "
           f"extracted automatically: before quoting a figure, check it at its source "
           f"(`--format json` gives each measure's key; `policykg show measure KEY` quotes the file).",
           "", "## 要点 Key findings", ""]
    gaps = result["gaps"]
    if gaps:
        out.append(f"- **Gaps ({len(gaps)}):** " + "; ".join(
            f"{g['label']} ({', '.join(g['regions'])})" for g in gaps) + ".")
    else:
        out.append("- **Gaps:** none: every theme that two or more peer regions treat has a draft measure.")
    for g in result["mentioned"]:
        out.append(f"- **Mentioned only in passing:** {g['label']} (the draft says "
                   f"{'、'.join('“' + w + '”' for w in g['words'])}; treated by {', '.join(g['regions'])}).")
    flags = _flags(result)
    for kind, word in (("lowest", "Below every peer"), ("highest", "Above every peer")):
        items = list(dict.fromkeys(f"{number(m['n'])} {g['theme_label']} {g['kind']} {d['label']} "
                                   f"(peers: {peer_range(g)})" for m, g, d in flags if d["flag"] == kind))
        if items:
            out.append(f"- **{word} ({len(items)}):** " + "; ".join(items) + ".")
    out += ["", "## 逐条对标 Measure by measure", ""]
    for m in result["measures"]:
        out.append(f"### {number(m['n'])} {m['title'] or ''}".rstrip())
        out.append("")
        amounts = ", ".join(dict.fromkeys(f"{a['label']} ({a['kind']})" for a in m["amounts"])) or "—"
        out.append(f"Themes: {theme_names(m['themes'])}. Beneficiaries: {beneficiary_names(m['beneficiaries'])}. "
                   f"Figures: {amounts}.")
        out.append("")
        if m["similar"]:
            out += ["| # | Closest peer measure | Score | = themes + beneficiaries + text | Shared |",
                    "|---|---|---|---|---|"]
            for i, s in enumerate(m["similar"], 1):
                p = s["parts"]
                out.append(f"| {i} | {_md(measure_name(s))} | {s['score']:.2f} | "
                           f"{p['themes']:.2f} + {p['beneficiaries']:.2f} + {p['text']:.2f} | {_md(shared(s))} |")
            out.append("")
        if m["amount_comparison"]:
            out += ["| Theme | Kind | This draft | Peers | Peer range |", "|---|---|---|---|---|"]
            for g in m["amount_comparison"]:
                out.append(f"| {_md(g['theme_label'])} | {g['kind']} | {_md(draft_figures(g))} | "
                           f"{_md(figures(g))} | {_md(peer_range(g))} |")
            out.append("")
    out += ["## 缺口 Gaps", ""]
    if not gaps:
        out += ["None.", ""]
    for g in gaps:
        out.append(f"### {g['label']} ({g['theme']}): {len(g['regions'])} regions")
        out.append("")
        for e in g["evidence"]:
            figs = f" ({', '.join(dict.fromkeys(e['amounts']))})" if e["amounts"] else ""
            quote = f": “{e['evidence']}”" if e.get("evidence") else ""
            out.append(f"- {_md(measure_name(e))}{_md(figs)}{_md(quote)}")
        out.append("")
    if result["mentioned"]:
        out += ["## 仅顺带提及 Mentioned only in passing", "",
                "Themes whose wording occurs in the draft though no measure treats them.", ""]
        for g in result["mentioned"]:
            out.append(f"- **{g['label']}** ({g['theme']}): the draft says "
                       f"{'、'.join('“' + w + '”' for w in g['words'])}; peers: "
                       + "; ".join(measure_name(e) for e in g["evidence"]))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def similar_markdown(result: dict) -> str:
    m = result["measure"]
    out = [f"# 相似措施 Measures like {measure_name(m)}", "",
           f"`{m['key']}` · themes: {theme_names(m['themes'])} · "
           f"beneficiaries: {beneficiary_names(m['beneficiaries'])}",
           "", f"{method_line(result['method'])}.", "",
           "| # | Measure | Score | = themes + beneficiaries + text | Shared | Key |", "|---|---|---|---|---|---|"]
    for i, s in enumerate(result["similar"], 1):
        p = s["parts"]
        out.append(f"| {i} | {_md(measure_name(s))} | {s['score']:.2f} | {p['themes']:.2f} + "
                   f"{p['beneficiaries']:.2f} + {p['text']:.2f} | {_md(shared(s))} | `{s['key']}` |")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ terminal

def _similar_table(matches: list[dict], title: str | None = None, keys: bool = False) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False, pad_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("score", justify="right")
    table.add_column("= themes+benef.+text", style="dim", no_wrap=True)
    table.add_column("peer measure", overflow="fold", ratio=3)
    table.add_column("shared", overflow="fold", ratio=2)
    for i, s in enumerate(matches, 1):
        p = s["parts"]
        name = Text(measure_short(s))
        if keys:
            name.append(f"\n{s['key']}", style="dim")
        table.add_row(str(i), f"{s['score']:.2f}", f"{p['themes']:.2f}+{p['beneficiaries']:.2f}+{p['text']:.2f}",
                      name, Text(shared(s)))
    return table


def benchmark_console(result: dict, console: Console) -> None:
    draft = result["draft"]
    title = "、".join(f"《{t}》" for t in draft["titles"]) or draft["doc"]
    console.rule(Text(f"Benchmark: {'、'.join(draft['regions'])} {title}", style="bold"))
    console.print(Text(f"{draft['measures']} draft measures against {result['peers']['measures']} measures of "
                       f"{len(result['peers']['regions'])} regions: {peers_line(result)}"))
    console.print(Text(method_line(result["method"]), style="dim"))
    for m in result["measures"]:
        console.print()
        head = Text(f"{number(m['n'])} {m['title'] or ''}", style="bold cyan")
        head.append(f"   {theme_names(m['themes'])}", style="green")
        console.print(head)
        items = [_similar_table(m["similar"])] if m["similar"] else []
        for g in m["amount_comparison"]:
            line = Text("  ")
            line.append(f"{g['theme_label']} · {g['kind']}: ", style="dim")
            line.append("here ")
            for i, d in enumerate(g["draft"]):
                line.append((", " if i else "") + d["label"], style="bold")
                if d["flag"]:
                    line.append(" ▼lowest" if d["flag"] == "lowest" else " ▲highest",
                                style="red" if d["flag"] == "lowest" else "magenta")
            line.append(f"  | peers {peer_range(g)}: {figures(g, 3)}")
            items.append(line)
        console.print(Group(*items))
    console.print()
    console.rule(Text(f"Gaps: themes ≥{result['method']['gap_min_regions']} peer regions treat and the draft lacks",
                      style="bold"))
    if result["gaps"]:
        table = Table(show_lines=False, pad_edge=False)
        table.add_column("theme", no_wrap=True)
        table.add_column("regions", overflow="fold")
        table.add_column("peer measures (evidence)", overflow="fold", ratio=3)
        for g in result["gaps"]:
            table.add_row(Text(f"{g['label']}\n{g['theme']}"), Text(", ".join(g["regions"])),
                          Text("\n".join(measure_short(e) for e in g["evidence"])))
        console.print(table)
    else:
        console.print("none")
    for g in result["mentioned"]:
        console.print(Text(f"mentioned only in passing: {g['label']} ({g['theme']}), the draft says "
                           f"{'、'.join(g['words'])}; treated by {', '.join(g['regions'])}", style="yellow"))
    s = result["summary"]
    console.print(Text(f"{s['measures']} measures · {s['gaps']} gaps · {s['mentioned']} mentioned in passing · "
                       f"{s['lowest']} figures below every peer · {s['highest']} above every peer", style="bold"))


def similar_console(result: dict, console: Console) -> None:
    m = result["measure"]
    console.print(Text(f"Measures of other regions like {measure_name(m)}", style="bold"))
    console.print(Text(f"{m['key']} · themes: {theme_names(m['themes'])} · beneficiaries: "
                       f"{beneficiary_names(m['beneficiaries'])}", style="dim"))
    console.print(Text(method_line(result["method"]), style="dim"))
    console.print(_similar_table(result["similar"], keys=True))
