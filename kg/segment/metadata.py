"""What a source says about itself: its region, policy title, issuer, document number, date,
status and validity. Each finder looks for the general wording of Chinese policy texts."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from kg.extract.numerals import parse_number
from kg.segment.lines import Line
from kg import vocab

POLICY_NOUN = r"(?:若干措施|措施|举措|办法|意见|实施意见|方案|条例|规定|细则|通知|计划|政策|规划|指引|决定)"
STATUS_PARENS = re.compile(r"[(（](?:征求意见稿|送审稿|草案|修订稿|讨论稿)[)）]")
INTERPRETATION_SUFFIX = re.compile(r"(?:的)?(?:政策解读|解读|起草说明|编制说明)$")
CJK = r"\u4e00-\u9fff"
ORG_SUFFIX = r"(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|常务委员会|局|厅|委|办)"
ORG = rf"[{CJK}]{{2,24}}?{ORG_SUFFIX}"
TIME_WORDS = re.compile(r"^(?:近日|日前|近期|最近|今天|今年|日|目前)")
ISSUE_VERB = r"(?:正式)?(?:印发|发布|出台|颁布|制定)(?:了)?"
DOC_NUMBER = re.compile(rf"[{CJK}]{{1,12}}[〔\[(（]\d{{4}}[〕\])）]\d+号")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
BYLINE = re.compile(r"供稿|来源[:：]|作者[:：]|记者|编辑[:：]|发布时间|发布日期|日期[:：]|本报讯|日电|新闻")
SPEAKER = re.compile(rf"^([{CJK}]{{2,4}})\s+(.*(?:书记|局长|厅长|主任|秘书长|市长|省长|部长|院长|处长|司长).*)$")
ROLE = re.compile(r"(?:党委|党组)?(?:副)?(?:书记|局长|厅长|主任|秘书长|市长|省长|部长|院长|处长|司长)$")
VALIDITY = re.compile(rf"有效期(?:为|暂定)?\s*([\d{''.join('一二三四五六七八九十两')}]+)\s*年")
SELF_CITY = re.compile(r"我市|本市|全市|市政府|市人民政府|市委|市科技局|市科学技术局")
SELF_PROVINCE = re.compile(r"我省|本省|全省|省政府|省人民政府|省委|省科技厅|省科学技术厅")


# ---------------------------------------------------------------- regions

@lru_cache(maxsize=1)
def _region_pattern() -> tuple[re.Pattern, dict[str, str]]:
    """One alternation of every region label of two characters or more, longest first."""
    label_to_id: dict[str, str] = {}
    for rid, c in vocab.regions().items():
        for label in c.strong:
            if len(label) >= 2:
                label_to_id.setdefault(label, rid)
    alternation = "|".join(re.escape(x) for x in sorted(label_to_id, key=len, reverse=True))
    return re.compile(alternation), label_to_id


def region_mentions(text: str) -> Counter:
    pattern, label_to_id = _region_pattern()
    counts: Counter = Counter()
    for m in pattern.finditer(text):
        rid = label_to_id[m.group()]
        full = m.group() == vocab.regions()[rid].zh
        counts[rid] += 2 if full else 1
    return counts


def heading_region(line: Line) -> str | None:
    """The region of a feature-article heading such as "天津:全力打造……"."""
    m = re.match(rf"^([{CJK}]{{2,9}})\s*[:：]\s*\S", line.text)
    if not m or len(line.text) > 40 or "。" in line.text:
        return None
    region = vocab.resolve_region(m.group(1))
    return region.id if region else None


def detect_region(text: str, hints: list[str] = ()) -> str | None:
    """The issuing region: named in the title or issuer, else the most mentioned region, a city
    when the text speaks of 我市/市政府 and a province when it speaks of 我省/省政府."""
    for hint in hints:
        if hint:
            counts = region_mentions(hint)
            if counts:
                return _lowest_level(counts)
    counts = region_mentions(text)
    if not counts:
        return None
    regions = vocab.regions()
    city = len(SELF_CITY.findall(text))
    prov = len(SELF_PROVINCE.findall(text))
    if city != prov:
        wanted = ("prefecture-city", "municipality") if city > prov else ("province", "municipality")
        preferred = Counter({r: n for r, n in counts.items() if regions[r].level in wanted})
        if preferred:
            counts = preferred
    return counts.most_common(1)[0][0]


def _lowest_level(counts: Counter) -> str:
    """In a title such as 山东省威海市……, the city is the issuer, not its province."""
    regions = vocab.regions()
    order = {"district": 0, "prefecture-city": 1, "municipality": 2, "province": 3}
    return min(counts, key=lambda r: (order.get(regions[r].level or "", 4), -counts[r]))


# ---------------------------------------------------------------- title

def _clean_title(title: str) -> str:
    title = STATUS_PARENS.sub("", title).strip()
    title = INTERPRETATION_SUFFIX.sub("", title).strip()
    return re.sub(r"\s+", "", title) if re.search(rf"[{CJK}]\s+[{CJK}]", title) else title


def header_title(lines: list[Line]) -> str | None:
    """The title printed as the first lines of a policy document."""
    parts = []
    for ln in lines[:5]:
        if len(ln) > 45 or re.search(r"[。,;:]$|[,;]", ln.text) or DATE.search(ln.text) or heading_region(ln):
            break
        parts.append(ln.text)
    title = _clean_title("".join(parts))
    return title if re.search(POLICY_NOUN, title) and len(title) >= 6 else None


def find_title(text: str, lines: list[Line]) -> str | None:
    m = re.search(r"《([^《》]{4,80})》\s*[(（]以下简称", text)
    if m:
        return _clean_title(m.group(1))
    m = re.search(r"(?:关于)?印发《([^《》]{4,80})》|《([^《》]{4,80})》(?:已经|经)[^。]{0,20}同意", text)
    if m:
        return _clean_title(m.group(1) or m.group(2))
    title = header_title(lines)
    if title:
        return title
    for m in re.finditer(rf"(?:{ISSUE_VERB}|研究制定|起草|推出)\s*《([^《》]{{4,80}})》", text):
        if re.search(r"成果|转化|转移", m.group(1)):
            return _clean_title(m.group(1))
    return None


# ---------------------------------------------------------------- issuer, number, date

def signature(lines: list[Line]) -> tuple[str | None, str | None]:
    """(issuing body, ISO date) of a signature block: an organisation line over a date line."""
    for prev, ln in zip(lines, lines[1:]):
        d = DATE.fullmatch(ln.text)
        if d and re.fullmatch(ORG, prev.text):
            return prev.text, _iso(d)
    return None, None


def _iso(m: re.Match) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


ADOPTION = re.compile(rf"(\d{{4}})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日\s*({ORG})第[{CJK}\d]+次会议"
                      rf"[^\n]{{0,80}}?(?:通过|修订|修正|批准)")


def _adoptions(text: str) -> list[tuple[str, str]]:
    """(ISO date, body) of each adoption, revision or amendment of a law, in printed order;
    the last one is the text in force."""
    return [(_iso(m), m.group(4)) for m in ADOPTION.finditer(text[:2000])]


def find_issuer(text: str, lines: list[Line], title: str | None, speaker: str | None) -> str | None:
    org, _ = signature(lines)
    if org:
        return org
    adopted = _adoptions(text)
    if adopted:
        return adopted[-1][1]
    if title:
        m = re.search(rf"({ORG})\s*{ISSUE_VERB}\s*《{re.escape(title)}", text)
        if m:
            return m.group(1)
    m = re.search(rf"({ORG})[^。]{{0,20}}(?:研究)?起草了?本《", text) or \
        re.search(rf"由({ORG})(?:会同[^。]{{0,12}})?负责解释", text)
    if m:
        return m.group(1)
    if speaker:
        m = SPEAKER.match(speaker)
        for part in re.split(r"[、,]", m.group(2) if m else speaker):
            part = ROLE.sub("", part.strip())
            if "科技" in part or "科学技术" in part:
                return part
    return None


def find_doc_number(text: str, lines: list[Line], title: str | None) -> str | None:
    own_lines = None   # the texts of the lines, computed once, only when a number is found
    for m in DOC_NUMBER.finditer(text):
        if own_lines is None:
            own_lines = {ln.text.strip("()（） ") for ln in lines}
        if m.group() in own_lines:
            return m.group()   # printed on a line of its own, under the title
        before = text[max(0, m.start() - 120) : m.start()]
        cited = re.findall(r"《([^《》]+)》", before)
        if cited and title and title in cited[-1] and re.search(r"印发|发布", before):
            return m.group()
    return None


def find_date(text: str, lines: list[Line]) -> str | None:
    _, date = signature(lines)
    if date:
        return date
    adopted = _adoptions(text)
    if adopted:
        return adopted[-1][0]
    for ln in lines[:8]:
        if BYLINE.search(ln.text) and len(ln) <= 60:
            d = ISO_DATE.search(ln.text) or DATE.search(ln.text)
            if d:
                return _iso(d)
    return None


def find_status(text: str, lines: list[Line], title: str | None, speaker: str | None) -> str:
    head = " ".join(ln.text for ln in lines[:4])
    if "征求意见稿" in head or "征求意见稿" in (title or "") or re.search(r"[(（](?:送审稿|草案)[)）]", head):
        return "draft"
    if re.search(r"解读", head):
        return "interpretation"
    if speaker:
        return "statement"
    if any(BYLINE.search(ln.text) for ln in lines[:8] if len(ln) <= 60) or re.search(r"^\S{0,6}[:：]", head):
        return "news"
    if title and "试行" in title:
        return "trial"
    return "in-force"


def find_validity(text: str) -> tuple[float | None, str | None]:
    m = VALIDITY.search(text)
    if m:
        years = parse_number(m.group(1))
        return years, m.group()
    m = re.search(r"有效期至[^。;\n]{2,30}", text)
    return (None, m.group()) if m else (None, None)


def find_speaker(lines: list[Line]) -> str | None:
    for ln in lines[:3]:
        m = SPEAKER.match(ln.text)
        if m:
            return ln.text
    return None
