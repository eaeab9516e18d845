"""A remote SPARQL 1.1 endpoint (Oxigraph server, Apache Jena Fuseki, Virtuoso) as a store.

- queries: SPARQL 1.1 Protocol, POST of the query as a form field, JSON results;
- parameters: a VALUES block of escaped RDF terms (rdflib `.n3()`) put first in the outer WHERE
  group, so they constrain the pattern as Oxigraph's substitutions and rdflib's initBindings do;
- updates: SPARQL 1.1 Update (INSERT DATA in batches) at the update URL;
- uploads: the Graph Store HTTP Protocol (POST of N-Triples in batches) at the GSP URL.

URLs: the store URL is the query endpoint. The update URL is derived from it (`…/query` ->
`…/update`, anything else: the same URL without its query string, as Virtuoso's /sparql and Fuseki's dataset URL take
both); there is no portable way to derive the Graph Store URL, so it is given explicitly
(Oxigraph: `…/store`, Fuseki: `…/<dataset>/data`, Virtuoso: `…/sparql-graph-crud`).
Query parameters of the URL (e.g. `default-graph-uri=`) are kept on every request; user and
password in the URL (`http://user:pw@host/…`) answer the server's Basic or Digest challenge.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import PolicyKGError
from kg.store import Row, prologue, with_values  # noqa: F401  (with_values: re-exported)

JSON_RESULTS = "application/sparql-results+json"
def from_json_term(value: dict | None) -> Node | None:
    if value is None:
        return None
    return _term(value.get("type"), value.get("value"), value.get("xml:lang"), value.get("datatype"))


@lru_cache(maxsize=1 << 16)     # results repeat IRIs and values; an rdflib Literal is slow to make
def _term(kind: str | None, value: str, lang: str | None, datatype: str | None) -> Node:
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = None          # a simple literal, as the other stores give it
        return Literal(value, lang=lang, datatype=URIRef(datatype) if datatype and not lang else None)
    raise PolicyKGError(f"unsupported term in the endpoint's answer: {kind} {value!r}")


def derive_update_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if path.endswith("/query"):
        path = path[: -len("query")] + "update"
    # the query's dataset parameters (default-graph-uri) mean nothing to an update
    return urllib.parse.urlunsplit(parts._replace(path=path, query=""))


class RemoteStore:
    name = "remote"

    def __init__(self, url: str, update_url: str | None = None, gsp_url: str | None = None,
                 timeout: float = 120):
        self.url, credentials = _split_auth(url)
        self.update_url, update_credentials = _split_auth(update_url or derive_update_url(url))
        self.gsp_url, gsp_credentials = _split_auth(gsp_url) if gsp_url else (None, None)
        credentials = credentials or update_credentials or gsp_credentials
        self.opener = _opener([u for u in (self.url, self.update_url, self.gsp_url) if u], credentials)
        self.timeout = timeout

    # --- HTTP -----------------------------------------------------------------------------

    def _post(self, url: str, body: bytes, content_type: str, accept: str | None = None) -> bytes:
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace").strip().splitlines()
            message = detail[0][:300] if detail else err.reason
            raise PolicyKGError(f"the SPARQL endpoint answered {err.code}: {message}", url) from None
        except urllib.error.URLError as err:
            raise PolicyKGError(f"cannot reach the SPARQL endpoint ({err.reason})", url) from None
        except (TimeoutError, OSError) as err:
            raise PolicyKGError(f"cannot reach the SPARQL endpoint ({err})", url) from None

    # --- the Store interface ----------------------------------------------------------------

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> tuple[list[str], list[Row]]:
        text = prologue() + with_values(query, bindings)
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        raw = self._post(self.url, body, "application/x-www-form-urlencoded", JSON_RESULTS)
        try:
            data = json.loads(raw)
        except ValueError:
            raise PolicyKGError("the SPARQL endpoint did not answer with SPARQL JSON results "
                                "(CONSTRUCT and DESCRIBE are not supported here; use SELECT or ASK)",
                                self.url) from None
        if "boolean" in data:
            return ["ask"], [{"ask": Literal(bool(data["boolean"]))}]
        variables = data.get("head", {}).get("vars", [])
        rows = [{v: from_json_term(b.get(v)) for v in variables} for b in data.get("results", {}).get("bindings", [])]
        return variables, rows

    def __len__(self) -> int:
        _, rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"])

    def update(self, update: str) -> None:
        body = urllib.parse.urlencode({"update": prologue() + update}).encode("utf-8")
        self._post(self.update_url, body, "application/x-www-form-urlencoded")

    def clear(self, graph: str | None = None) -> None:
        self.update(f"CLEAR SILENT GRAPH <{graph}>" if graph else "CLEAR SILENT DEFAULT")

    def upload_ntriples(self, path: Path, graph: str | None = None, batch: int = 50_000,
                        method: str | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Add the triples of an N-Triples file to the default graph (or `graph`), `batch`
        triples a request: through the Graph Store Protocol when a GSP URL is set (or
        method="gsp"), else as SPARQL Update INSERT DATA. Returns the number of triples sent."""
        method = method or ("gsp" if self.gsp_url else "update")
        if method == "gsp" and not self.gsp_url:
            raise PolicyKGError("no Graph Store Protocol URL given (--gsp-url)")
        sent = 0
        for lines in _batches(path, batch):
            data = "".join(lines)
            if method == "gsp":
                target = _with_query(self.gsp_url, {"graph": graph} if graph else {"default": ""})
                self._post(target, data.encode("utf-8"), "application/n-triples")
            else:
                inner = f"GRAPH <{graph}> {{\n{data}}}" if graph else data
                self.update(f"INSERT DATA {{\n{inner}}}")
            sent += len(lines)
            if progress:
                progress(len(lines))
        return sent

    def load_ntriples(self, path: Path) -> None:
        """Replace the default graph's content with the triples of an N-Triples file."""
        self.clear()
        self.upload_ntriples(path)


def _batches(path: Path, size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.lstrip().startswith("#"):
                batch.append(line if line.endswith("\n") else line + "\n")
                if len(batch) >= size:
                    yield batch
                    batch = []
    if batch:
        yield batch


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urllib.parse.urlsplit(url)
    extra = "&".join(f"{k}={urllib.parse.quote(v, safe='')}" if v else k for k, v in params.items())
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urllib.parse.urlunsplit(parts._replace(query=query))


def _split_auth(url: str) -> tuple[str, tuple[str, str] | None]:
    """URL without user:password, and the credentials."""
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith("http") or not parts.hostname:
        raise PolicyKGError("not an http(s) URL of a SPARQL endpoint", url)
    if parts.username is None:
        return url, None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host + (f":{parts.port}" if parts.port else "")
    credentials = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), credentials


def _opener(urls: list[str], credentials: tuple[str, str] | None) -> urllib.request.OpenerDirector:
    """Answers the server's Basic or Digest challenge (Fuseki, Virtuoso's /sparql-auth) when the
    store URL carried credentials."""
    if credentials is None:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    for url in urls:
        passwords.add_password(None, url, *credentials)
    return urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords),
                                       urllib.request.HTTPDigestAuthHandler(passwords))
