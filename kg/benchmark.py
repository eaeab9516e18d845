"""Benchmark a draft policy against the other regions' measures in the graph, measure by measure.

For a draft file (any format `extract` reads; extracted here, never added to the graph):
- for each draft measure, the most similar measures of other regions (kg.similarity: shared
  themes, shared beneficiaries, character n-gram TF-IDF of the bodies), each score with its parts;
- its amounts next to the peers' amounts of the same theme, kind and unit (caps with caps, rates
  with rates, never a total with a cap), flagged where the draft is strictly the lowest or the
  highest and at least two peer figures exist. An amount counts for the themes of its measure
  that its sentence words (最高补助50万元 in a sentence on 概念验证 is a proof-of-concept figure,
  not an incubator one), or for all the measure's themes when its sentence words none;
- for the draft as a whole, the themes that at least two peer regions have and the draft lacks
  (gaps, with the peers' measures and the sentence their theme rests on as evidence). A theme
  whose wording (any label in ontology/themes.ttl) does occur in the draft although no draft
  measure was given it is listed apart, as mentioned in passing: the drafter should look, but
  the draft is not silent on it.
`similar()` runs the same nearest-measure search for a measure already in the graph.

The peers come from the graph in three queries (kg/queries/benchmark-*.rq), whatever its size:
all measures with their themes, beneficiaries and quoted bodies; all amounts; the words each
theme rests on. Peer texts are compared and quoted normalised (Simplified, half-width), like
the draft. Results are plain dicts.
"""
from __future__ import annotations

import bisect
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg import vocab
from kg.compare import PROMISE_KINDS, amount_label, evidence_sentence, measure_key
from kg.errors import PolicyKGError
from kg.ingest.normalize import normalize
from kg.query import run_named
from kg.similarity import WEIGHTS, Item, Model

SENTENCE_END = re.compile(r"[。；;！!？?\n]")
GAP_MIN_REGIONS = 2     # a theme is a gap when at least this many peer regions treat it
FLAG_MIN_PEERS = 2      # lowest/highest only against at least this many peer figures


@dataclass
class MeasureRecord:
    """A measure as the benchmark compares it: the graph's facts, or a draft's extraction."""
    iri: str
    key: str                      # DOC/REGION/N
    doc: str
    region: str                   # region IRI (or the name, for a region outside the gazetteer)
    region_label: str
    policy: str | None
    policy_title: str | None
    status: str | None
    n: str
    order: int
    title: str | None
    text: str                     # the body, normalised (Simplified, half-width)
    themes: frozenset[str] = frozenset()
    beneficiaries: frozenset[str] = frozenset()
    amounts: list[dict] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)    # theme -> the sentence its words are in

    @property
    def region_id(self) -> str:
        return self.region[len(str(vocab.REG)):] if self.region.startswith(str(vocab.REG)) else self.region

    def item(self) -> Item:
        return Item(self.themes, self.beneficiaries, self.text)

    def ref(self) -> dict:
        """How a report names the measure."""
        return {"key": self.key, "iri": self.iri, "region": self.region_label, "region_id": self.region_id,
                "doc": self.doc, "policy": self.policy, "policy_title": self.policy_title, "status": self.status,
                "n": self.n, "title": self.title}


# ------------------------------------------------------------------ reading the graph

def _words(value: str | None) -> frozenset[str]:
    return frozenset(value.split()) if value else frozenset()


def _amount(row: dict, offset: int | None = None) -> dict:
    return {"amount": row.get("amount"), "kind": row["kind"], "value": row["value"], "unit": row["unit"],
            "label": amount_label(row["value"], row["unit"]), "text": row.get("text"),
            "purpose": row.get("purpose"), "offset": offset}


def _sentence(text: str, offset: int | None) -> str:
    """The sentence (or clause ended by ；) of `text` around `offset`."""
    if offset is None or not 0 <= offset <= len(text):
        return ""
    start = max((m.end() for m in SENTENCE_END.finditer(text, 0, offset)), default=0)
    end = SENTENCE_END.search(text, offset)
    return text[start:end.start() if end else len(text)]


def _worded_themes(sentence: str, themes: frozenset[str]) -> frozenset[str]:
    concepts = vocab.themes()
    return frozenset(t for t in themes if t in concepts
                     and any(len(w) >= 2 and w in sentence for w in concepts[t].strong + concepts[t].weak))


