"""A PDF with a text layer -> text, one paragraph a line.

A PDF holds visual lines, not paragraphs: a measure wraps over several lines and runs on across
page breaks, and every page repeats a running head and a page number. pdfplumber gives the lines
with their positions; here the running heads and page numbers are dropped, and wrapped lines are
joined back into paragraphs (a line that reaches the right margin goes on in the next line unless
that one is indented, set apart or starts a new numbered item), across page breaks too.
"""
from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass

from kg.errors import PolicyKGError

# "— 3 —", "- 3 -", "3", "第 3 页 共 12 页", "3 / 12", "Page 3 of 12"
PAGE_NUMBER = re.compile(
    r"^[\s\-—–―_·•]*(?:\d{1,4}|[ivxlcdm]{1,6})[\s\-—–―_·•]*$|"
    r"^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$|^共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页$|"
    r"^\d{1,4}\s*/\s*\d{1,4}$|^(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE)
# A line opening a numbered item, a part or an enumeration (一是…): it starts a paragraph.
ITEM_START = re.compile(r"^(?:\d{1,3}\s*[.．、](?!\d)|[一二三四五六七八九十]+[、是]|[(（][一二三四五六七八九十\d]+[)）]|"
                        r"第[一二三四五六七八九十百\d]+[条章节])")
SENTENCE_END = "。！？；：!?;:」』”）)"
MARGIN_ZONE = 0.15      # share of the page height where running heads and page numbers sit
EDGE_LINES = 2          # how many lines at each end of a page may be a running head or footer


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int


def _page_lines(page, index: int) -> list[_Line]:
    lines = []
    for row in page.extract_text_lines(strip=True, return_chars=True):
        text = row["text"]
        if not text.strip():
            continue
        sizes = [c.get("size", 0) for c in row["chars"] if c.get("text", " ").strip()]
        size = statistics.median(sizes) if sizes else 10.0
        lines.append(_Line(text, row["x0"], row["x1"], row["top"], row["bottom"], size, index))
    return lines


def _signature(text: str) -> str:
    """A running head with its page number masked: 'XX市人民政府公报 2025年第3期 — 7 —' recurs."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_running_heads(pages: list[list[_Line]], heights: list[float]) -> list[list[_Line]]:
    """Remove page numbers and lines repeated at the top or bottom of most pages."""
    def edge(lines: list[_Line], height: float) -> list[_Line]:
        top = [ln for ln in lines[:EDGE_LINES] if ln.bottom <= height * MARGIN_ZONE]
        bottom = [ln for ln in lines[-EDGE_LINES:] if ln.top >= height * (1 - MARGIN_ZONE)]
        return top + [ln for ln in bottom if ln not in top]

    counts: dict[str, int] = {}
    for lines, height in zip(pages, heights):
        for sig in {_signature(ln.text) for ln in edge(lines, height)}:
            counts[sig] = counts.get(sig, 0) + 1
    repeated = {sig for sig, n in counts.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    kept = []
    for lines, height in zip(pages, heights):
        drop = {id(ln) for ln in edge(lines, height)
                if PAGE_NUMBER.match(ln.text.strip()) or _signature(ln.text) in repeated}
        kept.append([ln for ln in lines if id(ln) not in drop])
    return kept


def _edges(lines: list[_Line]) -> tuple[float, float]:
    """Left margin (the most common line start) and right margin (where full lines end)."""
    if not lines:
        return 0.0, 0.0
    starts = [round(ln.x0) for ln in lines]
    left = min(statistics.multimode(starts))
    ends = sorted(ln.x1 for ln in lines)
    right = ends[int(0.9 * (len(ends) - 1))]
    return float(left), right


# Line breaking never leaves an opening mark at a line end nor a closing one at a line start,
# keeps quotation marks with both neighbours (UAX #14, class QU) and does not split a number or a
# Latin word; so a line may stop short because what follows is wider than one character.
OPENING = "《（(〔【「『[<"
CLOSING = "，。、；：！？》）)〕】」』…—,.;:!?]>%"
QUOTES = "“”‘’\"'"


def _first_unit(text: str) -> float:
    """Width in ems of the unbreakable start of a line."""
    i, width, n = 0, 0.0, len(text)

    def base(i: int) -> tuple[int, float]:
        if i < n and text[i].isascii() and text[i].isalnum():
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] in ".,-"):
                j += 1
            return j, 0.6 * (j - i)
        return (i + 1, 1.0) if i < n else (i, 0.0)

    while i < n and (text[i] in OPENING or text[i] in QUOTES):
        i, width = i + 1, width + 1
    i, w = base(i)
    width += w
    while i < n and (text[i] in CLOSING or text[i] in QUOTES):
        quote = text[i] in QUOTES
        i, width = i + 1, width + 1
        if quote and i < n and text[i] not in CLOSING + QUOTES:
            i, w = base(i)
            width += w
    return width


def _continues(prev: _Line, line: _Line, margins: dict[int, tuple[float, float]], pitch: float) -> bool:
    """Does `line` go on with the paragraph that `prev` ends?"""
    _, right = margins[prev.page]
    left, _ = margins[line.page]
    em = max(prev.size, line.size, 1.0)
    text = line.text.lstrip()
    if right - prev.x1 > (_first_unit(text) + 0.5) * em:   # the next words would have fitted
        return False
    if line.x0 - left > 0.8 * em:                   # an indented first line
        return False
    if line.page == prev.page and line.top - prev.top > 1.4 * pitch:   # space between paragraphs
        return False
    if prev.text.rstrip()[-1:] in SENTENCE_END and ITEM_START.match(text):
        return False
    return True


def _join(prev: str, nxt: str) -> str:
    """Wrapped lines of Chinese join without a space; words of Latin script keep one."""
    a, b = prev[-1:], nxt[:1]
    if a.isascii() and a.isalnum() and b.isascii() and b.isalnum() and not (a.isdigit() and b.isdigit()):
        return prev + " " + nxt
    return prev + nxt


def paragraphs(pages: list[list[_Line]]) -> list[str]:
    """The paragraphs of the body lines of every page, in reading order."""
    margins = {lines[0].page: _edges(lines) for lines in pages if lines}
    steps = [b.top - a.top for lines in pages for a, b in zip(lines, lines[1:]) if b.top > a.top]
    pitch = statistics.median(steps) if steps else 14.0
    out: list[str] = []
    prev: _Line | None = None
    for lines in pages:
        for line in lines:
            text = line.text.strip()
            if prev is not None and out and _continues(prev, line, margins, pitch):
                out[-1] = _join(out[-1], text)
            else:
                out.append(text)
            prev = line
    return out


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pdf_to_text(data: bytes, path: object = None) -> tuple[str, dict]:
    """(text, metadata) of a PDF's text layer. Raises PolicyKGError for scans and broken files."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_lines(p, i) for i, p in enumerate(pdf.pages, 1)]
            heights = [float(p.height) for p in pdf.pages]
            info = dict(pdf.metadata or {})
    except PdfminerException as err:
        reason = str(err)
        if re.search(r"password|encrypt", reason, re.IGNORECASE):
            raise PolicyKGError("the PDF is encrypted; save an unprotected copy", path) from None
        raise PolicyKGError(f"not a readable PDF ({_one_line(reason)})", path) from None
    except Exception as err:   # noqa: BLE001  a damaged PDF fails anywhere inside pdfminer
        raise PolicyKGError(f"not a readable PDF ({err.__class__.__name__})", path) from None
    if not any(pages):
        raise PolicyKGError("the PDF has no text layer (a scan?); run OCR first, e.g. ocrmypdf", path)
    body = _drop_running_heads(pages, heights)
    paras = paragraphs(body)
    text = "\n".join(paras) + "\n"
    meta = {"format": "pdf", "pages": len(pages)}
    for key, name in (("Title", "title"), ("Author", "author"), ("CreationDate", "created")):
        value = info.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "ignore")
        if value and str(value).strip():
            meta[name] = str(value).strip()
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})", meta.get("created", ""))
    if m:   # PDF dates read D:YYYYMMDDHHmmSS
        meta["created"] = "-".join(m.groups())
    return text, meta
