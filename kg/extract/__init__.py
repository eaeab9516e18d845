"""Extraction of what analysts compare, from each measure: amounts, themes, beneficiaries and
responsible units, each with its span in the normalized text (mapped back for provenance)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.model import Amount, Document, Mention, Source
from kg.orgs import canonical_org


def _measure_docs(documents: list[Document]) -> Iterator[tuple]:
    from kg.extract.pipeline import build_nlp
    nlp = build_nlp()
    for document in documents:
        for source in document.sources:
            for measure in source.measures:
                doc = nlp.make_doc(document.normalized[measure.start : measure.end])
                title_at = doc.text.find(measure.title) if measure.title else -1
                doc.user_data["title_end"] = title_at + len(measure.title) if title_at >= 0 else 0
                yield doc, (document, source, measure)


def extract(documents: Iterable[Document], batch_size: int = 64) -> list[Document]:
    """Run the pipeline over every measure of already segmented documents (in place)."""
    from kg.extract.pipeline import build_nlp
    documents = list(documents)
    nlp = build_nlp()
    pairs = list(_measure_docs(documents))
    processed = nlp.pipe((d for d, _ in pairs), batch_size=batch_size)
    for doc, (_, (document, source, measure)) in zip(processed, pairs):
        off = measure.start
        measure.amounts = [_shift_amount(a, off) for a in doc._.amounts]
        measure.themes = [_shift(m, off) for m in doc._.themes]
        measure.beneficiaries = [_shift(m, off) for m in doc._.beneficiaries]
        measure.units = _dedupe(canonical_org(name, source.region_id) for name, _, _ in doc._.units)
    return documents


def _shift(m: Mention, off: int) -> Mention:
    return Mention(m.id, m.start + off, m.end + off, m.text)


def _shift_amount(a: Amount, off: int) -> Amount:
    return Amount(a.text, a.kind, a.value, a.unit, a.start + off, a.end + off, a.purpose, a.recipient)


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def source_units(source: Source) -> list[str]:
    return _dedupe(u for m in source.measures for u in m.units)