def _with_themes(record: "MeasureRecord") -> "MeasureRecord":
    """Give each amount the themes it counts for: those of the measure its sentence words, else all."""
    for a in record.amounts:
        worded = _worded_themes(_sentence(record.text, a.pop("offset", None)), record.themes)
        a["themes"] = sorted(worded or record.themes)
    return record


def graph_measures(store) -> list[MeasureRecord]:
    """Every measure of the graph with its facts: three queries, whatever the graph's size."""
    amounts: dict[str, list[dict]] = defaultdict(list)
    for r in run_named(store, "benchmark-amounts").records():
        amounts[r["measure"]].append(r)
    mentions: dict[str, list[dict]] = defaultdict(list)
    for r in run_named(store, "benchmark-evidence").records():
        # a mention node holding several mentions of one theme returns every start x exact; the
        # true pairs span exactly their quote
        if r["exact"] is not None and r["end"] - r["start"] == len(r["exact"]):
            mentions[r["measure"]].append(r)
    out = []
    for r in run_named(store, "benchmark-measures").records():
        region = r["region"]
        text, offsets = normalize(r["body"] or "")
        body_start = r["bodyStart"] or 0

        def at(offset: int | None) -> int | None:     # an original offset -> index in `text`
            if offset is None:
                return None
            return bisect.bisect_left(offsets, offset - body_start, 0, len(text))

        evidence: dict[str, str] = {}
        for e in mentions.get(r["measure"], []):
            theme = e["theme"][len(str(vocab.THEME)):]
            if theme not in evidence:
                evidence[theme] = evidence_sentence(text, at(e["start"]), at(e["end"]), width=80)
        out.append(_with_themes(MeasureRecord(
            iri=r["measure"], key=measure_key(r["measure"]), doc=r["doc"], region=region,
            region_label=r["regionLabel"] or _region_name(region), policy=r["policy"],
            policy_title=r["policyTitle"], status=r["status"], n=str(r["number"]), order=r["order"] or 0,
            title=r["title"], text=text,
            themes=_words(r["themes"]), beneficiaries=_words(r["beneficiaries"]),
            amounts=[_amount(a, at(a["start"])) for a in amounts.get(r["measure"], [])],
            evidence=evidence)))
    return out


def _region_name(region: str) -> str:
    rid = region[len(str(vocab.REG)):] if region.startswith(str(vocab.REG)) else None
    concept = vocab.regions().get(rid) if rid else None
    return concept.zh if concept else region


# ------------------------------------------------------------------ the draft

def draft_measures(path: str | Path) -> tuple[dict, list[MeasureRecord]]:
    """Extract a draft file (not added to any graph): its description and its measures."""
    from kg.build import process_file
    from kg.rdf import measure_iri, policy_iri
    doc = process_file(path)
    records: list[MeasureRecord] = []
    for source in doc.sources:
        region = str(vocab.REG[source.region_id]) if source.region_id else source.region
        for order, m in enumerate(source.measures, 1):
            iri = str(measure_iri(doc, source, m))
            amounts = [{"amount": None, "kind": a.kind, "value": a.value, "unit": a.unit,
                        "label": amount_label(a.value, a.unit), "text": a.text, "purpose": a.purpose,
                        "offset": a.start - m.start}
                       for a in m.amounts]
            records.append(_with_themes(MeasureRecord(
                iri=iri, key=measure_key(iri), doc=doc.doc, region=region, region_label=source.region,
                policy=str(policy_iri(doc, source)), policy_title=source.policy_title, status=source.status,
                n=m.n, order=order, title=m.title, text=doc.normalized[m.start:m.end],
                themes=frozenset(x.id for x in m.themes), beneficiaries=frozenset(x.id for x in m.beneficiaries),
                amounts=amounts)))
    if not records:
        raise PolicyKGError("no measures found in the draft (numbered provisions like 1. or (一) are needed)", path)
    info = {"file": str(path), "doc": doc.doc,
            "regions": [s.region for s in doc.sources],
            "region_ids": [s.region_id for s in doc.sources],
            "titles": [s.policy_title for s in doc.sources if s.policy_title],
            "status": [s.status for s in doc.sources],
            "measures": len(records),
            "text": doc.normalized}
    return info, records


