"""Responsible units (责任单位 / 牵头单位 lists) of a measure, as printed."""
from __future__ import annotations

import re

# (责任单位:市科技局、市财政局,各区政府(管委会)): one level of nested brackets inside the list
UNIT_LIST = re.compile(r"[(（〔\[]\s*(?:责任单位|牵头单位|责任部门|牵头部门|配合单位)\s*[:：]\s*"
                       r"((?:[^()（）〔〕\[\]]|[(（][^()（）]*[)）])+)[)）〕\]]")
TAIL = re.compile(r"(?:等各有关单位|等有关单位|等相关单位|等单位|等部门|等)$")


def find_units(text: str) -> list[tuple[str, int, int]]:
    """(unit, start, end) for every unit named in a responsibility list of `text`."""
    out = []
    for m in UNIT_LIST.finditer(text):
        pos = m.start(1)
        for piece in re.split(r"([、,;，；])", m.group(1)):
            name = TAIL.sub("", piece.strip())
            if name and piece not in "、,;，；":
                start = text.find(name, pos)
                out.append((name, start, start + len(name)))
            pos += len(piece)
    return out
