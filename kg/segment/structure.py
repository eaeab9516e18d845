"""Measures inside one source: numbered provisions (1. / 第X条), enumerations (一是/二是),
titled paragraphs and titled sections of news; parts (一、/ (一) / 第X章) as context.

The layouts are tried from the most to the least explicit; the first that finds at least two
measures wins. Summaries that repeat measures (起草说明, "数据" boxes) produce no measures.
"""
from __future__ import annotations

import re

from kg.extract.numerals import parse_number
from kg.model import Measure
from kg.segment.lines import Line

CN_DIGITS = "一二三四五六七八九十百零〇两"
PART = re.compile(rf"^(?:[{CN_DIGITS}]+、|[(（][{CN_DIGITS}]+[)）]|第[{CN_DIGITS}]+[章节部分])\s*(.*)$")
NUMBERED = re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*(.*)$")
ARTICLE = re.compile(rf"^第([{CN_DIGITS}\d]+)条\s*(.*)$")
CHAPTER = re.compile(rf"^第[{CN_DIGITS}]+[章节]\s*(.*)$")
ENUMERATED = re.compile(rf"^([{CN_DIGITS}]+)是\s*(.*)$")
# A drafting note or interpretation appended after the measures repeats them.
REPEAT_NOTE = re.compile(r"起草说明|编制说明|制定说明|修订说明|政策解读|解读$")
# Closing paragraphs after the last measure of a statement or a policy.
CLOSING = re.compile(r"^(下一步|今后|未来|本(?:措施|办法|意见|实施意见|规定|细则|方案|通知|政策)"
                     r"(?:自|由|有效期|涉及|与|中)|以上(?:措施|政策))")
SENTENCE_END = re.compile(r"[。!?;]")
MIN_SECTION_BODY = 80       # a news section shorter than this is a caption, not a measure
REPEAT_SHARE = 0.5          # a section whose 4-grams are this much in earlier measures repeats them


def _title(rest: str, max_len: int = 60) -> str | None:
    """The heading printed before the first full stop, if it is short enough to be one."""
    m = SENTENCE_END.search(rest)
    if not m:
        return rest.strip() or None if len(rest) <= max_len else None
    head = rest[: m.start()].strip()
    return head if 0 < len(head) <= max_len else None


def _is_part(line: Line, pattern: re.Pattern = PART) -> re.Match | None:
    m = pattern.match(line.text)
    # A part heading is a short title, not a paragraph that happens to start with 一、
    return m if m and len(line.text) <= 40 and not SENTENCE_END.search(line.text[:-1]) else None


def _finish(items: list[tuple[str, str | None, Line]], lines: list[Line], end: int,
            stops: set[int]) -> list[Measure]:
    """Measures from their start lines: each runs to the next start or stop line."""
    boundaries = sorted({ln.start for ln in lines if ln.start in stops} | {it[2].start for it in items})
    measures = []
    for n, title, line in items:
        nxt = next((b for b in boundaries if b > line.start), end)
        nxt = max(ln.end for ln in lines if line.start <= ln.start < nxt)   # no trailing blanks
        measures.append(Measure(n=n, title=title, start=line.start, end=nxt))
    return measures


def _numbered(lines: list[Line], end: int) -> tuple[list, set[int]]:
    items, stops, last = [], set(), 0
    for ln in lines:
        m = NUMBERED.match(ln.text)
        if m and int(m.group(1)) == last + 1 and not m.group(2).startswith("《"):
            last = int(m.group(1))
            items.append((m.group(1), _title(m.group(2)), ln))
        elif _is_part(ln) or (items and CLOSING.match(ln.text)):
            stops.add(ln.start)
    return items, stops


CN_ITEM = re.compile(rf"^([{CN_DIGITS}]+)、\s*(.*)$")
PAREN_ITEM = re.compile(rf"^[(（]([{CN_DIGITS}]+)[)）]\s*(.*)$")


def _cn_numbered(pattern: re.Pattern, parent: re.Pattern | None):
    """Measures numbered in Chinese numerals, (一)(二) under 一、二、 parts or 一、二、 alone.
    Numbering restarts under each parent heading; keys stay unique as <part>.<n>."""
    def layout(lines: list[Line], end: int) -> tuple[list, set[int]]:
        items, stops, last, part, restarted = [], set(), 0, 0, False
        for ln in lines:
            m = pattern.match(ln.text)
            n = parse_number(m.group(1)) if m else None
            if m and n is not None and int(n) in (last + 1, 1) and (items or int(n) == 1):
                if int(n) == 1 and last:
                    restarted = True
                last = int(n)
                items.append((part, str(last), _title(m.group(2)) or m.group(2)[:60] or None, ln))
            elif parent is not None and parent.match(ln.text):
                part += 1
                stops.add(ln.start)
            elif items and CLOSING.match(ln.text):
                stops.add(ln.start)
        keyed = [(f"{p}.{n}" if restarted else n, title, ln) for p, n, title, ln in items]
        return keyed, stops
    return layout


