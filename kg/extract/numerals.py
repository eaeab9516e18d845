"""Placeholder replaced by the amount parser's numerals (kept tiny until then)."""
from __future__ import annotations

_D = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_U = {"十": 10, "百": 100, "千": 1000}


def parse_number(s: str) -> float | None:
    s = s.strip()
    if not s:
        return None
    try:
        return float(s.replace(",", ""))
    except ValueError:
        pass
    total, cur = 0, 0
    for ch in s:
        if ch in _D:
            cur = _D[ch]
        elif ch in _U:
            total += (cur or 1) * _U[ch]
            cur = 0
        else:
            return None
    return float(total + cur)
