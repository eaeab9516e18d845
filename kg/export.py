"""The facts of the built graph for analysts: one row per fact (a measure, a theme or a
beneficiary of a measure, an amount) with its region, policy and provenance, as CSV (UTF-8 with
BOM, which Excel opens without mangling Chinese) or .xlsx; or the same facts as RDF (JSON-LD,
Turtle, N-Triples).

Everything is read from the store with SPARQL (kg.store), so an export shows what the graph
holds, whichever store or endpoint it lives in. A few queries for the whole graph, joined here.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg import vocab
from kg.errors import PolicyKGError
from kg.ingest import extracted_text_path
from kg.query import run

FORMATS = ("csv", "xlsx", "jsonld", "ttl", "nt")
TABLE_FORMATS = ("csv", "xlsx")
SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "jsonld": ".jsonld", "ttl": ".ttl", "nt": ".nt"}
FACT_ORDER = ("measure", "theme", "beneficiary", "amount")
EXCEL_CELL_LIMIT = 32767

# The columns, in order, and what each holds (shown in the xlsx "columns" sheet and the README).
COLUMNS = {
    "fact": "measure | theme | beneficiary | amount",
    "region_id": "region id (ontology/regions.ttl)",
    "region": "region, Chinese name",
    "region_en": "region, English name",
    "province": "province the region belongs to",
    "policy": "IRI of the region's policy as the source text tells it",
    "policy_title": "title of the policy",
    "status": "in-force | draft | trial | interpretation | news | statement",
    "issued": "date the policy was issued or published",
    "measure": "IRI of the measure",
    "measure_no": "number of the measure as printed (s1, s2 … for unnumbered sections)",
    "measure_title": "heading of the measure",
    "concept": "theme or beneficiary id (theme and beneficiary rows)",
    "concept_label": "its Chinese label",
    "instrument_class": "supply-side | environment-side | demand-side (theme rows; Rothwell & Zegveld)",
    "kind": "cap | fixed | floor | rate | total | duration | count | stat (amount rows)",
    "value": "normalised value: CNY, fraction (0.05 = 5%), years or items (amount rows)",
    "unit": "CNY | ratio | year | item (amount rows)",
    "amount_text": "the wording of the amount (amount rows)",
    "quote": "the original characters the fact rests on",
    "start": "offset of the quote in the extracted text of the source file",
    "end": "end offset (exclusive)",
    "doc": "source text identifier",
    "file": "source file name",
    "text_file": "the extracted text the offsets refer to, relative to the build folder",
}

_POLICIES = """
SELECT ?policy ?region ?regionLabel ?regionEn ?province ?title ?status ?issued ?doc ?file
WHERE {
  ?policy a pkg:Policy ; pkg:region ?region ; prov:wasDerivedFrom ?source .
  ?source dct:identifier ?doc .
  OPTIONAL { ?source pkg:fileName ?file }
  OPTIONAL { ?policy dct:title ?title }
  OPTIONAL { ?policy pkg:status ?status }
  OPTIONAL { ?policy dct:issued ?issued }
  OPTIONAL { ?region skos:prefLabel ?regionLabel . FILTER(LANG(?regionLabel) = "zh") }
  OPTIONAL { ?region skos:prefLabel ?regionEn . FILTER(LANG(?regionEn) = "en") }
  OPTIONAL { ?region pkg:province/skos:prefLabel ?province . FILTER(LANG(?province) = "zh") }
}"""

_MEASURES = """
SELECT ?measure ?policy ?number ?order ?title ?start ?end ?exact
WHERE {
  ?measure a pkg:Measure ; pkg:ofPolicy ?policy ; pkg:number ?number .
  OPTIONAL { ?measure pkg:order ?order }
  OPTIONAL { ?measure dct:title ?title }
  OPTIONAL { ?measure pkg:span ?span . ?span oa:start ?start ; oa:end ?end ; oa:exact ?exact }
}"""

# Theme and beneficiary links with the words that evidence them, where recorded.
_CONCEPTS = """
SELECT ?measure ?fact ?concept ?label ?class ?start ?end ?exact
WHERE {
  { ?measure pkg:theme ?concept . BIND("theme" AS ?fact)
    OPTIONAL { ?concept skos:broader ?class . ?class a pkg:InstrumentClass } }
  UNION
  { ?measure pkg:beneficiary ?concept . BIND("beneficiary" AS ?fact) }
  ?measure a pkg:Measure .
  OPTIONAL { ?concept skos:prefLabel ?label . FILTER(LANG(?label) = "zh") }
  OPTIONAL { ?measure pkg:evidence ?mention . ?mention pkg:concept ?concept ;
             oa:start ?start ; oa:end ?end ; oa:exact ?exact }
}"""

_AMOUNTS = """
SELECT ?measure ?amount ?kind ?value ?unit ?name ?start ?end ?exact
WHERE {
  ?measure a pkg:Measure ; pkg:hasAmount ?amount .
  ?amount pkg:kind ?kind ; schema:value ?value ; schema:unitText ?unit .
  OPTIONAL { ?amount schema:name ?name }
  OPTIONAL { ?amount oa:start ?start ; oa:end ?end ; oa:exact ?exact }
}"""

# The facts as a graph: measures, their amounts, spans and evidence, their policies and source
# texts, and the vocabulary terms they use (themes with their instrument class, beneficiary
# groups, regions, organisations).
_TRIPLES = """
SELECT ?s ?p ?o
WHERE {
  { ?s a pkg:Measure . ?s ?p ?o }
  UNION { ?m a pkg:Measure ; pkg:hasAmount|pkg:span|pkg:evidence ?s . ?s ?p ?o }
  UNION { ?s a pkg:Policy . ?s ?p ?o }
  UNION { ?x a pkg:Policy ; pkg:span ?s . ?s ?p ?o }
  UNION { ?s a pkg:SourceText . ?s ?p ?o }
  UNION { ?x a pkg:Policy ; pkg:region|pkg:issuer ?s . ?s ?p ?o }
  UNION { ?m a pkg:Measure ; pkg:theme|pkg:beneficiary|pkg:responsibleUnit ?s . ?s ?p ?o }
  UNION { ?m a pkg:Measure ; pkg:theme/skos:broader ?s . ?s ?p ?o }
}"""


def _records(store, query: str, name: str) -> list[dict]:
    return run(store, query, source=f"export ({name})").records()


def _local(iri: str | None, namespace) -> str | None:
    if iri is None:
        return None
    ns = str(namespace)
    return iri[len(ns):] if iri.startswith(ns) else iri


def fact_rows(store) -> list[dict]:
    """One dict per fact, keys = COLUMNS, in reading order (region, source text, measure)."""
    policies = {r["policy"]: r for r in _records(store, _POLICIES, "policies")}
    measures = {r["measure"]: r for r in _records(store, _MEASURES, "measures")}
    facts: dict[str, list[dict]] = defaultdict(list)

    def base(measure_iri: str) -> dict:
        m = measures[measure_iri]
        p = policies.get(m["policy"], {})
        doc = p.get("doc")
        return {"region_id": _local(p.get("region"), vocab.REG), "region": p.get("regionLabel"),
                "region_en": p.get("regionEn"), "province": p.get("province"), "policy": m["policy"],
                "policy_title": p.get("title"), "status": p.get("status"), "issued": p.get("issued"),
                "measure": measure_iri, "measure_no": m["number"], "measure_title": m.get("title"),
                "doc": doc, "file": p.get("file"),
                "text_file": extracted_text_path("", doc).as_posix() if doc else None}

    def span(row: dict) -> dict:
        return {"quote": row.get("exact"), "start": row.get("start"), "end": row.get("end")}

    for iri, m in measures.items():
        facts[iri].append(base(iri) | {"fact": "measure"} | span(m))
    seen: set[tuple[str, str, str]] = set()
    concept_rows = sorted(_records(store, _CONCEPTS, "themes and beneficiaries"),
                          key=lambda r: (r.get("start") is None, r.get("start") or 0))
    for r in concept_rows:
        key = (r["measure"], r["fact"], r["concept"])
        if r["measure"] not in measures or key in seen:
            continue   # one row per link: the first words that evidence it
        seen.add(key)
        ns = vocab.THEME if r["fact"] == "theme" else vocab.BEN
        facts[r["measure"]].append(base(r["measure"]) | span(r) | {
            "fact": r["fact"], "concept": _local(r["concept"], ns), "concept_label": r.get("label"),
            "instrument_class": _local(r.get("class"), vocab.THEME)})
    for r in _records(store, _AMOUNTS, "amounts"):
        if r["measure"] not in measures:
            continue
        facts[r["measure"]].append(base(r["measure"]) | span(r) | {
            "fact": "amount", "kind": r["kind"], "value": r["value"], "unit": r["unit"],
            "amount_text": r.get("name"), "_iri": r["amount"]})

    def measure_key(iri: str) -> tuple:
        m = measures[iri]
        p = policies.get(m["policy"], {})
        return (p.get("regionEn") or p.get("regionLabel") or "", p.get("doc") or "", m.get("order") or 0, iri)

    order = {f: i for i, f in enumerate(FACT_ORDER)}
    rows = []
    for iri in sorted(facts, key=measure_key):
        group = sorted(facts[iri], key=lambda r: (order[r["fact"]], r.get("start") is None, r.get("start") or 0,
                                                  r.get("concept") or "", r.get("_iri") or ""))
        rows += [{c: r.get(c) for c in COLUMNS} for r in group]
    return rows


def _text_cell(value: object, limit: int = EXCEL_CELL_LIMIT) -> object:
    """Excel holds at most 32,767 characters a cell; the full text is in text_file[start:end]."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def _csv_safe(value: object) -> object:
    """Excel runs a cell that starts with = + - @ as a formula; a leading ' keeps it text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(rows: list[dict], path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(list(COLUMNS))
    for r in rows:
        writer.writerow(["" if r[c] is None else _csv_safe(_text_cell(r[c])) for c in COLUMNS])
    _write_bytes(path, buf.getvalue().encode("utf-8-sig"))


def write_xlsx(rows: list[dict], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "facts"
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append([_text_cell(r[c]) for c in COLUMNS])
    for row in ws.iter_rows(min_row=2):
        for cell in row:   # text that looks like a formula stays text
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    widths = {"quote": 60, "policy_title": 30, "measure_title": 30, "amount_text": 30}
    for i, name in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, max(10, len(name) + 2))
    about = wb.create_sheet("columns")
    about.append(["column", "meaning"])
    for name, meaning in COLUMNS.items():
        about.append([name, meaning])
    about["A1"].font = about["B1"].font = Font(bold=True)
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    _write_bytes(path, buf.getvalue())


def facts_graph(store) -> Graph:
    """The facts and the vocabulary terms they use, as an rdflib Graph (prefixes bound)."""
    variables, rows = store.select(_TRIPLES)
    g = Graph()
    for prefix, ns in vocab.PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for r in rows:
        s, p, o = r["s"], r["p"], r["o"]
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))   # a simple literal, as in the built graph (RDF 1.1: the same)
        if isinstance(s, URIRef) and isinstance(p, URIRef) and o is not None:
            g.add((s, p, o))
    return g


def rdf_bytes(g: Graph, fmt: str) -> bytes:
    if fmt == "nt":
        from kg.rdf import ntriples
        return ntriples(g).encode("utf-8")
    if fmt == "ttl":
        return g.serialize(format="turtle").encode("utf-8")
    context = {p: str(ns) for p, ns in vocab.PREFIXES.items()}
    return g.serialize(format="json-ld", context=context, auto_compact=True, indent=1,
                       ensure_ascii=False).encode("utf-8")


def _write_bytes(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as err:
        raise PolicyKGError(f"cannot write the export ({err.strerror or err})", path) from None


def export(store, fmt: str, path: str | Path) -> dict:
    """Write the export; returns {"path", "format", "rows" or "triples", "facts" by kind}."""
    if fmt not in FORMATS:
        raise PolicyKGError(f"unknown export format '{fmt}' (use {', '.join(FORMATS)})")
    path = Path(path)
    if fmt in TABLE_FORMATS:
        rows = fact_rows(store)
        (write_csv if fmt == "csv" else write_xlsx)(rows, path)
        counts = {f: sum(1 for r in rows if r["fact"] == f) for f in FACT_ORDER}
        return {"path": path, "format": fmt, "rows": len(rows), "facts": counts}
    g = facts_graph(store)
    _write_bytes(path, rdf_bytes(g, fmt))
    return {"path": path, "format": fmt, "triples": len(g)}