# ------------------------------------------------------------------ peers

def _regions_of(names: list[str] | None, measures: list[MeasureRecord]) -> set[str] | None:
    """Region IRIs for the names given to --against (any name of a region), checked against the
    regions that have measures in the graph."""
    if not names:
        return None
    present: dict[str, str] = {}
    for m in measures:
        present.setdefault(m.region, m.region_label)
    wanted = set()
    for name in [x.strip() for n in names for x in n.replace("，", ",").split(",") if x.strip()]:
        concept = vocab.resolve_region(name)
        iri = concept.iri if concept else name
        if iri not in present:
            listing = ", ".join(sorted(set(present.values())))
            what = f"unknown region '{name}'" if concept is None else f"no measures of {concept.zh} in the graph"
            raise PolicyKGError(f"--against: {what} (regions in the graph: {listing})")
        wanted.add(iri)
    return wanted


def _peer_regions(peers: list[MeasureRecord]) -> list[dict]:
    by_region: dict[str, dict] = {}
    for m in peers:
        entry = by_region.setdefault(m.region, {"region": m.region_label, "id": m.region_id, "policies": [],
                                                "measures": 0})
        entry["measures"] += 1
        policy = {"title": m.policy_title, "status": m.status, "doc": m.doc}
        if policy not in entry["policies"]:
            entry["policies"].append(policy)
    return sorted(by_region.values(), key=lambda r: r["region"])


def _similar(model: Model, qi: int, peers: list[MeasureRecord], top: int, per_region: int) -> list[dict]:
    out = []
    for match in model.rank(qi, top=top, group_of=[p.region for p in peers], per_group=per_region):
        peer = peers[match.index]
        out.append(peer.ref() | {
            "score": round(match.score, 4),
            "parts": {k: round(v, 4) for k, v in match.parts.items()},
            "raw": {k: round(v, 4) for k, v in match.raw.items()},
            "shared_themes": _theme_order(match.shared_themes),
            "shared_beneficiaries": sorted(match.shared_beneficiaries),
            "shared_words": match.shared_words,
            "themes": _theme_order(peer.themes), "beneficiaries": sorted(peer.beneficiaries)})
    return out


# ------------------------------------------------------------------ amounts side by side

def _amount_groups(draft: MeasureRecord, peers: list[MeasureRecord]) -> list[dict]:
    """Per theme of the draft measure and per (kind, unit) of its amounts, the draft's figures
    and the peers' figures of measures on the same theme. Reported statistics (`stat`) are not
    promises and are left out."""
    groups = []
    kinds = []
    for a in draft.amounts:
        if a["kind"] in PROMISE_KINDS and (a["kind"], a["unit"]) not in kinds:
            kinds.append((a["kind"], a["unit"]))
    for theme in _theme_order(draft.themes):
        for kind, unit in kinds:
            mine = [a for a in draft.amounts if a["kind"] == kind and a["unit"] == unit and theme in a["themes"]]
            if not mine:
                continue
            theirs = [{**a, "region": p.region_label, "region_id": p.region_id, "key": p.key, "n": p.n,
                       "title": p.title}
                      for p in peers for a in p.amounts
                      if a["kind"] == kind and a["unit"] == unit and theme in a["themes"]]
            if not theirs:
                continue
            theirs.sort(key=lambda a: (-a["value"], a["region"], a["key"]))
            values = [a["value"] for a in theirs]
            groups.append({"theme": theme, "theme_label": _theme_label(theme), "kind": kind, "unit": unit,
                           "draft": [{k: a[k] for k in ("kind", "value", "unit", "label", "text", "purpose")}
                                     | {"flag": _flag(a["value"], values)} for a in mine],
                           "peers": theirs,
                           "peer_regions": len({a["region_id"] for a in theirs}),
                           "peer_min": min(values), "peer_max": max(values),
                           "peer_min_label": amount_label(min(values), unit),
                           "peer_max_label": amount_label(max(values), unit)})
    return groups


def _flag(value: float, peer_values: list[float]) -> str | None:
    """`lowest` / `highest` when the draft's figure is strictly below / above every peer figure,
    and there are enough peer figures for that to mean something."""
    if len(peer_values) < FLAG_MIN_PEERS:
        return None
    if value < min(peer_values):
        return "lowest"
    if value > max(peer_values):
        return "highest"
    return None


