#!/usr/bin/env python3
"""Score extraction output against gold annotations (schema: tests/gold/GUIDE.md).

A copy of the reference scorer (shared/tools/score_extraction.py) so the project is
self-contained; tests/test_scoring.py checks that it agrees with the reference when present.

usage: score_extraction.py GOLD_DIR PRED_DIR [--json]

Both folders hold one <doc-stem>.json per corpus text, in the gold schema. A prediction file
missing for a gold file counts as an empty prediction. Prints one table of precision / recall /
F1 per field, micro-averaged over all documents, and a last line `overall F1: X` (the mean of
the per-field F1s). Standard library only.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

FIELDS = ("sources", "measures", "amounts", "amount_kinds", "themes", "region_themes",
          "beneficiaries", "metadata")
META_KEYS = ("province", "level", "policy_title", "issuer", "doc_number", "date", "status")


def norm(text: object) -> str:
    """Compare strings without width, spacing, quote-mark or title-bracket differences."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    for ch in " \u3000《》“”\"'‘’()（）":
        text = text.replace(ch, "")
    return text.replace("科学技术", "科技")  # 市科学技术局 and 市科技局 are one body


def region_key(name: object) -> str:
    key = norm(name)
    for suffix in ("特别行政区", "自治区", "省", "市"):
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)]
    return key


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: object, b: object) -> float:
    x, y = bigrams(norm(a)), bigrams(norm(b))
    return len(x & y) / len(x | y) if x and y else 0.0


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, gold: Counter, pred: Counter) -> None:
        hit = sum((gold & pred).values())
        self.tp += hit
        self.fp += sum(pred.values()) - hit
        self.fn += sum(gold.values()) - hit

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def match_measures(gold: list[dict], pred: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Pair measures by printed number where both are numeric, else by title similarity."""
    pairs, free = [], list(pred)
    for g in gold:
        best, best_score = None, 0.0
        for p in free:
            score = similarity(g.get("title"), p.get("title"))
            if str(g.get("n")).isdigit() and str(g.get("n")) == str(p.get("n")):
                score += 1.0
            if score > best_score:
                best, best_score = p, score
        if best is not None and best_score >= 0.4:
            free.remove(best)
            pairs.append((g, best))
        else:
            pairs.append((g, None))
    pairs.extend((None, p) for p in free)
    return pairs


def amount_keys(measure: dict | None, with_kind: bool) -> Counter:
    keys = Counter()
    for a in (measure or {}).get("amounts", []) or []:
        try:
            value = round(float(a.get("value")), 6)
        except (TypeError, ValueError):
            value = None
        key = (a.get("unit"), value, a.get("kind")) if with_kind else (a.get("unit"), value)
        keys[key] += 1
    return keys


def score(gold_dir: Path, pred_dir: Path) -> dict[str, Tally]:
    tallies = {name: Tally() for name in FIELDS}
    for gold_file in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        pred_file = pred_dir / gold_file.name
        try:
            pred = json.loads(pred_file.read_text(encoding="utf-8")) if pred_file.exists() else {}
        except json.JSONDecodeError:
            pred = {}
        gold_sources = {region_key(s.get("region")): s for s in gold.get("sources", [])}
        pred_sources = {region_key(s.get("region")): s for s in pred.get("sources", []) or []}
        tallies["sources"].add(Counter(list(gold_sources)), Counter(list(pred_sources)))
        for region in set(gold_sources) | set(pred_sources):
            gs, ps = gold_sources.get(region, {}), pred_sources.get(region, {})
            if gs:  # a missing prediction counts as wrong metadata, not as no metadata
                for key in META_KEYS:
                    same = bool(ps) and norm(gs.get(key)) == norm(ps.get(key))
                    tallies["metadata"].add(Counter({key: 1}), Counter({key: 1} if same else {}))
            region_gold, region_pred = Counter(), Counter()
            for gm, pm in match_measures(gs.get("measures", []), ps.get("measures", []) or []):
                tallies["measures"].add(Counter({1: 1} if gm else {}), Counter({1: 1} if pm else {}))
                tallies["amounts"].add(amount_keys(gm, False), amount_keys(pm, False))
                tallies["amount_kinds"].add(amount_keys(gm, True), amount_keys(pm, True))
                for field in ("themes", "beneficiaries"):
                    tallies[field].add(Counter(set((gm or {}).get(field, []) or [])),
                                       Counter(set((pm or {}).get(field, []) or [])))
                region_gold.update(set((gm or {}).get("themes", []) or []))
                region_pred.update(set((pm or {}).get("themes", []) or []))
            tallies["region_themes"].add(Counter(set(region_gold)), Counter(set(region_pred)))
    return tallies


def table(tallies: dict[str, Tally]) -> list[tuple[str, float, float, float, int, int, int]]:
    """(field, P, R, F1, tp, fp, fn) per field."""
    return [(name, *t.prf(), t.tp, t.fp, t.fn) for name, t in tallies.items()]


def overall(tallies: dict[str, Tally]) -> float:
    return sum(t.prf()[2] for t in tallies.values()) / len(tallies)


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    tallies = score(Path(args[0]), Path(args[1]))
    rows = {name: t.prf() for name, t in tallies.items()}
    if "--json" in argv:
        print(json.dumps({k: {"precision": p, "recall": r, "f1": f} for k, (p, r, f) in rows.items()},
                         indent=2))
    else:
        print(f"{'field':<15}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}")
        for name, (p, r, f) in rows.items():
            t = tallies[name]
            print(f"{name:<15}{p:8.3f}{r:8.3f}{f:8.3f}{t.tp:6d}{t.fp:6d}{t.fn:6d}")
    print(f"overall F1: {sum(f for _, _, f in rows.values()) / len(rows):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
