"""Split a Document into sources (one per issuing or speaking region), parts and measures, and
read each source's metadata (title, issuer, document number, date, status, validity)."""
from __future__ import annotations

from bisect import bisect_left

from kg import vocab
from kg.orgs import canonical_org
from kg.model import Document, Source
from kg.segment import metadata as md
from kg.segment.lines import Line, split_lines
from kg.segment.structure import find_measures


def _source_spans(lines: list[Line], text_len: int) -> list[tuple[str | None, int, int]]:
    """(region id, start, end) per source, from the region's heading on. A feature article
    names each region in a heading such as "天津:……"; any other text is one source."""
    heads = [(rid, ln.start) for ln in lines if (rid := md.heading_region(ln))]
    if len({rid for rid, _ in heads}) >= 2:
        return [(rid, start, heads[i + 1][1] if i + 1 < len(heads) else text_len)
                for i, (rid, start) in enumerate(heads)]
    return [(heads[0][0] if heads else None, 0, text_len)]


def segment(doc: Document) -> Document:
    """Fill doc.sources in place and return doc."""
    text = doc.normalized
    all_lines = split_lines(text)
    spans = _source_spans(all_lines, len(text))
    single = len(spans) == 1
    doc.sources = []
    line_starts = [ln.start for ln in all_lines]
    for i, (region_id, start, end) in enumerate(spans):
        lines = all_lines[bisect_left(line_starts, start) : bisect_left(line_starts, end)]
        body = text[start:end]
        # The sources partition the text: a feature article's lead (its own title and
        # introduction, before the first region heading) belongs to the first source's span,
        # though not to what that source says about itself.
        span_start = 0 if i == 0 else start
        speaker = md.find_speaker(lines[1:] if not single else lines)
        title = md.find_title(body, lines)
        issuer = md.find_issuer(body, lines, title, speaker)
        if region_id is None:
            region_id = md.detect_region(body, [title or "", issuer or ""])
        region = vocab.regions().get(region_id) if region_id else None
        validity_years, _ = md.find_validity(body)
        source = Source(
            region=region.zh if region else "未知地区", start=span_start, end=end, region_id=region_id,
            province=vocab.regions()[region.province].zh if region and region.province else None,
            level=region.level if region else None,
            policy_title=title,
            issuer=canonical_org(issuer, region_id) if issuer else None,
            doc_number=md.find_doc_number(body, lines, title),
            date=md.find_date(body, lines),
            status=md.find_status(body, lines, title, speaker),
            validity_years=validity_years, speaker=speaker)
        source.measures = find_measures(text, lines, end)
        doc.sources.append(source)
    return doc