# ------------------------------------------------------------------ gaps

def _gaps(draft_text: str, draft: list[MeasureRecord], peers: list[MeasureRecord], min_regions: int
          ) -> tuple[list[dict], list[dict]]:
    """Themes treated by at least `min_regions` peer regions and by no draft measure. Those whose
    wording (any label of the theme) does occur in the draft are returned apart, with the words:
    the draft mentions them without a measure of their own."""
    covered = set().union(*(m.themes for m in draft))
    by_theme: dict[str, list[MeasureRecord]] = defaultdict(list)
    for p in peers:
        for t in p.themes:
            by_theme[t].append(p)
    gaps, mentioned = [], []
    for theme in _theme_order(by_theme):
        if theme in covered:
            continue
        regions = sorted({p.region_label for p in by_theme[theme]})
        if len(regions) < min_regions:
            continue
        evidence = [p.ref() | {"evidence": p.evidence.get(theme, ""),
                               "amounts": [f"{a['label']} ({a['kind']})" for a in p.amounts
                                           if a["kind"] in PROMISE_KINDS and theme in a["themes"]]}
                    for p in sorted(by_theme[theme], key=lambda p: (p.region_label, p.doc, p.order))]
        concept = vocab.themes().get(theme)
        entry = {"theme": theme, "label": concept.zh if concept else theme, "en": concept.en if concept else None,
                 "regions": regions, "evidence": evidence}
        words = _wording_in(theme, draft_text)
        if words:
            mentioned.append(entry | {"words": words})
        else:
            gaps.append(entry)
    widest = lambda entry: -len(entry["regions"])   # noqa: E731  (most widely treated first; stable)
    return sorted(gaps, key=widest), sorted(mentioned, key=widest)


def _wording_in(theme: str, text: str) -> list[str]:
    concept = vocab.themes().get(theme)
    if concept is None:
        return []
    return [w for w in dict.fromkeys(concept.strong + concept.weak) if len(w) >= 2 and w in text]


# ------------------------------------------------------------------ entry points

def benchmark(store, draft_file: str | Path, against: list[str] | None = None, top: int = 3,
              per_region: int = 1, min_regions: int = GAP_MIN_REGIONS) -> dict:
    """The whole benchmark of a draft file against the graph's other regions (see module doc)."""
    if top < 1:
        raise PolicyKGError("--top must be at least 1")
    measures = graph_measures(store)
    wanted = _regions_of(against, measures)           # a wrong region fails before the extraction
    info, draft = draft_measures(draft_file)
    own_regions = {m.region for m in draft}
    peers = [m for m in measures if m.region not in own_regions and m.doc != info["doc"]
             and (wanted is None or m.region in wanted)]
    if not peers:
        raise PolicyKGError("no measures of other regions in the graph to compare with "
                            "(build a graph of other regions' policies first)")
    model = Model([m.item() for m in draft], [p.item() for p in peers])
    rows = []
    for qi, m in enumerate(draft):
        rows.append({"n": m.n, "title": m.title, "key": m.key, "region": m.region_label,
                     "themes": _theme_order(m.themes), "beneficiaries": sorted(m.beneficiaries),
                     "amounts": [{k: a[k] for k in ("kind", "value", "unit", "label", "text")} for a in m.amounts],
                     "similar": _similar(model, qi, peers, top, per_region),
                     "amount_comparison": _amount_groups(m, peers)})
    gaps, mentioned = _gaps(info.pop("text"), draft, peers, min_regions)
    flags = {(r["n"], g["theme"], g["kind"], d["label"], d["flag"]) for r in rows for g in r["amount_comparison"]
             for d in g["draft"] if d["flag"]}
    return {"draft": info | {"themes": _theme_order(set().union(*(m.themes for m in draft)))},
            "peers": {"regions": _peer_regions(peers), "measures": len(peers)},
            "method": method(top, per_region, min_regions),
            "measures": rows, "gaps": gaps, "mentioned": mentioned,
            "summary": {"measures": len(rows), "gaps": len(gaps), "mentioned": len(mentioned),
                        "lowest": sum(1 for f in flags if f[4] == "lowest"),
                        "highest": sum(1 for f in flags if f[4] == "highest")}}


