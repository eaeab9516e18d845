"""A Word .docx -> text, one paragraph a line, with the numbers Word prints for numbered lists.

Policy documents number their parts and measures with Word's list numbering (w:numPr), so the
"一、" and "1." the reader sees are not in the text runs. They are regained here from
numbering.xml: the level's format (decimal, chineseCounting, ...), its lvlText ("%1、"), start
values, restarts and overrides, counted the way Word counts them (per abstract list, deeper
levels restarting when a higher one advances). Headers and footers (running heads, page
numbers) live in their own parts and are not read.
"""
from __future__ import annotations

import io
import re
import unicodedata

from kg.errors import PolicyKGError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _chinese_counting(n: int, digits: str = "零一二三四五六七八九", units: str = "十百千万") -> str:
    """11 -> 十一, 20 -> 二十, 105 -> 一百零五 (the way Word's chineseCounting prints)."""
    if n <= 0:
        return digits[0]
    if n >= 100000:
        return str(n)
    parts, zero = [], False
    for power, unit in ((10000, units[3]), (1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d, n = divmod(n, power)
        if d:
            if zero:
                parts.append(digits[0])
            parts.append(digits[d] + unit)
            zero = False
        elif parts:
            zero = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text   # 十二, not 一十二


def _roman(n: int) -> str:
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    """Word repeats the letter past z: 27 -> aa."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word number format (ST_NumberFormat)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting", "koreanCounting"):
        return _chinese_counting(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand", "koreanDigital"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional", "japaneseLegal"):
        return _chinese_counting(n, _CN_LEGAL, "拾佰仟万")
    if fmt == "ideographTraditional":
        return _HEAVENLY_STEMS[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _EARTHLY_BRANCHES[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)   # decimal and the formats we do not know


def _val(el, tag: str, default: str | None = None) -> str | None:
    child = el.find(W + tag) if el is not None else None
    return child.get(W + "val", default) if child is not None else default


class _Level:
    def __init__(self, lvl):
        self.start = int(_val(lvl, "start", "1") or 1)
        self.fmt = _val(lvl, "numFmt", "decimal") or "decimal"
        self.text = _val(lvl, "lvlText", "") or ""
        restart = _val(lvl, "lvlRestart")
        self.restart = int(restart) if restart is not None else None   # 0: never restart
        self.legal = lvl.find(W + "isLgl") is not None
        self.suffix = _val(lvl, "suff", "tab") or "tab"
        self.style = _val(lvl, "pStyle")


class Numbering:
    """The list numbers of one document, handed out in reading order."""

    def __init__(self, numbering_xml, styles_xml):
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.seen_nums: set[str] = set()
        self.style_numpr: dict[str, tuple[str | None, int | None]] = {}
        if numbering_xml is not None:
            for an in numbering_xml.iter(W + "abstractNum"):
                self.abstract[an.get(W + "abstractNumId")] = {
                    int(lvl.get(W + "ilvl", "0")): _Level(lvl) for lvl in an.iter(W + "lvl")}
            for num in numbering_xml.iter(W + "num"):
                starts, levels = {}, {}
                for ov in num.iter(W + "lvlOverride"):
                    ilvl = int(ov.get(W + "ilvl", "0"))
                    so = _val(ov, "startOverride")
                    if so is not None:
                        starts[ilvl] = int(so)
                    lvl = ov.find(W + "lvl")
                    if lvl is not None:
                        levels[ilvl] = _Level(lvl)
                self.nums[num.get(W + "numId")] = (_val(num, "abstractNumId"), starts, levels)
        if styles_xml is not None:
            self._read_styles(styles_xml)

    def _read_styles(self, styles_xml) -> None:
        """numPr of each paragraph style, following basedOn."""
        own, based = {}, {}
        for st in styles_xml.iter(W + "style"):
            sid = st.get(W + "styleId")
            ppr = st.find(W + "pPr")
            numpr = ppr.find(W + "numPr") if ppr is not None else None
            if numpr is not None:
                ilvl = _val(numpr, "ilvl")
                own[sid] = (_val(numpr, "numId"), int(ilvl) if ilvl is not None else None)
            base = _val(st, "basedOn")
            if base:
                based[sid] = base
        for sid in set(own) | set(based):
            seen, cur = set(), sid
            while cur and cur not in own and cur not in seen:
                seen.add(cur)
                cur = based.get(cur)
            if cur in own:
                self.style_numpr[sid] = own[cur]

    def _level(self, num_id: str, ilvl: int) -> _Level | None:
        abstract_id, _, overrides = self.nums.get(num_id, (None, {}, {}))
        return overrides.get(ilvl) or self.abstract.get(abstract_id, {}).get(ilvl)

    def label(self, ppr, style_id: str | None) -> tuple[str, str]:
        """(printed number, suffix kind) of a paragraph, or ("", "") when it is not numbered."""
        num_id, ilvl = None, None
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        if numpr is not None:
            num_id, lvl = _val(numpr, "numId"), _val(numpr, "ilvl")
            ilvl = int(lvl) if lvl is not None else None
        if num_id is None and style_id in self.style_numpr:   # numbered by its style
            num_id, style_ilvl = self.style_numpr[style_id]
            ilvl = ilvl if ilvl is not None else style_ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return "", ""
        abstract_id, starts, _ = self.nums[num_id]
        if ilvl is None:   # a style bound to a level of the list (w:pStyle in the level)
            ilvl = next((i for i, lv in self.abstract.get(abstract_id, {}).items()
                         if style_id and lv.style == style_id), 0)
        level = self._level(num_id, ilvl)
        if level is None:
            return "", ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.seen_nums:
            self.seen_nums.add(num_id)
            for i, start in starts.items():      # a list restarted with startOverride
                counters[i] = start - 1
                for deeper in [k for k in counters if k > i]:
                    del counters[deeper]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            lv = self._level(num_id, deeper)
            if lv is None or lv.restart is None or (lv.restart != 0 and ilvl <= lv.restart - 1):
                del counters[deeper]

        def one(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            lv = self._level(num_id, k)
            value = counters.get(k, lv.start if lv else 1)
            return format_number(value, "decimal" if level.legal and k != ilvl else (lv.fmt if lv else "decimal"))
        if level.fmt == "bullet":
            return "", ""
        return re.sub(r"%([1-9])", one, level.text), level.suffix


def _run_text(p) -> str:
    """The visible characters of a paragraph in order, inserted revisions included."""
    out = []

    def walk(el):
        for child in el:
            tag = child.tag
            if tag == MC_FALLBACK or tag in (W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "instrText"):
                continue
            if tag == W + "t":
                out.append(child.text or "")
            elif tag in (W + "tab", W + "ptab"):
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "txbxContent":
                continue   # text boxes float beside the text; their paragraphs are not in its flow
            else:
                walk(child)
    walk(p)
    return "".join(out)


def _paragraph(p, numbering: Numbering) -> str:
    ppr = p.find(W + "pPr")
    style = _val(ppr, "pStyle") if ppr is not None else None
    text = _run_text(p)
    label, suffix = numbering.label(ppr, style)
    if not label:
        return text
    # "一、" and "1." are followed by the text itself; a label ending in a letter or number gets a space.
    last = label[-1]
    sep = "" if suffix == "nothing" or unicodedata.category(last).startswith("P") else " "
    return f"{label}{sep}{text.lstrip()}"


def _blocks(parent, numbering: Numbering, lines: list[str]) -> None:
    for child in parent:
        if child.tag == W + "p":
            lines.append(_paragraph(child, numbering))
        elif child.tag == W + "tbl":
            for row in child.iter(W + "tr"):
                cells = []
                for cell in row.findall(W + "tc"):
                    inner: list[str] = []
                    _blocks(cell, numbering, inner)
                    cells.append(" ".join(x.strip() for x in inner if x.strip()))
                lines.append("\t".join(cells))
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins"):
            _blocks(child, numbering, lines)


def docx_to_text(data: bytes, path: object = None) -> tuple[str, dict]:
    """(text, metadata) of a .docx file."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:   # noqa: BLE001  a damaged package fails anywhere inside python-docx
        raise PolicyKGError(f"not a readable .docx file ({err.__class__.__name__})", path) from None
    try:
        numbering_xml = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering_xml = None
    numbering = Numbering(numbering_xml, document.styles.element)
    lines: list[str] = []
    _blocks(document.element.body, numbering, lines)
    text = "\n".join(x.rstrip() for x in lines).strip("\n")
    if not text.strip():
        raise PolicyKGError("the .docx has no text", path)
    core = document.core_properties
    meta = {"format": "docx"}
    if core.title:
        meta["title"] = core.title.strip()
    if core.author:
        meta["author"] = core.author.strip()
    return text + "\n", meta
