"""rdflib in memory: simple and slow; for tests and tiny graphs."""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node, Variable

from kg.errors import PolicyKGError
from kg.store import Row, prologue


class MemoryStore:
    name = "memory"

    def __init__(self, graph: Graph | None = None):
        self.graph = graph if graph is not None else Graph()

    def load_ntriples(self, path: Path) -> None:
        self.graph = Graph()
        self.graph.parse(path, format="nt")

    def __len__(self) -> int:
        return len(self.graph)

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> tuple[list[str], list[Row]]:
        try:
            prepared = prepareQuery(prologue() + query)
        except Exception as err:   # pyparsing reports the position in its message
            raise PolicyKGError(f"SPARQL syntax error: {err}") from None
        result = self.graph.query(prepared, initBindings={Variable(k): v for k, v in (bindings or {}).items()})
        if result.type == "ASK":
            return ["ask"], [{"ask": _bool(result.askAnswer)}]
        variables = [str(v) for v in result.vars]
        rows = [{v: row[i] for i, v in enumerate(variables)} for row in result]
        return variables, rows


def _bool(value: bool):
    from rdflib import Literal
    return Literal(bool(value))
