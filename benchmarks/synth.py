"""A synthetic corpus for benchmarks: N policy texts that read like the real ones, made by
recombining the measures of the corpus under varied regions, numbers and wordings.

Each text is a municipal or provincial notice: addressees, a transmittal sentence, the issuer
and date, the title, a preamble, then 3-6 numbered parts of 2-6 measures each. The measures are
taken whole from the corpus (as segmented by kg.segment), renumbered, with:
- the region: the source's region names replaced by the new region's (gazetteer of regions.ttl),
- the numbers: amounts in 元/万元/亿元 and percentages scaled by a random factor,
- the wording: common verbs and qualifiers swapped for synonyms used in such texts.
Text i depends only on (seed, i): the first 100 texts of a 1,000-text corpus are the 100-text
corpus. Not a test of extraction quality: a workload of realistic size and vocabulary.

    .venv/bin/python benchmarks/synth.py 1000 --out build/bench/corpus-1000 [--seed 7]
"""
from __future__ import annotations

import argparse
import random
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GENERATOR_VERSION = "1"

SYNONYMS = [("给予", "予以"), ("最高", "最多"), ("扶持", "支持"), ("鼓励", "引导"), ("加快", "加速"),
            ("推动", "推进"), ("建立", "建设"), ("完善", "健全"), ("按照", "按")]
TITLES = ["{r}促进科技成果转移转化若干措施", "{r}关于加快推进科技成果转化的实施意见",
          "{r}进一步促进科技成果转化的若干政策措施", "{r}科技成果转化行动方案({y}—{y2}年)",
          "{r}关于深化科技成果使用权、处置权和收益权改革的若干措施"]
PREAMBLES = ["为深入实施创新驱动发展战略,加快科技成果向现实生产力转化,推动经济高质量发展,结合本{lv}实际,制定本措施。",
             "为贯彻落实《中华人民共和国促进科技成果转化法》,打通科技成果转化堵点,培育发展新质生产力,制定本意见。",
             "为进一步激发创新主体活力,促进产学研深度融合,提升科技成果转化效率,现提出如下措施。"]
NUMERALS = "一二三四五六七八九十"
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(?=\s*(?:万元|亿元|元|%|％))")
_HEAD = re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十\d]+[)）.、．]\s*)")


@lru_cache(maxsize=1)
def corpus_pieces() -> tuple[list[str], list[str], list[list[str]]]:
    """(measure texts without their number, part titles, region names per measure)."""
    from kg import vocab
    from kg.build import discover
    from kg.ingest import load_document
    from kg.segment import segment
    files, _ = discover([CORPUS])
    measures, parts, names = [], [], []
    for path in files:
        doc = segment(load_document(path))
        for source in doc.sources:
            region = vocab.regions().get(source.region_id) if source.region_id else None
            labels = sorted({x for x in ([region.zh] + region.strong if region else []) if len(x) >= 2},
                            key=len, reverse=True)
            for m in source.measures:
                text = doc.normalized[m.start:m.end].strip()
                if 40 <= len(text) <= 1500:
                    measures.append(_HEAD.sub("", text, count=1))
                    names.append(labels)
                if m.part and 4 <= len(m.part) <= 40:
                    parts.append(_HEAD.sub("", m.part, count=1))
    return measures, sorted(set(parts)), names


@lru_cache(maxsize=1)
def target_regions() -> list:
    """Provinces and prefecture-level cities of the gazetteer, in a stable order."""
    from kg import vocab
    return [c for _, c in sorted(vocab.regions().items()) if c.level in ("province", "prefecture", "municipality")
            or (c.level or "").startswith(("prov", "pref", "munic"))]


def _scale(match: re.Match, rng: random.Random) -> str:
    value = float(match.group(1))
    factor = rng.choice([0.5, 0.8, 1, 1, 1.2, 1.5, 2, 3])
    new = value * factor
    if match.group(0) and "." not in match.group(1):
        new = max(1, round(new))
        return str(int(new))
    return f"{new:.1f}".rstrip("0").rstrip(".")


def _vary(text: str, old_names: list[str], region, rng: random.Random) -> str:
    for name in old_names:
        text = text.replace(name, region.zh)
    text = _AMOUNT.sub(lambda m: _scale(m, rng), text)
    for a, b in SYNONYMS:
        if rng.random() < 0.5:
            text = text.replace(a, b)
    return text


def policy_text(i: int, seed: int = 7) -> tuple[str, str]:
    """(file name, text) of synthetic text number i."""
    rng = random.Random(seed * 1_000_003 + i)
    measures, parts, names = corpus_pieces()
    regions = target_regions()
    region = regions[rng.randrange(len(regions))]
    province = (region.level or "").startswith("prov")
    lv = "省" if province else "市"
    year = rng.randint(2016, 2025)
    short = region.zh[:-1] if region.zh.endswith(("市", "省")) and len(region.zh) > 2 else region.zh
    title = rng.choice(TITLES).format(r=region.zh, y=year, y2=year + 2)
    issuer = f"{region.zh}人民政府办公{'厅' if province else '室'}"
    lines = [f"各{'市、县(区)人民政府' if province else '区人民政府(管委会)'},{lv}政府各部门、各直属机构:",
             f"《{title}》已经{lv}人民政府同意,现印发给你们,请认真贯彻落实。",
             issuer, f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
             f"{short}政办〔{year}〕{rng.randint(1, 120)}号", title,
             rng.choice(PREAMBLES).format(lv=lv)]
    n = 1
    for p in range(rng.randint(3, 6)):
        lines.append(f"{NUMERALS[p]}、{rng.choice(parts)}")
        for _ in range(rng.randint(2, 6)):
            k = rng.randrange(len(measures))
            lines.append(f"{n}.{_vary(measures[k], names[k], region, rng)}")
            n += 1
    lines.append(f"本措施自印发之日起施行,有效期{rng.choice([3, 5])}年。")
    return f"{i:05d}_{region.id}.txt", "\n".join(lines) + "\n"


def write_corpus(n: int, out: Path, seed: int = 7) -> Path:
    """Write texts 0..n-1 into `out` (kept when already written by this generator version)."""
    out = Path(out)
    stamp = out / ".generated"
    expected = f"{GENERATOR_VERSION} {seed} {n}"
    if stamp.exists() and stamp.read_text().strip() == expected:
        return out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    for i in range(n):
        name, text = policy_text(i, seed)
        (out / name).write_text(text, encoding="utf-8")
    stamp.write_text(expected + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_corpus(args.n, args.out, args.seed)
    print(f"{args.n} texts in {args.out}")


if __name__ == "__main__":
    main()
