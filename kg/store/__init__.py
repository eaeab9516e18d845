"""One small interface over three graph stores, so named queries and comparisons run unchanged:

- `memory`   : rdflib Graph in memory, loaded from build/graph.nt (tests, tiny graphs)
- `oxigraph` : embedded Oxigraph on disk under build/store (default: fast)
- a URL      : a remote SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso)

Rows come back as dicts of variable -> rdflib term (URIRef, Literal) or None when unbound.
Parameters are bound by the store (initBindings, substitutions or a VALUES block built from
escaped RDF terms), never pasted into the query text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

from rdflib.term import Node

from kg.errors import PolicyKGError
from kg.vocab import PREFIXES

Row = dict[str, Node | None]


def prologue() -> str:
    """PREFIX lines of the ontology, predeclared for every query."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIXES.items())) + \
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n" \
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" \
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" \
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"


class Store(Protocol):
    name: str

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> tuple[list[str], list[Row]]:
        """Run a SELECT (or ASK) query: (variables, rows)."""

    def load_ntriples(self, path: Path) -> None:
        """Replace the store's content with the graph in an N-Triples file."""

    def __len__(self) -> int: ...


def open_store(spec: str = "oxigraph", build_dir: str | Path = "build") -> Store:
    """`memory`, `oxigraph` or an http(s) URL of a SPARQL endpoint."""
    build_dir = Path(build_dir)
    if spec.startswith(("http://", "https://")):
        from kg.store.remote import RemoteStore
        return RemoteStore(spec)
    nt = build_dir / "graph.nt"
    if spec == "memory":
        from kg.store.memory import MemoryStore
        if not nt.exists():
            raise PolicyKGError("no built graph; run `policykg build` first", nt)
        store = MemoryStore()
        store.load_ntriples(nt)
        return store
    if spec == "oxigraph":
        from kg.store.oxigraph import OxigraphStore
        path = build_dir / "store"
        if not path.exists():
            if not nt.exists():
                raise PolicyKGError("no built graph; run `policykg build` first", build_dir)
            return OxigraphStore.from_ntriples(nt, path)
        return OxigraphStore(path, read_only=True)
    raise PolicyKGError(f"unknown store '{spec}': use memory, oxigraph or an http(s) URL")
