"""Embedded Oxigraph (pyoxigraph) on disk: the default store, fast on large graphs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import PolicyKGError
from kg.store import Row
from kg.vocab import PREFIXES

_EXTRA_PREFIXES = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                   "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                   "xsd": "http://www.w3.org/2001/XMLSchema#",
                   "owl": "http://www.w3.org/2002/07/owl#"}


def to_rdflib(term) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"unsupported term {term!r}")


class OxigraphStore:
    name = "oxigraph"

    def __init__(self, path: Path | None = None, read_only: bool = False):
        self.path = path
        try:
            if path is None:
                self.store = ox.Store()
            elif read_only:
                self.store = ox.Store.read_only(str(path))
            else:
                self.store = ox.Store(str(path))
        except OSError as err:
            raise PolicyKGError(f"cannot open the Oxigraph store ({err})", path) from None

    @classmethod
    def from_ntriples(cls, nt: Path, path: Path) -> "OxigraphStore":
        """Bulk-load an N-Triples file into a new store at `path` (replacing it)."""
        if path.exists():
            shutil.rmtree(path)
        store = cls(path)
        store.store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        store.store.flush()
        return store

    def load_ntriples(self, path: Path) -> None:
        self.store.clear()
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        self.store.flush()

    def __len__(self) -> int:
        return len(self.store)

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> tuple[list[str], list[Row]]:
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()} | _EXTRA_PREFIXES
        subs = {ox.Variable(k): to_oxigraph(v) for k, v in (bindings or {}).items()}
        try:
            result = self.store.query(query, prefixes=prefixes, substitutions=subs or None)
        except SyntaxError as err:
            raise PolicyKGError(f"SPARQL syntax error: {err}") from None
        if isinstance(result, ox.QueryBoolean):
            return ["ask"], [{"ask": Literal(bool(result))}]
        if isinstance(result, ox.QueryTriples):
            raise PolicyKGError("CONSTRUCT and DESCRIBE are not supported here; use SELECT or ASK")
        variables = [v.value for v in result.variables]
        rows = [{v: to_rdflib(sol[v]) for v in variables} for sol in result]
        return variables, rows
