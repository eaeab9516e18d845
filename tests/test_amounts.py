"""The amount parser (kg/extract/amounts.py): hard cases, every gold amount, negatives, and
properties of money, percentages and Chinese numerals."""
from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.amounts import find_amounts, parse_number

GOLD = Path(__file__).resolve().parent / "gold"
_T2S = opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """What the parser receives: Simplified, full-width ASCII (U+FF01..FF5E, U+3000) half-width."""
    text = _T2S.convert(text)
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else " " if c == "\u3000" else c
                   for c in text)


def triples(text: str) -> list[tuple[str, float, str]]:
    return [(a.kind, round(a.value, 9), a.unit) for a in find_amounts(text)]


# --- 1. hard cases ---------------------------------------------------------------------------

HARD = [
    ("单个企业年度最高补助30万元", [("cap", 300000, "CNY")]),
    ("对完成登记备案的技术开发合同,按不超过当年实际支付金额的5%给予购买方补助,单个企业年度最高补助30万元;",
     [("rate", 0.05, "ratio"), ("cap", 300000, "CNY")]),
    ("开展学术研讨等科技合作交流活动,每年组织10-15场左右,择优给予最高10万元后补助支持。",
     [("count", 10, "item"), ("cap", 100000, "CNY")]),
    ("年度自主研发费用每满200万元给予10万元补助,最高500万元。",
     [("fixed", 100000, "CNY"), ("cap", 5000000, "CNY")]),
    ("年交易额3000万元及以下部分按1%奖励,超过部分按0.5%奖励,单个单位每年最高奖励100万元。",
     [("rate", 0.01, "ratio"), ("rate", 0.005, "ratio"), ("cap", 1000000, "CNY")]),
    ("牵头企业国拨经费配套比例从50%提高至最高1︰1,单个项目最高配套1000万元。",
     [("rate", 0.5, "ratio"), ("rate", 1.0, "ratio"), ("cap", 10000000, "CNY")]),
    ("配套比例提高至1:1", [("rate", 1.0, "ratio")]),
    ("补助额度不超过实际成交额的20%,最高补助50万元;", [("rate", 0.2, "ratio"), ("cap", 500000, "CNY")]),
    ("聘期最长3年,每年给予最高5万元工作保障经费。", [("duration", 3, "year"), ("cap", 50000, "CNY")]),
    ("还可享受最长3年的免费公寓", [("duration", 3, "year")]),
    ("三年内累计建设3~5个。", [("duration", 3, "year"), ("count", 3, "item")]),
    ("3年内累计创建具有地方特色的应用场景转化创新试验区不少于3个",
     [("duration", 3, "year"), ("count", 3, "item")]),
    ("3年内为企业引进100名以上高校院所高层次创新人才", [("duration", 3, "year"), ("count", 100, "item")]),
    ("省市两级风险补偿比例最高可达90%;", [("rate", 0.9, "ratio")]),
    ("每年统筹不少于100亿元的财政科技资金,引导专项债、基金等各类资金1000亿元支持创新实验室建设,"
     "打造超100亿元的科创风投基金群。",
     [("total", 1e10, "CNY"), ("total", 1e11, "CNY"), ("total", 1e10, "CNY")]),
    ("并处以违法所得一倍以上三倍以下的罚款;没有违法所得的,处以五万元以上十万元以下的罚款。",
     [("floor", 1.0, "ratio"), ("rate", 3.0, "ratio"), ("floor", 50000, "CNY"), ("cap", 100000, "CNY")]),
    ("可赋予成果完成人职务科技成果全部所有权或10年以上长期使用权", [("floor", 10, "year")]),
    ("单位自职务科技成果登记后无正当理由超过一年未组织实施转化的", [("duration", 1, "year")]),
    ("从开始盈利的年度起连续五年内,每年从营业利润中提取不低于百分之五的比例。",
     [("duration", 5, "year"), ("floor", 0.05, "ratio")]),
    ("从许可净收入中提取不低于百分之七十的比例", [("floor", 0.7, "ratio")]),
    ("企业年度自主研发费用高于500万元且增长率超过20%的,给予最高50万元叠加奖励。",
     [("floor", 5000000, "CNY"), ("floor", 0.2, "ratio"), ("cap", 500000, "CNY")]),
    ("完成实物工作量100万元(含)以上的,一次性给予最高50万元补助。",
     [("floor", 1000000, "CNY"), ("cap", 500000, "CNY")]),
    ("建设期满考核评估优秀的,一次性给予20万元补助。", [("fixed", 200000, "CNY")]),
    ("对新入选基地给予一次性200万元奖励;考核评估优良的分别给予不超过100万元、50万元奖励。",
     [("fixed", 2000000, "CNY"), ("cap", 1000000, "CNY"), ("cap", 500000, "CNY")]),
    ("省市两级风险补偿标准为备案贷款不良本金的70%", [("rate", 0.7, "ratio")]),
    ("每家企业纳入风险补偿的贷款余额不超过2000万元。", [("cap", 20000000, "CNY")]),
    ("企业可获得单家单次最高2000万股权直接投资", [("cap", 20000000, "CNY")]),
    ("给予最高一千万元支持", [("cap", 10000000, "CNY")]),
    ("按合同金额0.1%给予奖励", [("rate", 0.001, "ratio")]),
    ("超过部分按0.6‰给予奖励,并给予增长量万分之一的叠加奖励",
     [("rate", 0.0006, "ratio"), ("rate", 0.0001, "ratio")]),
    ("奖励比例为百分之五十至百分之七十。", [("rate", 0.5, "ratio")]),
    ("经三分之二以上成员同意", [("floor", 2 / 3, "ratio")]),
    ("给予每人每月5千元生活补贴,贷款利率不高于LPR加50个基点", [("fixed", 5000, "CNY"), ("rate", 0.005, "ratio")]),
    # PDF text puts spaces around numbers
    # the brackets of a rate's base are no sums offered; the rates and the cap are
    ("年累计在 3000 万元及以下部分按交易额的 0.5%给予奖励,每家每年奖励金额最高不超过 100 万元。",
     [("rate", 0.005, "ratio"), ("cap", 1000000, "CNY")]),
    ("年交易额500万元以下的部分按2%奖励,超过500万元的部分按1%奖励,单个机构每年最高奖励80万元。",
     [("rate", 0.02, "ratio"), ("rate", 0.01, "ratio"), ("cap", 800000, "CNY")]),
    # a condition's threshold is a floor, the grant after it a fixed sum
    ("每年完成技术合同认定登记额达到2亿元的,给予奖励5万元。", [("floor", 2e8, "CNY"), ("fixed", 50000, "CNY")]),
    # reported statistics: the sentence reports, it does not promise
    ("2023年,天津市技术合同交易额达到1957亿元,较“十三五”末增长75.8%,占地区生产总值比重位居全国前三。",
     [("stat", 1.957e11, "CNY"), ("stat", 0.758, "ratio")]),
    ("截至2023年底,省内银行机构科技型中小企业贷款余额增长17.42%,比全省银行业贷款平均增速高9.39个百分点。",
     [("stat", 0.1742, "ratio"), ("stat", 0.0939, "ratio")]),
    ("全省技术合同成交额持续保持高速增长态势,从2020年的384.5亿元增至2023年的1367.4亿元,翻了近两番。",
     [("stat", 3.845e10, "CNY"), ("stat", 1.3674e11, "CNY")]),
    ("依托行业龙头企业组建7家创新联合体,有效促进全产业链贯通。", [("stat", 7, "item")]),
    ("建设9家国家级重点实验室、6家云南实验室,打牢科技创新根基;", [("stat", 9, "item"), ("stat", 6, "item")]),
    ("从成果转化服务体系构建、赋权改革、尽职免责等七方面提出18条务实举措。", [("stat", 18, "item")]),
    # ...while the same kind of figure in a plan is a target
    ("到2027年,本市科技成果转化主体动力持续增强。全市技术合同成交额超过8000亿元;"
     "科研事业单位累计科技成果转化合同额达到1000亿元,培育技术转移机构100家以上。",
     [("floor", 8e11, "CNY"), ("total", 1e11, "CNY"), ("count", 100, "item")]),
    ("每年新增发布城市应用场景机会清单不少于20项,每年通过场景创新引进科技型企业不少于20家,"
     "力争3年内将珠海打造成为省内应用场景最丰富的城市。",
     [("count", 20, "item"), ("count", 20, "item"), ("duration", 3, "year")]),
]


