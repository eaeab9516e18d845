"""rdflib in memory: simple and slow; for tests and tiny graphs."""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from pyparsing import ParseException
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node, Variable

from kg.errors import PolicyKGError
from kg.store import Row, prologue


def _skip_unbound_in_distinct_aggregates() -> None:
    """rdflib 7.6 raises NotBoundError for GROUP_CONCAT(DISTINCT ?x) (and SUM, MIN, ... DISTINCT)
    when ?x is unbound in some solution, e.g. after an OPTIONAL; it fixed COUNT only (RDFLib/rdflib
    #2229). SPARQL skips such values, as Oxigraph does: make rdflib's DISTINCT check skip them too."""
    from rdflib.plugins.sparql import aggregates
    from rdflib.plugins.sparql.sparql import NotBoundError
    original = aggregates.Accumulator.use_row
    if getattr(original, "skips_unbound", False):
        return

    def use_row(self, row) -> bool:
        try:
            return original(self, row)
        except NotBoundError:
            return False
    use_row.skips_unbound = True
    aggregates.Accumulator.use_row = use_row


_skip_unbound_in_distinct_aggregates()


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
        head = prologue()
        try:
            prepared = prepareQuery(head + query)
        except ParseException as err:   # position in the user's text, not counting the prologue
            line = err.lineno - head.count("\n")
            raise PolicyKGError(f"SPARQL syntax error: error at {line}:{err.col}: {err.msg}") from None
        except Exception as err:        # e.g. an unknown prefix, found after parsing
            raise PolicyKGError(f"SPARQL syntax error: {err}") from None
        result = self.graph.query(prepared, initBindings={Variable(k): v for k, v in (bindings or {}).items()})
        if result.type == "ASK":
            return ["ask"], [{"ask": _bool(result.askAnswer)}]
        if result.type != "SELECT":
            raise PolicyKGError("CONSTRUCT and DESCRIBE are not supported here; use SELECT or ASK")
        variables = [str(v) for v in result.vars]
        rows = [{v: row[i] for i, v in enumerate(variables)} for row in result]
        return variables, rows


def _bool(value: bool):
    from rdflib import Literal
    return Literal(bool(value))
