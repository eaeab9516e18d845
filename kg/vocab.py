"""The project's namespaces and the controlled vocabularies read from `ontology/`.

`ontology/*.ttl` is the single source of truth for themes, beneficiary groups and regions: the
extractor's matchers, the region gazetteer and the CLI's name resolution are all built from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.ingest.normalize import to_simplified

BASE = "https://w3id.org/policykg/"
PKG = Namespace(BASE + "ontology#")
THEME = Namespace(BASE + "theme/")
BEN = Namespace(BASE + "beneficiary/")
REG = Namespace(BASE + "region/")
ID = Namespace(BASE + "id/")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

PREFIXES = {"pkg": PKG, "theme": THEME, "ben": BEN, "reg": REG, "id": ID, "schema": SCHEMA,
            "prov": PROV, "org": ORG, "oa": OA, "eli": ELI, "skos": SKOS, "dct": DCTERMS}

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


@dataclass
class Concept:
    """A theme, beneficiary group or region with its labels (Simplified, half-width)."""
    id: str
    iri: str
    zh: str
    en: str
    strong: list[str] = field(default_factory=list)   # prefLabel/altLabel: one hit suffices
    weak: list[str] = field(default_factory=list)     # hiddenLabel: needs support
    english: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    level: str | None = None
    province: str | None = None                       # region id of the province
    sub_provincial: bool = False


def _graph(name: str) -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_DIR / name, format="turtle")
    return g


def _zh(lit: Literal) -> bool:
    return isinstance(lit, Literal) and (lit.language or "").lower().startswith("zh")


def _load(name: str, cls, namespace: Namespace) -> dict[str, Concept]:
    g = _graph(name)
    out: dict[str, Concept] = {}
    for s in sorted(set(g.subjects(RDF.type, cls))):
        cid = str(s)[len(str(namespace)):]
        pref = list(g.objects(s, SKOS.prefLabel))
        zh = next((str(x) for x in pref if _zh(x)), cid)
        en = next((str(x) for x in pref if isinstance(x, Literal) and x.language == "en"), cid)
        alts = [x for x in g.objects(s, SKOS.altLabel)]
        strong = [zh] + [str(x) for x in alts if _zh(x)]
        weak = [str(x) for x in g.objects(s, SKOS.hiddenLabel) if _zh(x)]
        english = [en] + [str(x) for x in alts if isinstance(x, Literal) and x.language == "en"]
        c = Concept(id=cid, iri=str(s), zh=zh, en=en,
                    strong=_dedupe(to_simplified(x) for x in strong),
                    weak=_dedupe(to_simplified(x) for x in weak), english=_dedupe(english),
                    broader=sorted(str(b)[len(str(namespace)):] for b in g.objects(s, SKOS.broader)))
        level = g.value(s, PKG.level)
        c.level = str(level) if level is not None else None
        prov = g.value(s, PKG.province)
        c.province = str(prov)[len(str(namespace)):] if prov is not None else None
        c.sub_provincial = bool(g.value(s, PKG.subProvincial))
        out[cid] = c
    return out


def _dedupe(items) -> list[str]:
    seen: dict[str, None] = {}
    for x in items:
        x = x.strip()
        if x:
            seen.setdefault(x, None)
    return list(seen)


@lru_cache(maxsize=1)
def themes() -> dict[str, Concept]:
    return _load("themes.ttl", PKG.Theme, THEME)


@lru_cache(maxsize=1)
def instrument_classes() -> dict[str, Concept]:
    return _load("themes.ttl", PKG.InstrumentClass, THEME)


@lru_cache(maxsize=1)
def beneficiaries() -> dict[str, Concept]:
    return _load("beneficiaries.ttl", PKG.BeneficiaryGroup, BEN)


@lru_cache(maxsize=1)
def regions() -> dict[str, Concept]:
    return _load("regions.ttl", PKG.Region, REG)


def _lookup_key(text: str) -> str:
    return to_simplified(text).strip().lower().replace(" ", "")


@lru_cache(maxsize=1)
def _region_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for rid, c in regions().items():
        for label in [rid, c.zh, c.en, *c.strong, *c.english, *c.weak]:
            index.setdefault(_lookup_key(label), rid)
    return index


def resolve_region(name: str) -> Concept | None:
    """A region as a person types it: 厦门, 厦门市, Xiamen, 廈門, or its id."""
    rid = _region_index().get(_lookup_key(name))
    return regions()[rid] if rid else None


@lru_cache(maxsize=1)
def _concept_index(kind: str) -> dict[str, str]:
    concepts = themes() if kind == "theme" else beneficiaries()
    index: dict[str, str] = {}
    for cid, c in concepts.items():
        for label in [cid, c.zh, c.en, *c.strong, *c.english, *c.weak]:
            index.setdefault(_lookup_key(label), cid)
    return index


def resolve_theme(name: str) -> Concept | None:
    """A theme by id, Chinese or English label, or any alternative wording."""
    tid = _concept_index("theme").get(_lookup_key(name))
    return themes()[tid] if tid else None


def resolve_beneficiary(name: str) -> Concept | None:
    bid = _concept_index("beneficiary").get(_lookup_key(name))
    return beneficiaries()[bid] if bid else None