def _articles(lines: list[Line], end: int) -> tuple[list, set[int]]:
    items, stops = [], set()
    for ln in lines:
        m = ARTICLE.match(ln.text)
        if m:
            n = parse_number(m.group(1))
            items.append((str(int(n)) if n is not None else m.group(1), None, ln))
        elif _is_part(ln, CHAPTER):   # (一)(二) inside an article are its items, not parts
            stops.add(ln.start)
    return items, stops


def _enumerated(lines: list[Line], end: int) -> tuple[list, set[int]]:
    items, stops, last = [], set(), 0
    for ln in lines:
        m = ENUMERATED.match(ln.text)
        n = parse_number(m.group(1)) if m else None
        if m and n == last + 1:
            last = int(n)
            items.append((str(last), _title(m.group(2), 80), ln))
        elif items and CLOSING.match(ln.text):
            stops.add(ln.start)
    return items, stops


def _titled_paragraphs(lines: list[Line], end: int) -> tuple[list, set[int]]:
    """Paragraphs opened by a short heading sentence: "汇聚科技创新成果信息资源。……"."""
    items, stops = [], set()
    for ln in lines:
        m = SENTENCE_END.search(ln.text)
        head = ln.text[: m.start()] if m else ""
        if (m and m.group() == "。" and 4 <= len(head) <= 24 and len(ln.text) > len(head) + 2
                and not re.search(r"[,、;:\d“”\"()是]", head)):   # 是: a topic sentence, not a heading
            items.append((f"s{len(items) + 1}", head, ln))
        elif items and CLOSING.match(ln.text):
            stops.add(ln.start)
    return items, stops


def _titled_sections(lines: list[Line], end: int) -> tuple[list, set[int]]:
    """News sections: a short heading line with no punctuation, then paragraphs."""
    heads = [ln for ln in lines
             if 2 <= len(ln.text) <= 14 and not re.search(r"[\s,。、;:!?“”\"()《》\d.|]", ln.text)]
    items = [(f"s{i + 1}", ln.text, ln) for i, ln in enumerate(heads)]
    return items, set()


LAYOUTS = (_numbered, _articles, _cn_numbered(PAREN_ITEM, CN_ITEM), _enumerated,
           _cn_numbered(CN_ITEM, None), _titled_sections, _titled_paragraphs)


def _grams(text: str, k: int = 4) -> set[str]:
    text = re.sub(r"\s", "", text)
    return {text[i : i + k] for i in range(len(text) - k + 1)}


def _drop_repeats_and_captions(measures: list[Measure], text: str) -> list[Measure]:
    """Drop sections that are captions (too short) or that repeat earlier measures."""
    kept: list[Measure] = []
    seen: set[str] = set()
    for m in measures:
        body = text[m.start : m.end]
        grams = _grams(body)
        keyed = m.n.startswith("s")   # printed numbers are trusted; inferred sections are checked
        short = keyed and len(re.sub(r"\s", "", body)) - len(m.title or "") < MIN_SECTION_BODY
        repeat = keyed and kept and grams and len(grams & seen) / len(grams) >= REPEAT_SHARE
        if not short and not repeat:
            kept.append(m)
        seen |= grams
    for i, m in enumerate(kept):   # renumber section keys in reading order
        if m.n.startswith("s"):
            m.n = f"s{i + 1}"
    return kept


def find_measures(text: str, lines: list[Line], end: int) -> list[Measure]:
    """Measures of one source, given its lines (offsets in `text`) and its end offset."""
    note = next((ln for ln in lines if len(ln) <= 80 and REPEAT_NOTE.search(ln.text)
                 and ln is not lines[0]), None)
    if note is not None:   # only what precedes the drafting note or interpretation is policy
        body_lines = [ln for ln in lines if ln.start < note.start]
        if any(NUMBERED.match(ln.text) or ARTICLE.match(ln.text) for ln in body_lines):
            lines, end = body_lines, note.start
    for layout in LAYOUTS:
        items, stops = layout(lines, end)
        if len(items) >= 2:
            measures = _finish(items, lines, end, stops)
            part, part_pattern = None, CHAPTER if layout is _articles else PART
            for ln in lines:   # attach each measure to the part heading above it
                if (p := _is_part(ln, part_pattern)) and not any(ln.start == m.start for m in measures):
                    part = p.group(1).strip() or ln.text
                for m in measures:
                    if m.start == ln.start:
                        m.part = part
            measures = _drop_repeats_and_captions(measures, text)
            if len(measures) >= 2:
                return measures
    return []
