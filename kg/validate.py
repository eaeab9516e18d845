"""SHACL validation of a built graph against ontology/shapes.ttl (pyshacl)."""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.errors import PolicyKGError
from kg.vocab import ONTOLOGY_DIR


def validate_graph(data: Graph, shapes: Path | None = None) -> tuple[bool, str]:
    from pyshacl import validate
    shapes_graph = Graph().parse(shapes or ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes_graph, inference="none",
                                 allow_warnings=True)
    return bool(conforms), text


def validate_file(path: Path, shapes: Path | None = None) -> tuple[bool, str]:
    try:
        data = Graph().parse(path, format="turtle")
    except Exception as err:  # rdflib raises many parser types; the user needs the message
        raise PolicyKGError(f"not valid Turtle ({err})", path) from None
    return validate_graph(data, shapes)
