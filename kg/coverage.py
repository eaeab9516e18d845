"""Theme coverage: per (theme, region), what the whole graph says, computed once at build time.

`compare theme`, `compare cities` and `matrix` ask the same question of every measure in the
graph (which regions treat this theme, how often, with how much money). Aggregating tens of thousands of measures at
query time takes seconds to minutes whatever the engine, so the build folds them into one
`pkg:ThemeCoverage` node per (theme, region) instead, a few hundred nodes per theme:

    <id/coverage/region/{region}>   pkg:coversRegion, pkg:policyCount
    <id/coverage/{theme}/{region}>  pkg:coversTheme, pkg:coversRegion, pkg:measureCount,
        pkg:policyCount, pkg:coversBeneficiary*, pkg:amountRange* (kind, unit, lowest, highest,
        how many; an amount counts for the themes its sentence mentions, see `amount_themes`),
        pkg:example* (the first EXAMPLES measures in document and reading order, each with the
        sentence that evidences the theme)
    <id/coverage/{theme}>           pkg:regionCounts: the theme's row of the matrix, {region: number
        of measures} as one rdf:JSON literal (the same numbers as the nodes above: reading 33 rows
        instead of 33 x 368 nodes keeps `matrix` fast on any store)

It is streamed: each document's share (`document_coverage`) is kept in its cache entry beside its
triples, and `Coverage` adds the shares up in document order, so memory holds only the summaries.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal

from kg.model import Amount, Document, Measure, Source

# Display order of amount kinds (ontology/policy.ttl, pkg:kind); kinds are never summed together.
KIND_ORDER = ("cap", "fixed", "floor", "rate", "total", "duration", "count", "stat")
# Kinds that state what a measure offers; `stat` reports a past figure and is left out of comparisons.
PROMISE_KINDS = KIND_ORDER[:-1]
SENTENCE_END = "。；;！!？?\n"
EXAMPLES = 3          # example measures kept per (theme, region)


def evidence_sentence(text: str, start: int, end: int, width: int = 60) -> str:
    """The sentence of `text` around [start, end), cut to about `width` characters around it."""
    if not text or not 0 <= start <= end <= len(text):
        return ""
    s = max(text.rfind(c, 0, start) for c in SENTENCE_END) + 1
    ends = [i for i in (text.find(c, end) for c in SENTENCE_END) if i != -1]
    e = min(ends) + 1 if ends else len(text)
    left, hit, right = text[s:start], text[start:end], text[end:e]
    squash = lambda x: re.sub(r"\s+", " ", x)   # noqa: E731  (line breaks of the file)
    left, hit, right = squash(left).lstrip(), squash(hit), squash(right).rstrip()
    room = max(width - len(hit), 0)
    if len(left) + len(right) <= room:
        return left + hit + right
    keep_left = min(len(left), room // 3)               # a little before, most of what follows
    keep_right = min(len(right), room - keep_left)
    keep_left = min(len(left), room - keep_right)
    prefix = ("…" if keep_left < len(left) else "") + left[len(left) - keep_left:]
    suffix = right[:keep_right] + ("…" if keep_right < len(right) else "")
    return prefix + hit + suffix


def _measure_sentence(doc: Document, m: Measure, theme: str) -> str:
    """The sentence of the measure around its first mention of the theme (original text)."""
    mention = min((x for x in m.themes if x.id == theme), key=lambda x: x.start, default=None)
    if mention is None:
        return ""
    ms, me = doc.original_span(m.start, m.end)
    a, b = doc.original_span(mention.start, mention.end)
    return evidence_sentence(doc.original[ms:me], a - ms, b - ms)


def sentence_bounds(text: str, at: int, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """[s, e) of the sentence (or clause ended by ；) of text[start:end] that holds offset `at`."""
    end = len(text) if end is None else end
    s = max([text.rfind(c, start, at) for c in SENTENCE_END] + [start - 1]) + 1
    ends = [i for i in (text.find(c, at, end) for c in SENTENCE_END) if i != -1]
    return s, (min(ends) if ends else end)


def amount_themes(doc: Document, m: Measure) -> list[tuple[Amount, set[str]]]:
    """Each promised amount of a measure with the themes it counts for: the measure's themes
    mentioned in the amount's sentence, or all of them when its sentence mentions none
    (最高补助50万元 in a sentence on 概念验证 is a proof-of-concept figure, not a talent one)."""
    themes = {x.id for x in m.themes}
    out = []
    for a in m.amounts:
        if a.kind not in PROMISE_KINDS:
            continue
        s, e = sentence_bounds(doc.normalized, a.start, m.start, m.end)
        worded = {x.id for x in m.themes if s <= x.start < e}
        out.append((a, worded or themes))
    return out


def document_coverage(doc: Document) -> dict:
    """One document's share of the coverage, JSON-ready: per (theme, region) and per region."""
    from kg.rdf import measure_iri, policy_iri, region_key
    shares: dict[tuple[str, str], dict] = {}
    regions: dict[str, dict] = {}
    for source in doc.sources:
        rkey, policy = region_key(source), str(policy_iri(doc, source))
        regions.setdefault(rkey, {"region_key": rkey, "region_id": source.region_id,
                                  "region": source.region, "policies": 1})   # one policy a region
        for m in source.measures:
            counted = amount_themes(doc, m)
            for theme in dict.fromkeys(x.id for x in m.themes):
                share = shares.setdefault((theme, rkey), _new_share(theme, rkey, source))
                share["measures"] += 1
                if policy not in share["policies"]:
                    share["policies"].append(policy)
                for b in m.beneficiaries:
                    if b.id not in share["beneficiaries"]:
                        share["beneficiaries"].append(b.id)
                for a, themes in counted:
                    if theme in themes:
                        _add_amount(share["amounts"], a.kind, a.unit, float(a.value), float(a.value), 1)
                if len(share["examples"]) < EXAMPLES:
                    share["examples"].append([str(measure_iri(doc, source, m)), _measure_sentence(doc, m, theme)])
    return {"themes": list(shares.values()), "regions": list(regions.values())}


