"""A saved web page -> its main text, with the page's title and date as metadata.

trafilatura finds the article among the page chrome (login bar, breadcrumbs, share widgets,
footer); headings and paragraphs come out one a line, which is what the segmenter reads. The
title is put back as the first line when the extractor kept it only as metadata, so the text
reads as the page does.
"""
from __future__ import annotations

import re

from kg.errors import PolicyKGError
from kg.ingest.decode import decode_bytes

# <meta charset="gbk"> or <meta http-equiv="Content-Type" content="text/html; charset=gb2312">
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
# Chinese government sites declare gb2312 but write characters outside it.
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}


def decode_html(data: bytes, path: object = None) -> tuple[str, str]:
    """The page as text: the charset it declares when that decodes, else the detected one."""
    m = _DECLARED_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii", "ignore").lower()
        declared = _WIDER.get(declared, declared)
        try:
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, path)


def html_to_text(page: str, path: object = None) -> tuple[str, dict]:
    """(main text, metadata) of an HTML page. Raises PolicyKGError when no text is found."""
    import trafilatura

    found = trafilatura.bare_extraction(
        page, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, include_links=False, deduplicate=False, favor_recall=True,
        date_extraction_params={"extensive_search": False, "original_date": True})
    text = (found.text if found is not None else "") or ""
    if not text.strip():
        # No article-like block (a bare page of paragraphs): take all the visible text and
        # let the chrome filter of kg.ingest.chrome drop the furniture.
        text = trafilatura.html2txt(page) or ""
    if not text.strip():
        raise PolicyKGError("no text found in the HTML page", path)
    meta = {"format": "html"}
    if found is not None:
        for key in ("title", "date", "sitename", "author", "url", "description"):
            value = getattr(found, key, None)
            if value:
                meta[key] = str(value).strip()
    text = _with_title(text.strip() + "\n", meta.get("title"))
    return text, meta


def _with_title(text: str, title: str | None) -> str:
    """Put the page title first unless the text already carries it near its start."""
    if not title:
        return text
    key = re.sub(r"\s+", "", title)
    if key in re.sub(r"\s+", "", text[:2000]):
        return text
    return f"{title}\n{text}"


def read_html(data: bytes, path: object = None) -> tuple[str, str, dict]:
    """(main text, encoding of the page, metadata)."""
    page, encoding = decode_html(data, path)
    text, meta = html_to_text(page, path)
    return text, encoding, meta
