"""Named SPARQL queries with typed parameters; results as plain rows and as text.

A named query is a `.rq` file in kg/queries/ whose header comments say what it is:

    # name: theme-by-region
    # description: one line, shown by `policykg queries`
    # param: theme:theme            name:type; type = theme | region | beneficiary | iri | int | float | str
    # param: region:region?         a trailing `?` makes the parameter optional

A value is turned into an RDF term (a theme as a person writes it into the theme's IRI via
kg.vocab, a number into a typed literal, ...) and handed to the store as a binding; it is never
pasted into the query text, so quotes, braces or `}` in a value can neither break nor change a
query. Bindings mean the same on every store only if each parameter variable is projected and
used in a mandatory pattern of the outer WHERE: Oxigraph's substitutions require the projection
and a VALUES block (remote stores) is joined with the solutions.

A pattern on a many-valued property (a measure has several themes) multiplies the rows when its
parameter is left out, so such a line ends with `#? name` and is blanked when `name` is not given
(blanked, not removed: line numbers in error messages still match the file).
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg import vocab
from kg.errors import PolicyKGError

QUERY_DIR = Path(__file__).resolve().parent / "queries"
FORMATS = ("table", "csv", "tsv", "json", "md")
PARAM_TYPES = ("theme", "region", "beneficiary", "iri", "int", "float", "str")

_HEADER = re.compile(r"^\s*#\s*(name|description|param)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([a-z]+)(\?)?$")
_OPTIONAL_LINE = re.compile(r"\s#\?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_POSITION = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    optional: bool = False

    def __str__(self) -> str:
        return f"{self.name}:{self.type}{'?' if self.optional else ''}"


@dataclass
class NamedQuery:
    name: str
    text: str
    description: str = ""
    params: list[Param] = field(default_factory=list)
    origin: str = "query"          # what error messages name: the file, `--name X`, `query`

    @property
    def source(self) -> str:
        return self.origin

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def text_for(self, given: set[str]) -> str:
        """The query with the `#? name` lines of parameters not given blanked."""
        lines = []
        for line in self.text.split("\n"):
            m = _OPTIONAL_LINE.search(line)
            lines.append("" if m and m.group(1) not in given else line)
        return "\n".join(lines)

    def bind(self, values: dict[str, object]) -> dict[str, Node]:
        """Typed RDF terms for the given parameter values (None = not given)."""
        bindings: dict[str, Node] = {}
        for name, value in values.items():
            if value is None:
                continue
            param = self.param(name)
            if param is None:
                if self.params:
                    accepted = ", ".join(str(p) for p in self.params)
                    raise PolicyKGError(f"unknown parameter '{name}' (accepted: {accepted})", self.source)
                # an ad-hoc query without a header: type a parameter by its name, else a string
                param = Param(name, name if name in ("theme", "region", "beneficiary") else "str")
            bindings[name] = coerce(param, value)
        missing = [str(p) for p in self.params if not p.optional and p.name not in bindings]
        if missing:
            raise PolicyKGError(f"missing parameter {', '.join(missing)} (give it as --param NAME=VALUE)",
                                self.source)
        return bindings


@dataclass
class Result:
    variables: list[str]
    rows: list[dict[str, Node | None]]

    def records(self) -> list[dict[str, object]]:
        """Rows as plain Python values (IRIs as strings, numbers as numbers)."""
        return [{v: plain(row.get(v)) for v in self.variables} for row in self.rows]


# ------------------------------------------------------------------ reading queries

def parse(text: str, name: str = "query", origin: str = "query") -> NamedQuery:
    """A query and what its header comments declare."""
    q = NamedQuery(name=name, text=text, origin=origin)
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.groups()
        if key == "name":
            q.name = value
        elif key == "description":
            q.description = value
        else:
            p = _PARAM.match(value.replace(" ", ""))
            if not p or p.group(2) not in PARAM_TYPES:
                raise PolicyKGError(f"bad '# param: {value}' (write NAME:TYPE, TYPE one of "
                                    f"{', '.join(PARAM_TYPES)}, '?' at the end if optional)", origin)
            q.params.append(Param(p.group(1), p.group(2), bool(p.group(3))))
    return q


def load_file(path: str | Path) -> NamedQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PolicyKGError(f"cannot read the query ({getattr(err, 'strerror', None) or err})", path) from None
    return parse(text, name=path.stem, origin=str(path))


@lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """The queries shipped in kg/queries/, by name."""
    queries = {}
    for path in sorted(QUERY_DIR.glob("*.rq")):
        q = load_file(path)
        q.origin = f"--name {q.name}"
        queries[q.name] = q
    return queries


def get(name: str) -> NamedQuery:
    queries = named_queries()
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `policykg queries` lists them"
    raise PolicyKGError(f"no named query '{name}'{hint}")


# ------------------------------------------------------------------ parameters

_VOCAB_PREFIX = {"theme": "theme", "region": "reg", "beneficiary": "ben"}


def _resolver(kind: str):
    return {"theme": (vocab.resolve_theme, vocab.themes), "region": (vocab.resolve_region, vocab.regions),
            "beneficiary": (vocab.resolve_beneficiary, vocab.beneficiaries)}[kind]


def _suggest(kind: str, text: str) -> str:
    """"; did you mean 厦门市?": the closest concepts by any label, each named once; among
    equally close regions the better known (sub-provincial, provincial) come first."""
    concepts = _resolver(kind)[1]()
    key = vocab.to_simplified(text).strip().lower()
    scores: dict[str, float] = {}
    for cid, c in concepts.items():
        for label in (cid, c.zh, c.en, *c.strong, *c.english):
            ratio = difflib.SequenceMatcher(None, key, label.lower()).ratio()
            if ratio >= 0.4:
                bonus = 0.05 * c.sub_provincial + 0.03 * (c.level in ("province", "municipality"))
                scores[cid] = max(scores.get(cid, 0.0), ratio + bonus)
    close = sorted(scores, key=lambda cid: (-scores[cid], cid))[:3]
    if not close:
        return f"; `policykg query --name {kind}s` lists them" if kind != "beneficiary" else ""
    return "; did you mean " + ", ".join(f"{concepts[c].zh} ({c})" for c in close) + "?"


def coerce(param: Param, value: object) -> Node:
    """The RDF term for a parameter value as typed by a person."""
    if isinstance(value, (URIRef, Literal)):
        return value
    text = str(value).strip() if param.type != "str" else str(value)
    if param.type in ("theme", "region", "beneficiary"):
        prefix = _VOCAB_PREFIX[param.type]
        for head in (str(vocab.PREFIXES[prefix]), f"{prefix}:"):   # an IRI or prefixed name of it
            if text.startswith(head):
                text = text[len(head):]
        concept = _resolver(param.type)[0](text)
        if concept is None:
            raise PolicyKGError(f"unknown {param.type} {text!r}{_suggest(param.type, text)}")
        return URIRef(concept.iri)
    if param.type == "int":
        try:
            return Literal(int(text), datatype=XSD.integer)
        except ValueError:
            raise PolicyKGError(f"parameter {param.name}: '{text}' is not a whole number") from None
    if param.type == "float":
        try:
            return Literal(Decimal(text), datatype=XSD.decimal)
        except ArithmeticError:
            raise PolicyKGError(f"parameter {param.name}: '{text}' is not a number") from None
    if param.type == "iri":
        return URIRef(expand_iri(text, param.name))
    return Literal(text)


def expand_iri(text: str, what: str = "IRI") -> str:
    """An absolute IRI from `<…>`, a full IRI or a prefixed name of the ontology (`id:…`)."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    prefix, _, local = text.partition(":")
    if prefix in vocab.PREFIXES and not local.startswith("//"):
        text = str(vocab.PREFIXES[prefix]) + local
    if not _IRI.match(text):
        raise PolicyKGError(f"{what}: '{text}' is not an IRI (give it in full or as a prefixed name like id:…)")
    return text


