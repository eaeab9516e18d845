"""Model -> RDF with stable, readable IRIs and the provenance of every fact.

IRIs (under https://w3id.org/policykg/id/):
  doc/<doc>                          the source text (file)
  policy/<region>/<doc>              a region's policy as that text tells it
  measure/<doc>/<region>/<n>         a measure (region in the IRI: one text can hold several)
  amount/<doc>/<region>/<n>/<i>      an amount of that measure
  org/<name>                         an organisation (issuer, responsible unit)
`…/span` and `…/evidence/theme|beneficiary/<id>` hang off these. No blank nodes: rebuilding the same corpus
yields byte-identical Turtle and N-Triples.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg import __version__, vocab
from kg.model import Amount, Document, Mention, Measure, Source
from kg.vocab import BEN, ID, OA, PKG, PROV, REG, SCHEMA, THEME

VOCAB_FILES = ("policy.ttl", "themes.ttl", "beneficiaries.ttl", "regions.ttl")
ACTIVITY = ID["activity/extraction"]


def _key(text: str) -> str:
    return quote(text.strip().replace(" ", "_"), safe="")


def doc_iri(doc: Document) -> URIRef:
    return ID[f"doc/{_key(doc.doc)}"]


def region_key(source: Source) -> str:
    return source.region_id or _key(source.region)


def policy_iri(doc: Document, source: Source) -> URIRef:
    return ID[f"policy/{region_key(source)}/{_key(doc.doc)}"]


def measure_iri(doc: Document, source: Source, measure: Measure) -> URIRef:
    return ID[f"measure/{_key(doc.doc)}/{region_key(source)}/{_key(measure.n)}"]


def org_iri(name: str) -> URIRef:
    return ID[f"org/{_key(name)}"]


def vocabulary_graph() -> Graph:
    g = Graph()
    for name in VOCAB_FILES:
        g.parse(vocab.ONTOLOGY_DIR / name, format="turtle")
    return g


def new_graph(with_vocabulary: bool = True) -> Graph:
    g = vocabulary_graph() if with_vocabulary else Graph()
    for prefix, ns in vocab.PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g


class _Writer:
    def __init__(self, g: Graph, doc: Document):
        self.g, self.doc, self.d = g, doc, doc_iri(doc)

    def span(self, subject: URIRef, start: int, end: int, cls=PKG.TextSpan) -> URIRef:
        """A span resource for normalized [start, end), stored in original offsets + quote."""
        a, b = self.doc.original_span(start, end)
        node = URIRef(f"{subject}/span") if cls == PKG.TextSpan else subject
        g = self.g
        g.add((node, RDF.type, cls))
        g.add((node, OA.start, Literal(a, datatype=XSD.integer)))
        g.add((node, OA.end, Literal(b, datatype=XSD.integer)))
        g.add((node, OA.exact, Literal(self.doc.original[a:b])))
        g.add((node, DCTERMS.source, self.d))
        return node

    def org(self, name: str, region_id: str | None) -> URIRef:
        node = org_iri(name)
        self.g.add((node, RDF.type, PKG.Organization))
        self.g.add((node, SKOS.prefLabel, Literal(name, lang="zh")))
        if region_id:
            self.g.add((node, PKG.region, REG[region_id]))
        return node

    def document(self) -> None:
        g, doc, d = self.g, self.doc, self.d
        g.add((d, RDF.type, PKG.SourceText))
        g.add((d, DCTERMS.identifier, Literal(doc.doc)))
        g.add((d, PKG.fileName, Literal(Path(doc.path).name)))
        g.add((d, PKG.encoding, Literal(doc.encoding)))
        if doc.sha256:
            g.add((d, PKG.sha256, Literal(doc.sha256)))
        for source in doc.sources:
            self.source(source)

    def source(self, s: Source) -> None:
        g = self.g
        p = policy_iri(self.doc, s)
        g.add((p, RDF.type, PKG.Policy))
        g.add((p, RDFS.label, Literal(f"{s.region} · {s.policy_title or self.doc.doc}", lang="zh")))
        g.add((p, PKG.region, REG[s.region_id] if s.region_id else Literal(s.region)))
        g.add((p, PKG.status, Literal(s.status or "unknown")))
        g.add((p, PROV.wasDerivedFrom, self.d))
        g.add((p, PROV.wasGeneratedBy, ACTIVITY))
        g.add((p, PKG.span, self.span(p, s.start, s.end)))
        if s.policy_title:
            g.add((p, DCTERMS.title, Literal(s.policy_title, lang="zh")))
        if s.issuer:
            g.add((p, PKG.issuer, self.org(s.issuer, s.region_id)))
        if s.doc_number:
            g.add((p, PKG.docNumber, Literal(s.doc_number)))
        if s.date:
            g.add((p, DCTERMS.issued, Literal(s.date, datatype=XSD.date)))
        if s.validity_years is not None:
            g.add((p, PKG.validityYears, Literal(Decimal(str(s.validity_years)), datatype=XSD.decimal)))
        if s.speaker:
            g.add((p, PKG.speaker, Literal(s.speaker)))
        for order, m in enumerate(s.measures, 1):
            self.measure(s, p, m, order)

    def measure(self, s: Source, p: URIRef, m: Measure, order: int) -> None:
        g = self.g
        node = measure_iri(self.doc, s, m)
        g.add((node, RDF.type, PKG.Measure))
        g.add((p, PKG.hasMeasure, node))
        g.add((node, PKG.ofPolicy, p))
        g.add((node, PKG.number, Literal(m.n)))
        g.add((node, PKG.order, Literal(order, datatype=XSD.integer)))
        g.add((node, PROV.wasDerivedFrom, self.d))
        g.add((node, PKG.span, self.span(node, m.start, m.end)))
        if m.title:
            g.add((node, DCTERMS.title, Literal(m.title, lang="zh")))
        if m.part:
            g.add((node, PKG.partTitle, Literal(m.part, lang="zh")))
        for mention in m.themes:
            self.mention(node, mention, THEME, PKG.theme)
        for mention in m.beneficiaries:
            self.mention(node, mention, BEN, PKG.beneficiary)
        for i, a in enumerate(m.amounts, 1):
            self.amount(URIRef(str(node).replace("/measure/", "/amount/", 1) + f"/{i}"), node, a)
        for unit in m.units:
            g.add((node, PKG.responsibleUnit, self.org(unit, s.region_id)))

    def mention(self, measure: URIRef, mention: Mention, ns, prop) -> None:
        concept = ns[mention.id]
        self.g.add((measure, prop, concept))
        scheme = "theme" if ns == THEME else "beneficiary"   # one id can be both (talent)
        ev = URIRef(f"{measure}/evidence/{scheme}/{mention.id}")
        self.span(ev, mention.start, mention.end, cls=PKG.Mention)
        self.g.add((ev, PKG.concept, concept))
        self.g.add((measure, PKG.evidence, ev))

    def amount(self, node: URIRef, measure: URIRef, a: Amount) -> None:
        g = self.g
        g.add((node, RDF.type, PKG.Amount))
        if a.unit == "CNY":
            g.add((node, RDF.type, SCHEMA.MonetaryAmount))
            g.add((node, SCHEMA.currency, Literal("CNY")))
        g.add((measure, PKG.hasAmount, node))
        g.add((node, SCHEMA.value, Literal(Decimal(repr(float(a.value))).normalize(), datatype=XSD.decimal)))
        g.add((node, SCHEMA.unitText, Literal(a.unit)))
        g.add((node, PKG.kind, Literal(a.kind)))
        g.add((node, SCHEMA.name, Literal(a.text, lang="zh")))
        if a.purpose:
            g.add((node, PKG.purpose, Literal(a.purpose, lang="zh")))
        if a.recipient:
            g.add((node, PKG.recipient, Literal(a.recipient, lang="zh")))
        self.span(node, a.start, a.end, cls=PKG.Amount)


def add_document(g: Graph, doc: Document) -> None:
    _Writer(g, doc).document()


def add_activity(g: Graph) -> None:
    g.add((ACTIVITY, RDF.type, PKG.ExtractionActivity))
    g.add((ACTIVITY, RDFS.label, Literal(f"policykg {__version__} extraction")))
    g.add((ACTIVITY, PROV.wasAssociatedWith, URIRef("https://w3id.org/policykg/software")))


def to_graph(docs: list[Document], with_vocabulary: bool = True) -> Graph:
    g = new_graph(with_vocabulary)
    add_activity(g)
    from kg.coverage import Coverage, document_coverage
    coverage = Coverage()
    for doc in sorted(docs, key=lambda d: d.doc):
        add_document(g, doc)
        coverage.add(document_coverage(doc))
    for node in coverage.nodes():
        for t in node:
            g.add(t)
    return g


def ntriples(g: Graph) -> str:
    """N-Triples, one statement a line, sorted: byte-identical for the same graph."""
    lines = g.serialize(format="nt").splitlines()
    return "\n".join(sorted(set(x for x in lines if x.strip()))) + "\n"


def content_hash(g: Graph) -> str:
    return hashlib.sha256(ntriples(g).encode()).hexdigest()
