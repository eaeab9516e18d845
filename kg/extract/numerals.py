"""Numbers as policy texts write them: Arabic ("1,000", "3.85"), Chinese ("十五", "两", "三千",
"一百二十万", "二〇二五") and percentages ("5%", "百分之七十", "0.6‰", "万分之一").

`parse_decimal` keeps the exact decimal value (269.36亿 must not become 26935999999.999996);
`parse_number` is the float view used by the segmenter (article numbers, validity years).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9,
          "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
          "柒": 7, "捌": 8, "玖": 9}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
CN_NUMERAL_CHARS = "".join([*DIGITS, *SMALL_UNITS, *BIG_UNITS])

ARABIC = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
PERCENT = re.compile(r"(百分之|千分之|万分之)(.+)$|(.+?)\s*([%％﹪‰])$")


def parse_decimal(s: str) -> Decimal | None:
    """The exact value of `s`, or None if `s` is not a well-formed number.

    Percentages are fractions ("5%" -> 0.05, "百分之七十" -> 0.7): that is the number they denote.
    Ill-formed Chinese numerals give None ("十五五" is a plan name, not a number).
    """
    s = s.strip()
    if not s:
        return None
    m = PERCENT.match(s)
    if m:
        body, per = (m.group(2), m.group(1)) if m.group(1) else (m.group(3), m.group(4))
        value = parse_decimal(body)
        if value is None:
            return None
        return value / {"千分之": 1000, "‰": 1000, "万分之": 10000}.get(per, 100)
    if ARABIC.match(s):
        try:
            return Decimal(s.replace(",", ""))
        except InvalidOperation:
            return None
    # Arabic digits with a Chinese multiplier: "2000万", "1.5亿"
    m = re.match(r"(\d+(?:\.\d+)?)([万亿千百十萬億]+)$", s)
    if m:
        mult = 1
        for ch in m.group(2):                   # 千万 = 千 x 万
            mult *= SMALL_UNITS.get(ch) or BIG_UNITS[ch]
        return Decimal(m.group(1)) * mult
    value = _chinese_int(s)
    return Decimal(value) if value is not None else None


def parse_number(s: str) -> float | None:
    """Float value of an Arabic, Chinese or percent number; None if `s` is not one."""
    value = parse_decimal(s)
    return float(value) if value is not None else None


def _chinese_int(s: str) -> int | None:
    if not s or any(ch not in CN_NUMERAL_CHARS for ch in s):
        return None
    if all(ch in DIGITS for ch in s) and (len(s) > 2 or "〇" in s or "零" in s):   # 二〇二五, 一九九八
        return int("".join(str(DIGITS[ch]) for ch in s))       # (三四 is "three or four": None)
    total, section = 0, 0          # section: the part below the current 万/亿
    last_big = 10**13
    digit: int | None = None
    last_small = 10**5
    for ch in s:
        if ch in DIGITS:
            if digit is not None and DIGITS[ch] != 0 and digit != 0:
                return None        # two digits in a row: 十五五, 三四
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if unit >= last_small:
                return None        # 百千, 十十
            section += (1 if digit is None or (digit == 0) else digit) * unit
            last_small, digit = unit, None
        else:
            unit = BIG_UNITS[ch]
            section += digit or 0
            if section == 0:
                # 万万 or a bare 万 with nothing before it
                if total == 0:
                    return None
                total *= unit      # 万亿
            elif unit >= last_big:
                total = (total + section) * unit
            else:
                total += section * unit
            last_big, section, digit, last_small = unit, 0, None, 10**5
    return total + section + (digit or 0)
