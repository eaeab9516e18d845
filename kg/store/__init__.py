"""One small interface over three graph stores, so named queries and comparisons run unchanged:

- `memory`   : rdflib Graph in memory, loaded from build/graph.nt (tests, tiny graphs)
- `oxigraph` : embedded Oxigraph on disk under build/store (default: fast)
- a URL      : a remote SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso)

Rows come back as dicts of variable -> rdflib term (URIRef, Literal) or None when unbound.
Parameters are bound by the store (rdflib's initBindings; for Oxigraph, embedded or remote, a
VALUES block of escaped RDF terms put first in the outer WHERE group), never pasted as text.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from rdflib import Literal, URIRef
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


# Tokens that can contain a `{` which is not the start of the WHERE group.
_SKIP = re.compile(r"""
    "\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '''(?:[^'\\]|\\.|'(?!''))*'''   # long strings
  | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'                          # strings
  | <[^<>"{}|^`\\\x00-\x20]*>                                          # IRIs (not `<` operators)
  | \#[^\n]*                                                           # comments
""", re.VERBOSE)


def with_values(query: str, bindings: dict[str, Node] | None) -> str:
    """The query with `VALUES (?a ?b) { (<x> "y") }` first in its outer WHERE group."""
    if not bindings:
        return query
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(_term_n3(v) for v in bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    pos = 0
    while pos < len(query):
        m = _SKIP.search(query, pos)
        brace = query.find("{", pos)
        if brace < 0:
            break
        if m and m.start() < brace:
            pos = m.end()
            continue
        return query[:brace + 1] + block + query[brace + 1:]
    raise PolicyKGError("cannot bind parameters: the query has no WHERE group")


def _term_n3(term: Node) -> str:
    if isinstance(term, (URIRef, Literal)):
        return term.n3()
    raise PolicyKGError(f"cannot bind {term!r} as a parameter")


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
