"""Comparisons of regions and themes, built on the named queries in kg/queries/ so that anything
shown here can be had with SPARQL as well (`policykg query --name …`).

Each function takes a store (kg.store.open_store) and returns plain dicts and lists: the CLI
prints them and `--format json` dumps them. A fixed, small number of queries per call (never one
per region or measure): the theme or region is bound first so the store filters early.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote

from kg import vocab
from kg.coverage import EXAMPLES, KIND_ORDER, PROMISE_KINDS, evidence_sentence  # noqa: F401  (re-exported)
from kg.errors import PolicyKGError
from kg.query import Param, coerce, run_named

MEASURE_NS = str(vocab.ID) + "measure/"


# ------------------------------------------------------------------ small helpers

def _id(iri: str | None, namespace) -> str | None:
    if iri is None:
        return None
    return iri[len(str(namespace)):] if iri.startswith(str(namespace)) else iri


def measure_key(iri: str) -> str:
    """`004_46d0cb6fe9d9ebe8/zhuhai/4` for a measure IRI: what `show measure` accepts."""
    return unquote(iri[len(MEASURE_NS):]) if iri.startswith(MEASURE_NS) else iri


def amount_label(value: float | int | None, unit: str | None) -> str:
    """A normalised amount as people write it: 30万元, 1.5亿元, 5%, 3年, 20项."""
    if value is None:
        return ""
    v = float(value)
    if unit == "CNY":
        if abs(v) >= 1e8:
            return f"{v / 1e8:.6g}亿元"
        if abs(v) >= 1e4:
            return f"{v / 1e4:.6g}万元"
        return f"{v:.6g}元"
    if unit == "ratio":
        return f"{v * 100:.4g}%"
    if unit == "year":
        return f"{v:g}年"
    if unit == "item":
        return f"{v:g}项"
    return f"{v:g} {unit or ''}".strip()


def _paired(row: dict) -> bool:
    """Whether a row's start, end and exact belong together. A mention node that holds several
    mentions (same concept id twice, or a theme and a beneficiary sharing an id) has several
    starts, ends and quotes, and a query returns all their combinations; the true ones span
    exactly their quote."""
    start, end, exact = row.get("start"), row.get("end"), row.get("exact")
    return start is not None and end is not None and exact is not None and end - start == len(exact)


def _amount(row: dict) -> dict:
    return {"kind": row["kind"], "value": row["value"], "unit": row["unit"],
            "label": amount_label(row["value"], row["unit"]), "text": row.get("text"),
            "amount": row["amount"]}


def _sort_amounts(amounts: list[dict], value: str = "value") -> list[dict]:
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(amounts, key=lambda a: (order.get(a["kind"], 99), a["unit"] or "", -(a[value] or 0)))


def _theme_term(theme: str):
    return coerce(Param("theme", "theme"), theme)


# ------------------------------------------------------------------ regions

def regions(store) -> list[dict]:
    """Regions with at least one policy in the graph (canonical Simplified names), ordered by
    English name. Labels and levels come from the gazetteer (ontology/regions.ttl, the same
    labels the graph holds): reading them from the store costs more than the rest of a comparison."""
    out = []
    gazetteer = vocab.regions()
    for r in run_named(store, "region-policies").records():
        rid = _id(r["region"], vocab.REG)
        concept = gazetteer.get(rid) if r["region"].startswith(str(vocab.REG)) else None
        out.append({"region": concept.zh if concept else r["region"], "id": rid, "iri": r["region"],
                    "en": concept.en if concept else None, "level": concept.level if concept else None,
                    "policies": r["policies"]})
    return sorted(out, key=lambda r: (r["en"] is None, r["en"] or "", r["region"], r["iri"]))


def _suggest_region(name: str, known: list[dict]) -> str:
    """"; did you mean 厦门市?": the regions of the graph first, by any of their labels."""
    import difflib
    labels: dict[str, str] = {}
    for r in known:
        concept = vocab.regions().get(r["id"])
        for label in [r["region"], *(concept.strong + concept.english if concept else [])]:
            labels.setdefault(label.lower(), r["region"])
    key = vocab.to_simplified(name.strip()).lower()
    close = difflib.get_close_matches(key, list(labels), n=3, cutoff=0.5)
    names = list(dict.fromkeys(labels[c] for c in close))
    return f"; did you mean {' or '.join(names)}?" if names else ""


def _region_in_graph(store, name: str, known: list[dict] | None = None) -> dict:
    concept = vocab.resolve_region(name)
    known = regions(store) if known is None else known
    if concept is None:
        raise PolicyKGError(f"unknown region {name!r}{_suggest_region(name, known)} (regions in the graph: "
                            f"{', '.join(r['region'] for r in known)})")
    for r in known:
        if r["iri"] == concept.iri:
            return r
    raise PolicyKGError(f"no policy of {concept.zh} in the graph (regions in the graph: "
                        f"{', '.join(r['region'] for r in known)})")


# ------------------------------------------------------------------ compare theme

def compare_theme(store, theme: str, examples: int = 1, every_measure: bool = False) -> dict:
    """One theme (by id, label or any wording) region by region: how many measures and policies
    treat it, the lowest and highest figure of each kind, the beneficiary groups and its first
    `examples` measures (at most EXAMPLES) with the sentence that evidences the theme; then the
    regions of the graph that do not mention it.

    All of it comes from the coverage summaries the build writes (kg.coverage): the cost grows
    with the number of regions, not of measures. every_measure=True adds `measures` to each
    region: every measure with its evidence, amounts and beneficiaries (four plain joins started
    from the bound theme; slow on large graphs)."""
    term = _theme_term(theme)
    theme_id = _id(str(term), vocab.THEME)
    concept = vocab.themes().get(theme_id)
    bound = {"theme": term}
    by_region: dict[str, dict] = {}
    names = {r["iri"]: r["region"] for r in regions(store)}
    for r in run_named(store, "theme-coverage", bound).records():
        by_region[r["region"]] = {"region": names.get(r["region"], r["region"]), "id": _id(r["region"], vocab.REG),
                                  "measure_count": r["measures"], "policy_count": r["policies"],
                                  "amount_ranges": [], "beneficiaries": [], "examples": []}
    for a in run_named(store, "theme-coverage-amounts", bound).records():
        if a["region"] in by_region:
            by_region[a["region"]]["amount_ranges"].append(_range(a))
    for b in run_named(store, "theme-coverage-beneficiaries", bound).records():
        if b["region"] in by_region:
            by_region[b["region"]]["beneficiaries"] = [_id(x, vocab.BEN) for x in b["beneficiaries"].split()]
    first = {"rank": 1} if examples == 1 else {}    # a bound rank: one example node a region is read
    for r in sorted(run_named(store, "theme-examples", bound | first).records() if examples else [],
                    key=lambda r: r["rank"]):
        if r["region"] in by_region and r["rank"] <= examples:
            by_region[r["region"]]["examples"].append(
                {"measure": r["measure"], "key": measure_key(r["measure"]), "doc": r["doc"], "policy": r["policy"],
                 "policy_title": r["policyTitle"], "status": r["status"], "n": r["number"], "title": r["title"],
                 "evidence": r["sentence"] or ""})
    for entry in by_region.values():
        entry["amount_ranges"] = _sort_amounts(entry["amount_ranges"], value="highest")
        entry["beneficiaries"].sort()
    if every_measure:
        _every_measure(store, term, by_region)
    return {"theme": theme_id, "label": concept.zh if concept else theme_id, "label_en": concept.en if concept else None,
            "regions": [by_region[iri] for iri in names if iri in by_region],      # in the canonical order
            "not_mentioned": [name for iri, name in names.items() if iri not in by_region]}


def _range(row: dict) -> dict:
    """An amount range of a coverage summary: kind, unit, lowest, highest, how many, `30万元–200万元`."""
    low, high, unit = row["lowest"], row["highest"], row["unit"]
    label = amount_label(low, unit) if low == high else f"{amount_label(low, unit)}–{amount_label(high, unit)}"
    return {"kind": row["kind"], "unit": unit, "lowest": low, "highest": high, "count": row["count"], "label": label}


def _every_measure(store, term, by_region: dict[str, dict]) -> None:
    """Every measure of the theme with its evidence, amounts and beneficiaries (four queries)."""
    words, sentences = _evidence(store, term)
    beneficiaries: dict[str, set[str]] = defaultdict(set)
    for b in run_named(store, "theme-beneficiaries", {"theme": term}).records():
        beneficiaries[b["measure"]].add(_id(b["beneficiary"], vocab.BEN))
    amounts: dict[str, list[dict]] = defaultdict(list)
    for a in run_named(store, "theme-amounts", {"theme": term}).records():
        if a["kind"] in PROMISE_KINDS:
            amounts[a["measure"]].append(_amount(a))
    for entry in by_region.values():
        entry["measures"] = []
    for r in run_named(store, "theme-by-region", {"theme": term}).records():
        if r["region"] in by_region:
            by_region[r["region"]]["measures"].append({
                "measure": r["measure"], "key": measure_key(r["measure"]), "doc": r["doc"],
                "policy": r["policy"], "policy_title": r["policyTitle"], "status": r["status"],
                "n": r["number"], "title": r["title"], "evidence": sentences.get(r["measure"], ""),
                "evidence_words": sorted(words.get(r["measure"], ())),
                "amounts": _sort_amounts(amounts.get(r["measure"], [])),
                "beneficiaries": sorted(beneficiaries.get(r["measure"], ()))})


def _evidence(store, term) -> tuple[dict[str, set[str]], dict[str, str]]:
    """measure IRI -> the words that evidence the theme, and the sentence around the first."""
    words: dict[str, set[str]] = defaultdict(set)
    sentences: dict[str, str] = {}
    for r in run_named(store, "theme-evidence", {"theme": term}).records():   # ordered by measure, start
        if not _paired(r):
            continue
        if r["exact"]:
            words[r["measure"]].add(r["exact"])
        if r["measure"] not in sentences and r["spanText"]:
            start = r["start"] - r["spanStart"]
            sentence = evidence_sentence(r["spanText"], start, start + len(r["exact"]))
            if sentence:
                sentences[r["measure"]] = sentence
    return words, sentences


# ------------------------------------------------------------------ compare cities

def compare_cities(store, cities: list[str]) -> dict:
    """Themes all the regions share, the themes unique to each, and for the shared themes their
    amount ranges side by side (as `compare theme` gives them). Names as a person types them
    (厦门, 厦门市, Xiamen, 廈門)."""
    found: list[dict] = []
    known = regions(store)
    for name in cities:
        region = _region_in_graph(store, name, known)
        if all(region["iri"] != f["iri"] for f in found):
            found.append(region)
    if len(found) < 2:
        raise PolicyKGError("give at least two different regions to compare")
    names = [f["region"] for f in found]
    themes: dict[str, dict[str, int]] = {}
    amounts: dict[str, dict[str, list[dict]]] = {}
    for region in found:       # two queries a region, on its coverage summaries (kg.coverage)
        themes[region["region"]] = {_id(r["theme"], vocab.THEME): r["measures"]
                                    for r in run_named(store, "region-coverage", {"region": region["iri"]}).records()}
        per_theme: dict[str, list[dict]] = defaultdict(list)
        for a in run_named(store, "region-coverage-amounts", {"region": region["iri"]}).records():
            per_theme[_id(a["theme"], vocab.THEME)].append(_range(a))
        amounts[region["region"]] = per_theme
    order = {t: i for i, t in enumerate(vocab.themes())}
    sort = lambda ids: sorted(ids, key=lambda t: (order.get(t, len(order)), t))   # noqa: E731
    sets = {n: set(themes[n]) for n in names}
    shared = sort(set.intersection(*sets.values()))
    unique = {n: sort(sets[n] - set().union(*(sets[m] for m in names if m != n))) for n in names}
    partly = {t: [n for n in names if t in sets[n]] for t in sort(set().union(*sets.values()))
              if t not in shared and not any(t in unique[n] for n in names)}
    labels = {t: (vocab.themes()[t].zh if t in vocab.themes() else t) for t in set().union(*sets.values())}
    return {"cities": names, "ids": [f["id"] for f in found], "shared": shared, "unique": unique,
            "partly_shared": partly,
            "amounts": {t: {n: _sort_amounts(amounts[n].get(t, []), value="highest") for n in names} for t in shared},
            "measures": {n: {t: themes[n][t] for t in sort(themes[n])} for n in names},
            "labels": labels}


# ------------------------------------------------------------------ matrix

def matrix(store) -> dict:
    """Theme x region coverage: the number of measures of each region treating each theme (read
    from the rows the build packs per theme, kg.coverage)."""
    columns = regions(store)
    names = {r["iri"]: r["region"] for r in columns}
    counts: dict[str, dict[str, int]] = {}
    for r in run_named(store, "theme-region-counts").records():
        counts[r["theme"]] = {names[k]: n for k, n in json.loads(r["counts"]).items() if k in names}
    rows = []
    for t in run_named(store, "themes").records():
        c = counts.get(t["theme"], {})
        rows.append({"theme": t["id"] or _id(t["theme"], vocab.THEME), "label": t["label"], "en": t["en"],
                     "class": t["class"], "counts": {n["region"]: c.get(n["region"], 0) for n in columns},
                     "total": sum(c.values())})   # a measure counts once per region it belongs to
    return {"regions": [r["region"] for r in columns], "region_ids": [r["id"] for r in columns],
            "region_en": [r["en"] for r in columns], "themes": rows}


def matrix_rows(m: dict) -> tuple[list[str], list[dict]]:
    """The matrix as flat rows (theme, label, one column a region, total) for csv/tsv/md."""
    columns = ["theme", "label", *m["regions"], "total"]
    return columns, [{"theme": t["theme"], "label": t["label"], **t["counts"], "total": t["total"]}
                     for t in m["themes"]]


CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Sarasa Gothic SC", "SimHei", "Microsoft YaHei",
             "PingFang SC", "Hiragino Sans GB", "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback")


def cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, if matplotlib knows one."""
    from matplotlib import font_manager
    found = _known_cjk_font(font_manager)
    if found is None:
        # matplotlib keeps its font list from its first run: a font installed since (make test
        # installs fonts-wqy-microhei) is unknown to it until it is added from the system's fonts
        for path in font_manager.findSystemFonts():
            if re.search(r"wqy|cjk|sourcehan|han.?sans|droidsansfallback|simhei|yahei", Path(path).name, re.I):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = _known_cjk_font(font_manager)
    return found


