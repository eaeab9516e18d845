"""Amounts in a measure's text: money, rates, durations and counts, each with its kind
(tests/gold/GUIDE.md): cap | fixed | floor | rate | total | duration | count | stat.

The text given is already normalized (Simplified, half-width ASCII). The parser works in
three steps:

1. find numbers followed by a unit (万元, %, 倍, 年, 项 ...) or written as 百分之七十 / 三分之二
   / 1:1, and drop what only looks like an amount (dates, ordinals, document numbers, phone
   numbers, clock times, "3+1" lists);
2. read the cue words around each number inside its clause (最高, 不低于, 以上, 年内 ...);
3. read the sentence to tell a reported statistic (达到, 同比增长, 截至 ...) from a promise
   (给予, 最高, 不少于, 力争, 每年 ...).

Values are normalized: CNY, fractions (5% -> 0.05, 9.39个百分点 -> 0.0939), years, items.
Decisions the gold does not settle, kept consistent here:
- a range (10-15场, 百分之五十至百分之七十) is recorded by its lower bound;
- a ratio a:b is b/a (1:1 -> 1.0, 1:0.5 配套 -> 0.5), as the share matched per unit of the base;
- 每满200万元给予10万元: the step (200万) is not an amount, the grant per step is `fixed`;
- the threshold of a condition (高于200万元, 达到2亿元的, 100万元(含)以上) is a `floor`;
- rates stay `rate` under 最高 / 不超过 / 以下 (三倍以下); only a minimum makes them `floor`;
- durations need a cue (3年内, 最长3年, 连续五年, 有效期3年); months and days are not amounts;
- counts in Chinese numerals (一批, 两大, 六个维度) are amounts only with a cue (不少于三个);
- sums in other currencies (万美元) and other units (万平方米, 千瓦) are not CNY amounts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kg.extract.numerals import CN_NUMERAL_CHARS, parse_decimal, parse_number
from kg.model import Amount

__all__ = ["find_amounts", "parse_number"]

# --- step 1: numbers with a unit --------------------------------------------------------

_CN = f"[{CN_NUMERAL_CHARS}]+"
_AR = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
NUM = rf"(?:{_AR}|{_CN})"
MULT = r"(?:万亿|千万|百万|十万|万|亿|千)"
# Counts: the measure words of people, firms, projects, events; with what must not follow
# (个月 is a duration in months, 场景 a scenario, 条例 a regulation, 所得 an income ...).
COUNT = (r"人次|个(?!月|工作日|小时|百分点|基点|方面|维度|领域|层面)|项|家(?!庭|属)|名(?!称|单|义)"
         r"|场(?!景|所|地)|张|份(?!额)|期(?!限|间)|户|人(?!民|员)|所(?!得|有|需|在|属|以)|批"
         r"|条(?!例|件|款)|件")
AMOUNT = re.compile(
    rf"(?:(?P<pre>百分之|千分之|万分之)|(?P<den>{NUM})分之)?(?P<n1>{NUM})"      # 百分之七十, 三分之二
    rf"(?:\s*(?P<sep>[-~—–至到])\s*(?:百分之)?(?P<n2>{NUM}))?"
    rf"(?P<approx1>余|多)?(?: ?(?P<mult>{MULT}))?(?P<approx2>余|多)?"     # PDF text: "3000 万元"
    rf"(?: ?(?P<unit>[%﹪‰]|个百分点|个基点|倍|元|年(?!度|级|代|月|底|末|初)|{COUNT}))?")
# unit as written -> (divisor, normalized unit); every other unit is a count ("item")
UNITS = {"%": (100, "ratio"), "﹪": (100, "ratio"), "‰": (1000, "ratio"), "倍": (1, "ratio"),
         "个百分点": (100, "ratio"), "个基点": (10000, "ratio"), "元": (1, "CNY"), "年": (1, "year")}
RATIO = re.compile(r"(?<![\d.:])(\d+(?:\.\d+)?)\s*[:︰∶]\s*(\d+(?:\.\d+)?)(?![\d:])")
TIME_RANGE = re.compile(r"\d{1,2}:\d{2}\s*[-~—至到]\s*\d{1,2}:\d{2}")
# A bare 2000万 is money unless another unit follows (万人, 万亩, 万美元 ...).
BARE_MULT_BLOCK = re.compile(r"[人口亩吨斤平方米千瓦度时台套辆头只株册字级倍美欧港日英韩澳卢次位分]")

# --- step 2: cues inside the clause ------------------------------------------------------

CLAUSE_END = re.compile(r"[,;。!?:\n]")
SENTENCE_END = re.compile(r"[。!?]")
# A maximum; the words between cue and number are the verb or noun of the sum (最高补助30万元,
# 最高可获250万元), or the base of a percentage (不超过当年实际支付金额的5%).
CAP_BEFORE = re.compile(r"(?:最高|最多|不超过|不高于|至多|上限为?|封顶)(?:[^\d,;。、]{0,12}的|[^\d,;。、]{0,8})$")
# A minimum cue must touch the number (or its base ...的): "超过部分按0.5%" is not a floor.
FLOOR_BEFORE = re.compile(r"(?:不少于|不低于|至少|(?<!不)(?:超过|高于|大于|多于|超))(?:[^\d,;。、]{0,12}的)?$")
AFTER = re.compile(r"\s*(?:\(含\))?\s*(?P<cue>及以上|以上|及以下|以下|以内|之内|左右|内)")
STEP_BEFORE = re.compile(r"每满$")   # 每满200万元给予10万元: the step of a rate, not an amount
# 3000万元及以下部分按1%, 超过3000万元的部分按0.5%: the bracket of a rate's base, not a sum offered
BRACKET_AFTER = re.compile(r"\s*的?部分")
DUR_BEFORE = re.compile(r"(?:最长|最多|连续|超过|为期|有效期为?|期限为?|聘期|满|不超过|不少于|不低于|至少|长达"
                        r"|期限?|期[^\d,;。]{0,3}为)$")
DUR_AFTER = re.compile(r"(?:\(含\))?(?:以内|之内|内|及以上|以上|期(?!间)|累计)")
# Budgets and funds (统筹100亿元, 打造超100亿元的基金群) are totals, not grants.
TOTAL_BEFORE = re.compile(r"(?:统筹|安排|设立|筹集|募集|引导|带动|撬动|总规模|规模|总额|总量|投入)[^,;。]{0,12}$")
TOTAL_AFTER = re.compile(r"(?:的)?[^\d,;。、]{0,8}?(?:基金群?|资金池|资金|预算)(?![补奖支资])")
GRANT = re.compile(r"给予|奖励|补助|获得|可获|享受|资助")
# Chinese-numeral counts are words far more often than amounts (一批, 两大, 六个维度, 三张清单):
# only with a quantity cue they count.
CN_COUNT_CUE = re.compile(r"(?:不少于|不低于|至少|超过)$")
LOCAL_STAT = re.compile(r"(?:同比增长|同比下降|同比|增长|下降|达到|达|突破|增至|共有|共计)$")
# 几十万元, 数百家: vague magnitudes, not amounts
VAGUE_BEFORE = re.compile(r"(?:几|数|(?<![以之])上)$")

# --- step 3: statistic or promise --------------------------------------------------------

STAT_SENTENCE = re.compile(
    r"近年来|近几年|截至|截止|同比|较上年|比上年|较[^,;。]{0,8}末|增长|下降|增至|突破|平均|共有|共计|累计"
    r"|位居|翻了|已经|已[\u4e00-\u9fff]{0,4}(?:建|达|形成|汇聚|累计|获)|达到?\s?(?=\d)|占全[国省市]|居全[国省市球]|首位"
    r"|(?<!\d)20\d\d年(?:底|末)?[,,]|以来|(?:出台|提出|形成|发布|建成|举办|取得)了")
PROMISE_SENTENCE = re.compile(
    r"给予|补助|奖励|奖补|补贴|资助|贴息|补偿|最高|不超过|不高于|不少于|不低于|至少|力争|争取"
    r"|到20\d\d年|20\d\d年前|每年|年内|可获|享受|予以|处以|罚款|提取|应当|可以")
TARGET = re.compile(r"力争|争取|每年|年内|到20\d\d年|20\d\d年前|目标是|目标为|确保")
# where a sentence is silent: the verb of the clause, then any clear grant in the whole text
COUNT_PROMISE_VERB = re.compile(r"支持|鼓励|计划|拟|新建|新增")
TEXT_PROMISE = re.compile(r"给予|补助|奖励|资助|最高|不超过|不少于|不低于|力争|争取|到20\d\d年|年内")
# a plan's target year governs the sentences after it (到2027年,...。全市技术合同成交额超过8000亿元)
PLAN = re.compile(r"力争|争取|到20\d\d年|20\d\d年前|目标是|目标为|确保")

# --- purpose and recipient -----------------------------------------------------------------

PURPOSE_HEAD = r"(?:补助|奖励|奖补|补贴|资助|支持|经费|贷款|投资|贴息|补偿|配套|罚款|奖金|资金)"
# 最高50万元补助 / 1%的补助 / 10%的比例给予后补助 / 5%给予购买方补助 (recipient 购买方)
PURPOSE_AFTER = re.compile(
    rf"(?:的)?(?:比例)?(?:(?:给予|予以)(?P<r>(?:(?!{PURPOSE_HEAD})[^\d,;。、()]){{2,8}}?(?={PURPOSE_HEAD}))?|用于)?"
    rf"(?P<p>(?:(?!给予|予以|用于)[^\d,;。、()]){{0,8}}{PURPOSE_HEAD})")
# before the number only the verbs of a grant (最高补助30万元, 贴息最高50万元)
PURPOSE_BEFORE = re.compile(r"(?:补助|奖励|奖补|补贴|资助|贴息|配套|支持)(?=[^\d,;。、]{0,3}$)")
RECIPIENT_EACH = re.compile(
    r"(?:单个|每个|每家|单家|每名|每人|每位|每所|每项|单项|每户)[\u4e00-\u9fff]{0,6}?"
    r"(?=年度|每年|每人|年|单次|最高|最多|可|给予|一次性|贴息|奖励|补助|资助|不超过)")
RECIPIENT_SUBJECT = re.compile(r"^(?:对|经认定的)?(?P<r>[\u4e00-\u9fff]{2,12}?)(?:每年|最高|单家单次最高)?可(?:获得?|享受)")
RECIPIENT_TO = re.compile(r"(?:对|向)(?P<r>[^\d,;。]{2,30}?)的?(?:给予|可获)")
RECIPIENT_GIVEN = re.compile(r"给予(?!一次性)(?P<r>[^\d,;。]{2,12}?)(?=不超过|最高|不低于|一次性|每年)(?<![额费金入])")
NOT_RECIPIENT = re.compile(r"累计|每年|连续|还|也|并|均|即|同时")
LEAD_VERB = re.compile(r"(?:(?:择优|一次性)?给予(?:一次性)?(?:奖励|补助|资助|补贴)?|可获得?|享受)$")


@dataclass
class _Hit:
    start: int
    end: int
    value: Decimal
    unit: str                  # CNY | ratio | year | item
    chinese: bool = False      # written in Chinese numerals
    ranged: bool = False       # 10-15场


def find_amounts(text: str) -> list[Amount]:
    """Every amount stated in `text` (a measure or a sentence), in reading order."""
    hits = _merge_ranges(text, _drop_overlaps(list(_numbers(text)) + list(_ratios(text))))
    amounts: list[Amount] = []
    prev: tuple[_Hit, Amount] | None = None
    for i, hit in enumerate(hits):
        since = hits[i - 1].end if i else 0
        until = hits[i + 1].start if i + 1 < len(hits) else len(text)
        amount = _classify(text, hit, since, until, prev)
        if amount is not None:
            amounts.append(amount)
            prev = (hit, amount)
    return amounts


# --- step 1 --------------------------------------------------------------------------------

def _numbers(text: str):
    for m in AMOUNT.finditer(text):
        n1, unit, mult = m.group("n1"), m.group("unit"), m.group("mult")
        chinese = not n1[0].isdigit()
        if chinese and not re.search("[一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾〇零]", n1):
            continue                        # 万元, 千万: multipliers without a number
        fraction = m.group("pre") or m.group("den")
        if chinese and (mult or not fraction and unit is None):
            continue
        start = m.start()
        if _is_part_of_other_token(text, start, m.end(), chinese):
            continue
        if fraction:
            if unit or mult:
                continue
            value = parse_decimal(m.group("pre") + n1) if m.group("pre") else _fraction(m.group("den"), n1)
            if value is not None:
                yield _Hit(start, m.end(), value, "ratio", chinese, m.group("sep") is not None)
            continue
        if unit is None:
            if not mult or "千" == mult or chinese or BARE_MULT_BLOCK.match(text, m.end()):
                continue
            unit = "元"
        value = parse_decimal(n1)
        if value is None:
            continue
        if mult:
            value *= parse_decimal("1" + mult)
        ranged = m.group("sep") is not None
        if ranged and parse_decimal(m.group("n2")) is None:
            continue
        scale, kind_of_unit = UNITS.get(unit, (1, "item"))
        hit = _Hit(start, m.end(), value / scale, kind_of_unit, chinese, ranged)
        if hit.unit == "year" and (_is_calendar_year(n1) or _is_calendar_year(m.group("n2") or "")):
            continue                        # 2025年, 2019-2021年 are dates
        yield hit


def _fraction(den: str, num: str) -> Decimal | None:
    d, n = parse_decimal(den), parse_decimal(num)
    return n / d if d and n is not None else None


def _is_calendar_year(n: str) -> bool:
    value = parse_decimal(n) if n else None
    return value is not None and 1900 <= value <= 2100 and value == int(value)


def _is_part_of_other_token(text: str, start: int, end: int, chinese: bool) -> bool:
    """Ordinals (第72位, 第十五条), codes (ICP备2021031015号), "3+1" lists, version numbers."""
    before = text[max(0, start - 1):start] if chinese else text[:start].rstrip(" ")[-1:]
    if before == "第" or before == "+" or text[end:end + 1] == "+":
        return True
    if not chinese and before.isascii() and (before.isalnum() or before == "."):
        return True
    return chinese and before != "" and before in "周星礼初"      # 周一, 初五 are days


def _ratios(text: str):
    for m in RATIO.finditer(text):
        left, right = Decimal(m.group(1)), Decimal(m.group(2))
        if left == 0 or right == 0:
            continue
        around = text[max(0, m.start() - 1):m.end() + 1]
        in_time_range = any(t.start() <= m.start() < t.end() for t in TIME_RANGE.finditer(
            text, max(0, m.start() - 8), min(len(text), m.end() + 8)))
        looks_like_clock = len(m.group(2)) == 2 and left <= 24 and "." not in m.group(0)
        ratio_cue = re.search(r"(?:比例|比|按|配套|至|为|达)$", text[max(0, m.start() - 6):m.start()])
        if in_time_range or around.startswith("-") or (looks_like_clock and not ratio_cue):
            continue
        # 1:0.5 配套 means 0.5 of the base: the value is right over left (1:1 -> 1.0)
        yield _Hit(m.start(), m.end(), right / left, "ratio")


def _drop_overlaps(hits: list[_Hit]) -> list[_Hit]:
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def _merge_ranges(text: str, hits: list[_Hit]) -> list[_Hit]:
    """10%-20% or 50万元至100万元: one amount, recorded by its lower bound."""
    out: list[_Hit] = []
    for hit in hits:
        if (out and out[-1].unit == hit.unit and text[out[-1].end:hit.start].strip() in ("-", "~", "—", "–", "至", "到")
                and hit.start > out[-1].end):
            low = out[-1]
            out[-1] = _Hit(low.start, hit.end, min(low.value, hit.value), low.unit, low.chinese, True)
            continue
        out.append(hit)
    return out


# --- steps 2 and 3 -------------------------------------------------------------------------

def _bounds(text: str, start: int, end: int, pattern: re.Pattern) -> tuple[int, int]:
    """The clause or sentence around text[start:end] (which may hold "1:1" or "1,000")."""
    while start > 0 and not pattern.match(text, start - 1):
        start -= 1
    m = pattern.search(text, end)
    return start, (m.start() if m else len(text))


@dataclass
class _Context:
    """What the words around one number say."""
    clause_start: int
    clause_end: int
    before: str                 # the clause before the number, after any previous number
    sentence: str
    after: str                  # 以上, 以下, 以内, 左右 or 内 right after the unit
    cap: re.Match | None        # 最高, 不超过 ... before the number
    floor: re.Match | None      # 不低于, 超过 ... before the number
    promise: bool               # the sentence grants or sets a target
    stat: bool                  # the sentence reports, and promises nothing
    plan: bool                  # the sentence (or the one before) sets a target year
    condition: bool             # 达到2亿元的, : the amount closes a condition


def _context(text: str, hit: _Hit, since: int, until: int) -> _Context:
    clause_start, clause_end = _bounds(text, hit.start, hit.end, CLAUSE_END)
    sent_start, sent_end = _bounds(text, hit.start, hit.end, SENTENCE_END)
    condition = re.fullmatch(r"\s*(?:\(含\))?\s*(?:及以上|以上)?的", text[hit.end:clause_end]) is not None
    clause_start, clause_end = max(clause_start, since), min(clause_end, until)
    before = text[clause_start:hit.start].rstrip(" ")
    sentence = text[sent_start:sent_end]
    after = AFTER.match(text, hit.end, clause_end)
    plan = bool(PLAN.search(sentence) or _plan_before(text, sent_start))
    promise = bool(PROMISE_SENTENCE.search(sentence) or TARGET.search(sentence)) or plan
    return _Context(clause_start, clause_end, before, sentence, after.group("cue") if after else "",
                    CAP_BEFORE.search(before), FLOOR_BEFORE.search(before), promise,
                    bool(STAT_SENTENCE.search(sentence)) and not promise, plan, condition)


def _classify(text: str, hit: _Hit, since: int, until: int,
              prev: tuple[_Hit, Amount] | None) -> Amount | None:
    """The Amount of one number, from the cues of its clause (after the previous number and
    before the next one) and of its sentence; None if the number is no amount after all."""
    ctx = _context(text, hit, since, until)
    if STEP_BEFORE.search(ctx.before) or VAGUE_BEFORE.search(ctx.before):
        return None
    end = AFTER.match(text, hit.end, ctx.clause_end).end() if ctx.after and hit.unit != "year" else hit.end
    if hit.unit == "CNY" and BRACKET_AFTER.match(text, end, ctx.clause_end):
        return None
    if hit.unit == "year":
        found = _year_kind(text, hit, ctx)
        if found is None:
            return None
        kind, cue, end = found
    elif hit.unit == "item":
        kind, cue = _count_kind(text, hit, ctx)
        if kind is None:
            return None
    elif hit.unit == "ratio":
        kind, cue = _ratio_kind(ctx)
    else:
        kind, cue = _money_kind(text, end, ctx)

    # 不超过100万元、50万元: the second sum shares the cue of the first
    if (prev and cue is None and text[prev[0].end:hit.start].strip() in ("、", "或", "和")
            and prev[0].unit == hit.unit and "stat" not in (kind, prev[1].kind)):
        kind = prev[1].kind
    if kind == "stat" and cue is None:
        cue = LOCAL_STAT.search(ctx.before)
    start = ctx.clause_start + cue.start() if cue else hit.start

    purpose = recipient = None
    if hit.unit in ("CNY", "ratio") and kind != "stat":
        purpose, recipient, end = _purpose(text, ctx.before, end, ctx.clause_end)
        found_recipient, r_start = _recipient(ctx.before, ctx.clause_start)
        recipient = recipient or found_recipient
        if r_start is not None:
            start = min(start, r_start)
    if kind in ("cap", "fixed", "floor", "total"):
        lead = LEAD_VERB.search(text, ctx.clause_start, start)     # keep 一次性给予 with its sum
        start = lead.start() if lead else start
    return Amount(text[start:end], kind, float(hit.value), hit.unit, start, end, purpose, recipient)


def _year_kind(text: str, hit: _Hit, ctx: _Context) -> tuple[str, re.Match | None, int] | None:
    """3年内, 聘期最长3年, 超过一年 are durations; 10年以上 a floor; 五年奖励期限 (no cue) nothing."""
    cue = DUR_BEFORE.search(ctx.before)
    dur_after = DUR_AFTER.match(text, hit.end, ctx.clause_end)
    if not cue and not dur_after:
        return None
    end = dur_after.end() if dur_after and dur_after.group().endswith(("内", "上")) else hit.end
    is_floor = ctx.after in ("以上", "及以上") or (cue is not None and cue.group() in ("不少于", "不低于", "至少"))
    return ("floor" if is_floor else "duration"), cue, end


def _count_kind(text: str, hit: _Hit, ctx: _Context) -> tuple[str | None, re.Match | None]:
    cue = CN_COUNT_CUE.search(ctx.before) or ctx.floor
    local_target = cue is not None or ctx.after in ("以上", "及以上")
    if hit.chinese and not (local_target or hit.ranged):
        return None, None
    if local_target or hit.ranged or _count_is_target(text, hit, ctx):
        return "count", cue
    return "stat", cue


def _ratio_kind(ctx: _Context) -> tuple[str, re.Match | None]:
    """Rates stay rates with 最高 / 不超过 / 以下 (最高90%, 三倍以下); only a minimum makes a floor."""
    if ctx.stat:
        kind = "stat"
    elif ctx.floor or ctx.after in ("以上", "及以上") or ctx.condition:
        kind = "floor"
    else:
        kind = "rate"
    return kind, ctx.floor or ctx.cap


def _money_kind(text: str, end: int, ctx: _Context) -> tuple[str, re.Match | None]:
    reached = LOCAL_STAT.search(ctx.before)            # 达到2亿元, 增至1800亿元
    is_total = ((TOTAL_BEFORE.search(ctx.before) or TOTAL_AFTER.match(text, end, ctx.clause_end))
                and not GRANT.search(ctx.before))
    if ctx.stat:
        return "stat", None
    if ctx.cap or ctx.after in ("以下", "及以下", "以内"):
        return "cap", ctx.cap
    if is_total or (ctx.plan and reached and not ctx.floor):
        return "total", ctx.floor           # 每年统筹不少于100亿元; 力争...成交额达到500亿元
    if ctx.floor or ctx.after in ("以上", "及以上") or ctx.condition or reached:
        return "floor", ctx.floor or reached   # 高于200万元; 达到2亿元的, (a threshold)
    return "fixed", None


def _count_is_target(text: str, hit: _Hit, ctx: _Context) -> bool:
    """A number of things (建设45家, 组建7家) is a target or a reported figure: the nearest
    context that says which decides (sentence, the verb of its clause, paragraph, whole text)."""
    if ctx.promise:
        return True
    if STAT_SENTENCE.search(ctx.sentence):
        return False
    if COUNT_PROMISE_VERB.search(ctx.before):
        return True
    para_start = text.rfind("\n", 0, hit.start) + 1
    para_end = text.find("\n", hit.end)
    if STAT_SENTENCE.search(text[para_start:para_end if para_end >= 0 else len(text)]):
        return False
    return bool(TEXT_PROMISE.search(text))


def _plan_before(text: str, sent_start: int) -> re.Match | None:
    """A target year or 力争 opening the previous sentence of the same paragraph."""
    if sent_start == 0 or text[sent_start:sent_start + 1] == "\n":
        return None                         # a new paragraph
    prev_start, _ = _bounds(text, sent_start - 1, sent_start - 1, SENTENCE_END)
    return PLAN.match(text[prev_start:sent_start].rsplit("\n", 1)[-1].lstrip())


def _purpose(text: str, before: str, end: int, clause_end: int) -> tuple[str | None, str | None, int]:
    """(purpose, recipient, new end): what the sum is for, from the noun after it (最高50万元补助,
    5%给予购买方补助) or the verb before it (最高补助30万元)."""
    m = PURPOSE_AFTER.match(text, end, clause_end)
    if m:
        return m.group("p"), m.group("r"), m.end()
    m = PURPOSE_BEFORE.search(before)
    return (m.group() if m else None), None, end


def _recipient(before: str, offset: int) -> tuple[str | None, int | None]:
    """Who receives it, when the clause names it simply (单个企业, 每家培养基地, 运营合作机构)."""
    m = RECIPIENT_EACH.search(before)
    if m:
        return m.group(), offset + m.start()
    m = RECIPIENT_SUBJECT.search(before)
    if m and not NOT_RECIPIENT.match(m.group("r")):
        return m.group("r"), offset + m.start("r")
    m = RECIPIENT_GIVEN.search(before)
    if m:
        return m.group("r"), None
    m = RECIPIENT_TO.search(before)
    if m:       # 对首次认定为山东省技术转移服务机构的单位给予 -> 单位
        r = re.split("[的为]", m.group("r"))[-1]
        if 2 <= len(r) <= 12:
            return r, offset + m.end("r") - len(r)
    return None, None