def _new_share(theme: str, rkey: str, source: Source) -> dict:
    return {"theme": theme, "region_key": rkey, "region_id": source.region_id,
            "region": source.region, "measures": 0, "policies": [], "beneficiaries": [], "amounts": {},
            "examples": []}


def _add_amount(ranges: dict, kind: str, unit: str, low: float, high: float, n: int) -> None:
    key = f"{kind}|{unit}"
    if key in ranges:
        r = ranges[key]
        ranges[key] = [min(r[0], low), max(r[1], high), r[2] + n]
    else:
        ranges[key] = [low, high, n]


class Coverage:
    """Document shares added up; `add` them in document order (examples keep the first ones)."""

    def __init__(self) -> None:
        self.total: dict[tuple[str, str], dict] = {}
        self.regions: dict[str, dict] = {}

    def add(self, document: dict) -> None:
        for r in document["regions"]:
            if r["region_key"] in self.regions:
                self.regions[r["region_key"]]["policies"] += r["policies"]
            else:
                self.regions[r["region_key"]] = dict(r)
        for share in document["themes"]:
            key = (share["theme"], share["region_key"])
            into = self.total.get(key)
            if into is None:
                self.total[key] = {**share, "policies": len(share["policies"]),
                                   "beneficiaries": list(share["beneficiaries"]), "amounts": dict(share["amounts"]),
                                   "examples": list(share["examples"])}
                continue
            into["measures"] += share["measures"]
            into["policies"] += len(share["policies"])      # policy IRIs carry the document key
            into["beneficiaries"] += [b for b in share["beneficiaries"] if b not in into["beneficiaries"]]
            for k, (low, high, n) in share["amounts"].items():
                _add_amount(into["amounts"], *k.split("|", 1), low, high, n)
            into["examples"] += share["examples"][:EXAMPLES - len(into["examples"])]

    def nodes(self) -> Iterator[list[tuple]]:
        """The coverage as rdflib triples, one list per summary node (with its amount ranges and
        examples), in a fixed order: only one node's triples are in memory at a time."""
        from rdflib import Literal, URIRef
        from rdflib.namespace import RDF, XSD

        from kg.vocab import BEN, ID, PKG, REG, SCHEMA, THEME
        region_term = lambda c: REG[c["region_id"]] if c["region_id"] else Literal(c["region"])  # noqa: E731
        for rkey, c in sorted(self.regions.items()):
            node = ID[f"coverage/region/{rkey}"]
            yield [(node, RDF.type, PKG.RegionCoverage), (node, PKG.coversRegion, region_term(c)),
                   (node, PKG.policyCount, Literal(c["policies"], datatype=XSD.integer))]
        rows: dict[str, dict[str, int]] = {}
        for (theme, rkey), c in sorted(self.total.items()):
            node = ID[f"coverage/{theme}/{rkey}"]
            region = region_term(c)
            rows.setdefault(theme, {})[str(region)] = c["measures"]
            out = [(node, RDF.type, PKG.ThemeCoverage), (node, PKG.coversTheme, THEME[theme]),
                   (node, PKG.coversRegion, region),
                   (node, PKG.measureCount, Literal(c["measures"], datatype=XSD.integer)),
                   (node, PKG.policyCount, Literal(c["policies"], datatype=XSD.integer))]
            out += [(node, PKG.coversBeneficiary, BEN[b]) for b in c["beneficiaries"]]
            for k, (low, high, n) in sorted(c["amounts"].items()):
                kind, unit = k.split("|", 1)
                r = URIRef(f"{node}/range/{kind}-{unit}")
                out += [(node, PKG.amountRange, r), (r, RDF.type, PKG.AmountRange),
                        (r, PKG.kind, Literal(kind)), (r, SCHEMA.unitText, Literal(unit)),
                        (r, SCHEMA.minValue, _decimal(low)), (r, SCHEMA.maxValue, _decimal(high)),
                        (r, PKG.amountCount, Literal(n, datatype=XSD.integer))]
            for rank, (measure, sentence) in enumerate(c["examples"], 1):
                e = URIRef(f"{node}/example/{rank}")
                out += [(node, PKG.example, e), (e, RDF.type, PKG.CoverageExample),
                        (e, PKG.exampleMeasure, URIRef(measure)), (e, PKG.rank, Literal(rank, datatype=XSD.integer))]
                if sentence:
                    out.append((e, PKG.evidenceText, Literal(sentence, lang="zh")))
            yield out
        for theme, counts in sorted(rows.items()):     # the matrix row of the theme, packed
            node = ID[f"coverage/{theme}"]
            yield [(node, RDF.type, PKG.ThemeTotals), (node, PKG.coversTheme, THEME[theme]),
                   (node, PKG.regionCounts, Literal(json.dumps(counts, ensure_ascii=False, sort_keys=True),
                                                    datatype=RDF.JSON))]


def _decimal(value: float):
    from rdflib import Literal
    from rdflib.namespace import XSD
    return Literal(Decimal(repr(float(value))).normalize(), datatype=XSD.decimal)   # as pkg:Amount values