@pytest.mark.parametrize("text,expected", HARD, ids=[t[:18] for t, _ in HARD])
def test_hard_cases(text, expected):
    assert triples(text) == [(k, round(float(v), 9), u) for k, v, u in expected]


def test_amount_text_is_its_span_and_stays_in_one_clause():
    for text, _ in HARD:
        for a in find_amounts(text):
            assert text[a.start:a.end] == a.text
            assert "。" not in a.text and ";" not in a.text


def test_purpose_and_recipient():
    by_text = lambda t: find_amounts(t)[0]
    a = by_text("单个企业年度最高补助30万元")
    assert (a.purpose, a.recipient, a.text) == ("补助", "单个企业", "单个企业年度最高补助30万元")
    a = by_text("运营合作机构每年可获最高500万元资助。")
    assert (a.purpose, a.recipient) == ("资助", "运营合作机构")
    a = by_text("以培养基地减免培训费用的形式进行后补助,每家培养基地每年最高50万元补助")
    assert (a.purpose, a.recipient) == ("补助", "每家培养基地")
    a = by_text("企业最高可获得1000万元信用贷款,还能享受利息补贴政策。")
    assert (a.kind, a.purpose, a.recipient) == ("cap", "信用贷款", "企业")
    a = by_text("企业可获得市科创风投基金单家单次最高2000万元股权直接投资")
    assert a.purpose == "股权直接投资"
    a = by_text("其带领的博士后可获得每年最高15万元生活补助")
    assert a.purpose == "生活补助"
    a = by_text("按不超过当年实际支付金额的5%给予购买方补助")
    assert (a.purpose, a.recipient) == ("补助", "购买方")
    a = by_text("对首次认定为山东省技术转移服务机构的单位给予最高10万元奖励")
    assert (a.purpose, a.recipient, a.text) == ("奖励", "单位", "单位给予最高10万元奖励")
    assert by_text("三年内累计建设3~5个").purpose is None


