"""A processed Document in the gold annotation schema (tests/gold/GUIDE.md), so that the
reference scorer can score it, plus provenance fields the scorer ignores."""
from __future__ import annotations

import json
from pathlib import Path

from kg.model import Amount, Document


def _amount(doc: Document, a: Amount) -> dict:
    start, end = doc.original_span(a.start, a.end)
    value = int(a.value) if a.unit in ("CNY", "item") and float(a.value).is_integer() else a.value
    return {"text": a.text, "kind": a.kind, "value": value, "unit": a.unit,
            "purpose": a.purpose, "recipient": a.recipient,
            "start": start, "end": end, "quote": doc.original[start:end]}


def to_gold(doc: Document) -> dict:
    sources = []
    for s in doc.sources:
        measures = []
        for m in s.measures:
            start, end = doc.original_span(m.start, m.end)
            measures.append({
                "n": m.n, "title": m.title, "part": m.part,
                "themes": [t.id for t in m.themes],
                "beneficiaries": [b.id for b in m.beneficiaries],
                "amounts": [_amount(doc, a) for a in m.amounts],
                "units": m.units,
                "evidence": {t.id: t.text for t in m.themes},
                "start": start, "end": end,
            })
        sources.append({
            "region": s.region, "province": s.province, "level": s.level,
            "policy_title": s.policy_title, "issuer": s.issuer, "doc_number": s.doc_number,
            "date": s.date, "status": s.status, "validity_years": s.validity_years,
            "speaker": s.speaker, "measures": measures})
    return {"doc": doc.doc, "file": doc.path, "encoding": doc.encoding, "sources": sources}


def write_gold(doc: Document, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{doc.doc}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(to_gold(doc), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def from_gold(data: dict) -> Document:
    """A Document holding the facts of a gold annotation (no text, empty spans): lets the
    query and comparison layers be tested against hand annotations, independent of extraction."""
    from kg import vocab
    from kg.model import Measure, Mention, Source
    doc = Document(path=f"{data['doc']}.txt", doc=data["doc"], original="", normalized="", offset_map=[0])
    for s in data.get("sources", []):
        region = vocab.resolve_region(s["region"])
        source = Source(region=region.zh if region else s["region"], start=0, end=0,
                        region_id=region.id if region else None, province=s.get("province"),
                        level=s.get("level"), policy_title=s.get("policy_title"), issuer=s.get("issuer"),
                        doc_number=s.get("doc_number"), date=s.get("date"), status=s.get("status"))
        for m in s.get("measures", []):
            measure = Measure(n=str(m["n"]), title=m.get("title"), start=0, end=0)
            measure.themes = [Mention(t, 0, 0, "") for t in m.get("themes", [])]
            measure.beneficiaries = [Mention(b, 0, 0, "") for b in m.get("beneficiaries", [])]
            measure.amounts = [Amount(a.get("text", ""), a["kind"], float(a["value"]), a["unit"])
                               for a in m.get("amounts", [])]
            source.measures.append(measure)
        doc.sources.append(source)
    return doc