def _known_cjk_font(font_manager) -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    return next((n for n in sorted(installed) if re.search(r"CJK|Han Sans|Hei|Ming|Song|Kai", n)), None)


def write_heatmap(m: dict, path: str | Path) -> str | None:
    """The matrix as a heatmap PNG. Returns a warning when no CJK font is installed (labels are
    then theme ids and English region names)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    font = cjk_font()
    warning = None
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
        row_labels = [f"{t['label']} ({t['theme']})" for t in m["themes"]]
        col_labels = m["regions"]
    else:
        warning = ("no font with Chinese glyphs found (install fonts-wqy-microhei or Noto Sans CJK); "
                   "the heatmap is labelled with theme ids and English region names")
        row_labels = [t["theme"] for t in m["themes"]]
        col_labels = [en or rid for en, rid in zip(m["region_en"], m["region_ids"])]
    data = [[t["counts"][r] for r in m["regions"]] for t in m["themes"]]
    height = max(3.0, 0.28 * len(row_labels) + 1.5)
    fig, ax = plt.subplots(figsize=(max(4.0, 0.9 * len(col_labels) + 3.5), height), dpi=120)
    image = ax.imshow(data or [[0]], cmap="YlGnBu", aspect="auto", vmin=0)
    ax.set_xticks(range(len(col_labels)), labels=col_labels, rotation=45, ha="right")
    ax.set_yticks(range(len(row_labels)), labels=row_labels, fontsize=8)
    peak = max((v for row in data for v in row), default=0)
    for i, row in enumerate(data):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                        color="white" if v > peak / 2 else "black")
    ax.set_title("measures per theme and region" + ("  主题×地区措施数" if font else ""))
    fig.colorbar(image, ax=ax, shrink=0.6, label="measures")
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as err:
        raise PolicyKGError(f"cannot write the heatmap ({err.strerror or err})", path) from None
    finally:
        plt.close(fig)
    return warning


# ------------------------------------------------------------------ amounts

SORTS = ("value", "region", "measure")


def amounts(store, theme: str | None = None, beneficiary: str | None = None, region: str | None = None,
            kind: str | None = None, sort: str = "value") -> dict:
    """The figures, normalised, in one group per kind and unit: totals, caps and rates are
    never mixed in one list or sum."""
    if sort not in SORTS:
        raise PolicyKGError(f"unknown sort '{sort}' (use {', '.join(SORTS)})")
    if kind is not None and kind not in KIND_ORDER:
        raise PolicyKGError(f"unknown kind '{kind}' (use {', '.join(KIND_ORDER)})")
    params = {"theme": theme, "beneficiary": beneficiary, "region": region, "kind": kind}
    rows = run_named(store, "amounts", params).records()
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["kind"], r["unit"])].append({
            "region": r["regionLabel"] or r["region"], "region_id": _id(r["region"], vocab.REG),
            "measure": r["measure"], "key": measure_key(r["measure"]), "doc": r["doc"], "n": r["number"],
            "title": r["title"], **_amount(r)})
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    keys = {"value": lambda a: (-(a["value"] or 0), a["region"], a["key"]),
            "region": lambda a: (a["region"], -(a["value"] or 0), a["key"]),
            "measure": lambda a: (a["key"], -(a["value"] or 0))}[sort]
    out = []
    for (k, unit) in sorted(groups, key=lambda g: (order.get(g[0], 99), g[1])):
        items = sorted(groups[(k, unit)], key=keys)
        out.append({"kind": k, "unit": unit, "count": len(items), "amounts": items})
    filters = {k: v for k, v in params.items() if v is not None}
    return {"filters": filters, "groups": out}


# ------------------------------------------------------------------ one measure

def _measure_iri(store, key: str) -> str:
    """A measure IRI from an IRI, `id:measure/…`, or DOC/REGION/N (DOC may be a unique prefix of
    the document key, REGION any name of the region)."""
    from kg.query import expand_iri
    key = key.strip()
    if key.startswith(("http://", "https://", "<", "id:")):
        return expand_iri(key, "measure")
    parts = [p for p in key.split("/") if p]
    if parts and parts[0] == "measure":
        parts = parts[1:]
    if len(parts) != 3:
        raise PolicyKGError(f"measure '{key}': give an IRI or DOC/REGION/N, e.g. 004_46d0cb6fe9d9ebe8/zhuhai/4")
    doc, region_name, n = parts
    region = vocab.resolve_region(region_name)
    if region is None:
        raise PolicyKGError(f"measure '{key}': unknown region '{region_name}'")
    rows = run_named(store, "region-measures", {"region": region.iri}).records()
    hits = [r for r in rows if r["number"] == n and r["doc"] == doc] or \
           [r for r in rows if r["number"] == n and r["doc"].startswith(doc)]
    if len({r["measure"] for r in hits}) == 1:
        return hits[0]["measure"]
    if hits:
        raise PolicyKGError(f"measure '{key}' is ambiguous: {', '.join(sorted(measure_key(r['measure']) for r in hits))}")
    raise PolicyKGError(f"no measure '{key}' in the graph (`policykg query --name region-measures "
                        f"--param region={region.id}` lists {region.zh}'s measures)")


def show_measure(store, key: str) -> dict:
    """Everything the graph knows about one measure, each fact with the words it rests on and
    their offsets in the original file."""
    iri = _measure_iri(store, key)
    rows = run_named(store, "measure", {"measure": iri}).records()
    if not rows:
        raise PolicyKGError(f"no measure '{key}' in the graph")
    m = rows[0]
    facts = run_named(store, "measure-facts", {"measure": iri}).records()
    out = {"measure": iri, "key": measure_key(iri), "n": m["number"], "order": m["order"], "title": m["title"],
           "part": m["part"],
           "policy": {"iri": m["policy"], "title": m["policyTitle"], "status": m["status"], "issued": m["issued"],
                      "doc_number": m["docNumber"], "issuer": m["issuer"]},
           "region": {"name": m["regionLabel"] or m["region"], "id": _id(m["region"], vocab.REG)},
           "provenance": {"doc": m["doc"], "file": m["file"], "sha256": m["sha256"], "start": m["start"],
                          "end": m["end"], "text": m["exact"]},
           "themes": [], "beneficiaries": [], "amounts": [], "units": []}
    seen: dict[tuple[str, str], dict] = {}
    for f in facts:
        facet, item = f["facet"], f["item"]
        if facet in ("theme", "beneficiary"):
            ns = vocab.THEME if facet == "theme" else vocab.BEN
            entry = seen.get((facet, item))
            if entry is None:
                entry = seen[(facet, item)] = {"id": _id(item, ns), "label": f["label"], "evidence": []}
                out["themes" if facet == "theme" else "beneficiaries"].append(entry)
            span = {"exact": f["exact"], "start": f["start"], "end": f["end"]}
            if _paired(f) and span not in entry["evidence"]:
                entry["evidence"].append(span)
        elif facet == "amount" and ("amount", item) not in seen:
            seen[("amount", item)] = {}
            out["amounts"].append({"amount": item, "kind": f["kind"], "value": f["value"], "unit": f["unit"],
                                   "label": amount_label(f["value"], f["unit"]), "text": f["label"],
                                   "purpose": f["purpose"], "recipient": f["recipient"],
                                   "exact": f["exact"], "start": f["start"], "end": f["end"]})
        elif facet == "unit" and f["label"] and f["label"] not in out["units"]:
            out["units"].append(f["label"])
    for entry in out["themes"] + out["beneficiaries"]:
        entry["evidence"].sort(key=lambda s: (s["start"] is None, s["start"] or 0))
    out["amounts"].sort(key=lambda a: (a["start"] is None, a["start"] or 0, a["amount"]))
    return out