# --- 2. every gold amount is found ----------------------------------------------------------

def _gold_amounts():
    for path in sorted(GOLD.glob("*.json")) + sorted((GOLD / "extra").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for source in data["sources"]:
            for a in source.get("intro_stats", []):
                yield pytest.param(a, id=f"{path.stem[:3]}-stats-{a['text'][:10]}")
            for m in source["measures"]:
                for a in m["amounts"]:
                    yield pytest.param(a, id=f"{path.stem[:3]}-{m['n']}-{a['text'][:10]}")


@pytest.mark.parametrize("gold", list(_gold_amounts()))
def test_gold_amount_is_found(gold):
    text = simplified(gold["text"])
    found = find_amounts(text)
    same = [a for a in found if a.unit == gold["unit"] and math.isclose(a.value, gold["value"], rel_tol=1e-9)]
    assert same, f"{text}: {found}"
    # a statistic is told by its sentence ("4家合作金融机构" alone shows nothing); other kinds by
    # the words kept in the gold text
    if gold["kind"] != "stat":
        assert gold["kind"] in {a.kind for a in same}, f"{text}: {same}"


# --- 3. what only looks like an amount ------------------------------------------------------

NOT_AMOUNTS = [
    "珠海市人民政府办公室 2025年1月30日",
    "本条例自2020年1月1日起施行。",
    "厦门近三年上升31位,跃升至第72位。",
    "立足“十五五”发展新需求,较“十三五”末",
    "珠府办函〔2025〕13号",
    "服务电话 010-68703033",
    "(周一至周五8:30-17:30)",
    "聚焦“3+1”城市发展转型升级总体框架",
    "加快构建“4+4+6”现代化产业体系,共同构建“1+N”成果转化服务格局",
    "依照本条例第十五条第一款规定",
    "从六个维度构建政策体系,遴选两批试点,建设一批中试基地,建立“三张场景清单”制度",
    "正在研究制定《促进科技成果转化的十五条措施》",
    "项目期为2019-2021年",
    "应当在取得科技成果转化收入之日起六个月内进行奖励",
    "五年奖励期限满后依据其他法律法规应当继续给予奖励",
    "京ICP备2021031015号-1 地址:南路17号3号楼",
    "金湾区、斗门区5.0产业新空间,落实省委“1310”具体部署",
    "涉及几十万元的项目",
    "新增10万平方米载体,装机5千瓦,募集2000万美元",
    "应在30个工作日内完成",
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_amounts(text):
    assert find_amounts(text) == []


# --- 4. properties ----------------------------------------------------------------------------

FACTORS = {"元": 1, "万元": 10**4, "亿元": 10**8}
decimals = st.builds(lambda n, places: Decimal(n).scaleb(-places),
                     st.integers(min_value=1, max_value=10**7), st.sampled_from([0, 1, 2]))


@given(x=decimals, unit=st.sampled_from(sorted(FACTORS)))
def test_cap_money_round_trips(x, unit):
    text = f"最高{x}{unit}"
    [a] = find_amounts(text)
    assert (a.kind, a.unit, a.text) == ("cap", "CNY", text)
    assert math.isclose(a.value, float(x * FACTORS[unit]), rel_tol=1e-12)


@given(p=st.builds(lambda n, places: Decimal(n).scaleb(-places),
                   st.integers(min_value=1, max_value=10000), st.sampled_from([0, 1, 2])))
def test_floor_percent_round_trips(p):
    [a] = find_amounts(f"不低于{p}%")
    assert (a.kind, a.unit) == ("floor", "ratio")
    assert math.isclose(a.value, float(p / 100), rel_tol=1e-12)


CN_DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """1..9999 as written: 十五, 一百零五, 三千零一十, 九千九百九十九."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if (unit == "十" and d == 1 and not out) else CN_DIGITS[d]) + unit
    return out


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numerals_round_trip(n):
    assert parse_number(to_chinese(n)) == n


@pytest.mark.parametrize("s,value", [
    ("1000", 1000), ("1,000", 1000), ("3.85", 3.85), ("五", 5), ("十五", 15), ("一百", 100), ("两", 2),
    ("三千", 3000), ("一千零五", 1005), ("二十万", 200000), ("一亿五千万", 150000000), ("二〇二五", 2025),
    ("百分之七十", 0.7), ("5%", 0.05), ("0.5%", 0.005), ("2000万", 20000000), ("1.5亿", 150000000),
])
def test_parse_number(s, value):
    assert parse_number(s) == pytest.approx(value)


@pytest.mark.parametrize("s", ["", "十五五", "十三五", "万", "abc", "三四"])
def test_parse_number_rejects(s):
    assert parse_number(s) is None


@settings(max_examples=300)
@given(st.text(alphabet="0123456789.,、;。-~:︰%‰ 第年元万亿千百十一二三五两个项家以上下内最高不超过低于给予同比增长达到的",
               max_size=40))
def test_any_text_gives_ordered_consistent_spans(text):
    amounts = find_amounts(text)
    for a in amounts:
        assert text[a.start:a.end] == a.text
        assert a.unit in ("CNY", "ratio", "year", "item")
        assert a.kind in ("cap", "fixed", "floor", "rate", "total", "duration", "count", "stat")
    starts = [a.start for a in amounts]
    assert starts == sorted(starts)