# ------------------------------------------------------------------ running

def run(store, text: str, bindings: dict[str, Node] | None = None, source: str | None = None) -> Result:
    """Run a SELECT or ASK query on a store; user errors as one line naming `source`."""
    try:
        variables, rows = store.select(text, bindings or {})
    except PolicyKGError as err:
        if err.reason.startswith("SPARQL syntax error"):
            raise PolicyKGError(_syntax_message(err.reason, text), source or err.path) from None
        raise
    except (RuntimeError, ValueError, OSError) as err:   # evaluation errors of the engines
        raise PolicyKGError(f"query failed: {_one_line(str(err))}", source) from None
    return Result(variables, rows)


def run_named(store, name: str | NamedQuery, params: dict[str, object] | None = None) -> Result:
    q = name if isinstance(name, NamedQuery) else get(name)
    bindings = q.bind(params or {})
    return run(store, q.text_for(set(bindings)), bindings, q.source)


def _one_line(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _syntax_message(reason: str, text: str) -> str:
    """The parser's message and position, with the words at that position, on one line."""
    message = _one_line(reason, 200)
    m = _POSITION.search(reason)
    if m:
        line_no, col = int(m.group(1)), int(m.group(2))
        lines = text.split("\n")
        if "Prefix not found" in reason and 1 <= line_no <= len(lines):   # Oxigraph lists every char class
            before = re.search(r"([A-Za-z][\w.-]*)?:[\w-]*\s*$", lines[line_no - 1][:max(col - 1, 0)])
            known = ", ".join(sorted(vocab.PREFIXES) + ["owl", "rdf", "rdfs", "xsd"])
            name = f"'{before.group(1) or ''}:' " if before else ""
            message = f"SPARQL syntax error: error at {line_no}:{col}: unknown prefix {name}(predeclared: {known})"
        if 1 <= line_no <= len(lines):
            near = lines[line_no - 1][max(col - 1, 0):].strip()[:30]
            message += f" (line {line_no}, column {col}: near {json.dumps(near, ensure_ascii=False) if near else 'the end'})"
    return message


# ------------------------------------------------------------------ values and text

def plain(term: Node | None) -> object:
    """A term as a plain Python value: IRIs as strings, numbers as int/float, dates as ISO text."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool):
            return value
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return str(term)
    return str(term)


@lru_cache(maxsize=1)
def _namespaces() -> list[tuple[str, str]]:
    return sorted(((str(ns), p) for p, ns in vocab.PREFIXES.items()), key=lambda x: -len(x[0]))


def short(value: object) -> str:
    """A value for people: IRIs of the ontology as prefixed names, numbers without noise."""
    if value is None:
        return ""
    if isinstance(value, URIRef) or (isinstance(value, str) and value.startswith(("http://", "https://"))):
        text = str(value)
        for ns, prefix in _namespaces():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return text
    if isinstance(value, Literal):
        return short(plain(value))
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_rows(columns: list[str], rows: list[dict], fmt: str, compact: bool = False) -> str:
    """Rows of plain values as csv, tsv, json or a Markdown table (the table format is rich's,
    see `rich_table`). `compact` shortens IRIs to prefixed names (Markdown for people)."""
    if fmt == "json":
        return json.dumps({"variables": columns, "rows": rows}, ensure_ascii=False, indent=1, default=str)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        if fmt == "csv":
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([[_cell(r.get(c)) for c in columns] for r in rows])
        else:   # one record a line: tabs and line breaks inside values become spaces
            buf.write("\t".join(columns) + "\n")
            for r in rows:
                buf.write("\t".join(re.sub(r"[\t\r\n]+", " ", _cell(r.get(c))) for c in columns) + "\n")
        return buf.getvalue().rstrip("\n")
    if fmt == "md":
        def md(value: object) -> str:
            text = short(value) if compact and not isinstance(value, (list, tuple)) else _cell(value)
            return re.sub(r"[\r\n]+", " ", text).replace("|", "\\|")
        out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        out += ["| " + " | ".join(md(r.get(c)) for c in columns) + " |" for r in rows]
        return "\n".join(out)
    raise PolicyKGError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})")


def rich_table(columns: list[str], rows: list[dict], title: str | None = None, width: int = 60):
    """A rich Table of rows for the terminal; long cells are cut to `width` characters."""
    from rich.table import Table
    from rich.text import Text
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        cells = []
        for c in columns:
            text = " ".join(short(r.get(c)).split())
            cells.append(Text(text if len(text) <= width else text[:width - 1] + "…"))
        table.add_row(*cells)
    return table


def format_result(result: Result, fmt: str) -> str:
    return format_rows(result.variables, result.records(), fmt, compact=True)
