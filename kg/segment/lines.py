"""Lines of a normalized text with their offsets: the unit the segmenter reasons about."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    start: int      # offset of the first non-blank character
    end: int        # offset after the last non-blank character
    text: str       # the stripped line

    def __len__(self) -> int:
        return len(self.text)


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    """Non-empty lines of text[start:end], stripped, with their offsets in `text`.
    Markdown heading marks (#) are dropped, since regulations are often published as Markdown."""
    end = len(text) if end is None else end
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        raw = text[pos:stop]
        stripped = raw.strip()
        if stripped.startswith("#"):
            stripped = stripped.lstrip("#").strip()
        if stripped and not stripped.startswith("<!--"):
            lead = raw.find(stripped[0])
            out.append(Line(pos + lead, pos + lead + len(stripped), stripped))
        pos = stop + 1
    return out