def similar(store, key: str, against: list[str] | None = None, top: int = 5, per_region: int = 0) -> dict:
    """The measures of other regions most similar to one measure of the graph."""
    if top < 1:
        raise PolicyKGError("--top must be at least 1")
    measures = graph_measures(store)
    target = find_measure(measures, key)
    wanted = _regions_of(against, measures)
    peers = [m for m in measures if m.region != target.region and (wanted is None or m.region in wanted)]
    if not peers:
        raise PolicyKGError("no measures of other regions in the graph to compare with")
    model = Model([target.item()], [p.item() for p in peers])
    return {"measure": target.ref() | {"themes": _theme_order(target.themes),
                                       "beneficiaries": sorted(target.beneficiaries),
                                       "amounts": [{k: a[k] for k in ("kind", "value", "unit", "label", "text")}
                                                   for a in target.amounts]},
            "method": method(top, per_region),
            "peers": {"regions": _peer_regions(peers), "measures": len(peers)},
            "similar": _similar(model, 0, peers, top, per_region)}


def method(top: int, per_region: int, min_regions: int | None = None) -> dict:
    from kg.similarity import NGRAMS
    out = {"weights": dict(WEIGHTS), "text": f"character {NGRAMS[0]}-{NGRAMS[1]}-gram TF-IDF cosine",
           "themes": "Jaccard of theme sets", "beneficiaries": "Jaccard of beneficiary sets",
           "top": top, "per_region": per_region, "flag_min_peers": FLAG_MIN_PEERS}
    if min_regions is not None:
        out["gap_min_regions"] = min_regions
    return out


# ------------------------------------------------------------------ finding a measure

MEASURE_FORMS = ("a measure IRI (https://w3id.org/policykg/id/measure/…, or id:measure/…), "
                 "DOC/REGION/N (004_46d0cb6fe9d9ebe8/zhuhai/7; DOC may be a unique prefix such as 004) "
                 "or REGION/N (zhuhai/7, 珠海/7) when the region has one text")


def find_measure(measures: list[MeasureRecord], key: str) -> MeasureRecord:
    """The measure named by an IRI, `id:measure/…`, DOC/REGION/N or REGION/N (REGION any name of
    the region: zhuhai, 珠海, 珠海市). One line naming near keys when there is none or several."""
    text = key.strip().strip("<>")
    by_iri = {m.iri: m for m in measures}
    if text.startswith("id:"):
        text = str(vocab.ID) + text[3:]
    if text in by_iri:
        return by_iri[text]
    if text.startswith(str(vocab.ID)):
        text = measure_key(text)
    parts = [p for p in text.split("/") if p]
    if parts and parts[0] == "measure":
        parts = parts[1:]
    hits: list[MeasureRecord] = []
    if len(parts) in (2, 3):
        doc, region_name, n = ([None] + parts)[-3:]
        concept = vocab.resolve_region(region_name)
        region = concept.iri if concept else region_name
        hits = [m for m in measures if m.region == region and m.n == n
                and (doc is None or m.doc == doc or m.doc.startswith(doc))]
        exact_doc = [m for m in hits if m.doc == doc]
        hits = exact_doc or hits
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise PolicyKGError(f"measure '{key}' is ambiguous: {', '.join(sorted(m.key for m in hits))}")
    keys = [m.key for m in measures]
    tails = {"/".join(k.split("/")[-2:]): k for k in keys}
    near = difflib.get_close_matches(text, keys, n=4, cutoff=0.5) + \
        [tails[t] for t in difflib.get_close_matches(text, list(tails), n=4, cutoff=0.5)]
    near = list(dict.fromkeys(near))[:5]
    hint = f"; near: {', '.join(near)}" if near else f"; give {MEASURE_FORMS}"
    raise PolicyKGError(f"no measure '{key}' in the graph{hint}")


# ------------------------------------------------------------------ labels

def _theme_order(ids) -> list[str]:
    order = {t: i for i, t in enumerate(vocab.themes())}
    return sorted(ids, key=lambda t: (order.get(t, len(order)), t))


def _theme_label(tid: str) -> str:
    t = vocab.themes().get(tid)
    return t.zh if t else tid
