"""`policykg serve`: the built graph as a read-only SPARQL 1.1 Protocol endpoint.

Who does what:
- the Oxigraph server (`oxigraph serve-read-only`, from the PyPI package `oxigraph`) answers the
  queries: the SPARQL 1.1 Protocol (GET and POST, form or direct body), content negotiation of
  JSON, XML, CSV and TSV results, and refusal of updates. It listens on a private loopback port.
- a thin proxy in front of it (this module, on --host/--port) adds what that server lacks:
  a wall-clock timeout per query (Oxigraph's own --timeout-s is checked cooperatively and some
  queries never check it), a limit on the size of a result, a limit on concurrent queries, and
  exposes only the query endpoint (`/query`, alias `/sparql`): `/update` and `/store` and any
  update request are refused with 403, other methods with 405; nothing else is served.
A query over its time is answered 503 at the timeout; if the server is still busy with it a few
seconds after its own timeout, the server is restarted (queries in flight then are retried once).
"""
from __future__ import annotations

import http.client
import ipaddress
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import PolicyKGError

QUERY_PATHS = ("/query", "/sparql")
WRITE_PATHS = ("/update", "/store")
READ_ONLY = "this endpoint is read-only: updates are refused\n"
GRACE_S = 5.0            # how long a timed-out query may keep the server busy before a restart


def size_text(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n:,} bytes"


def oxigraph_binary() -> str:
    """The `oxigraph` server installed beside this Python (the PyPI package), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise PolicyKGError("the Oxigraph server is not installed (pip install oxigraph)")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def wait_until_serving(host: str, port: int, proc: subprocess.Popen | None = None, timeout: float = 30) -> None:
    """Wait (bounded) until something accepts connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
            raise PolicyKGError(f"the Oxigraph server stopped at start: {err.splitlines()[-1] if err else proc.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise PolicyKGError(f"the server did not start listening on {host}:{port} within {timeout:.0f} s")


class Backend:
    """The Oxigraph server process on a private loopback port; restartable."""

    def __init__(self, store: Path, timeout: float):
        self.store, self.timeout = store, timeout
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.generation = 0
        self.restarts = 0

    def start(self) -> None:
        port = free_port()
        proc = subprocess.Popen(
            [oxigraph_binary(), "serve-read-only", "--location", str(self.store), "--bind", f"127.0.0.1:{port}",
             "--timeout-s", str(max(1, int(self.timeout + 1)))],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until_serving("127.0.0.1", port, proc)
        except PolicyKGError:
            proc.kill()
            proc.wait(timeout=10)
            raise
        self.proc, self.port = proc, port
        self.generation += 1

    def restart(self, generation: int) -> None:
        """Restart unless someone already did since `generation`."""
        with self.lock:
            if generation != self.generation:
                return
            self.stop()
            self.start()
            self.restarts += 1

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


class QueryTimeout(Exception):
    pass


class ResultTooLarge(Exception):
    pass


class Endpoint:
    """The proxy and its backend. Use as a context manager or start() / serve_forever() / stop()."""

    def __init__(self, build_dir: str | Path = "build", host: str = "127.0.0.1", port: int = 7878,
                 timeout: float = 30, max_result_bytes: int = 64 << 20, max_concurrent: int = 16,
                 log=None):
        self.store = Path(build_dir) / "store"
        if not (self.store.is_dir() and any(self.store.iterdir())):
            raise PolicyKGError("no built store; run `policykg build` first", self.store)
        self.host, self.port = host, port
        self.timeout, self.max_result_bytes = timeout, max_result_bytes
        self.slots = threading.BoundedSemaphore(max_concurrent)
        self.backend = Backend(self.store, timeout)
        self.log = log
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/query"

    def start(self) -> "Endpoint":
        self.backend.start()
        handler = type("Handler", (_Handler,), {"endpoint": self})
        try:
            self.httpd = _Server((self.host, self.port), handler)
        except OSError as err:
            self.backend.stop()
            raise PolicyKGError(f"cannot listen on {self.host}:{self.port} ({err.strerror or err})") from None
        self.port = self.httpd.server_address[1]
        return self

    def serve_forever(self) -> None:
        assert self.httpd is not None
        self.httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        self.backend.stop()

    def __enter__(self) -> "Endpoint":
        self.start()
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- one query ----------------------------------------------------------------------------

    def forward(self, method: str, target: str, body: bytes | None, headers: dict[str, str]
                ) -> tuple[int, str, bytes]:
        """(status, content type, body) of the backend's answer, within the time and size limits."""
        deadline = time.monotonic() + self.timeout
        if not self.slots.acquire(timeout=self.timeout):
            raise QueryTimeout()
        try:
            for attempt in (1, 2):
                generation, port = self.backend.generation, self.backend.port
                try:
                    return self._ask(port, generation, method, target, body, headers, deadline)
                except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                    # the backend was restarted under this query: ask the new one once
                    if attempt == 2 or time.monotonic() >= deadline:
                        raise
                    time.sleep(0.2)
            raise AssertionError("unreachable")
        finally:
            self.slots.release()

    def _ask(self, port, generation, method, target, body, headers, deadline) -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max(0.05, deadline - time.monotonic()))
        keep_open = False
        try:
            conn.request(method, target, body=body, headers=headers)
            conn.sock.settimeout(max(0.05, deadline - time.monotonic()))
            response = conn.getresponse()
            chunks, size = [], 0
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise socket.timeout()
                conn.sock.settimeout(remaining)
                chunk = response.read1(1 << 16)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_result_bytes:
                    raise ResultTooLarge()
                chunks.append(chunk)
            return response.status, response.getheader("Content-Type", "text/plain"), b"".join(chunks)
        except (socket.timeout, TimeoutError):
            keep_open = True
            threading.Thread(target=self._watch_abandoned, args=(conn, generation), daemon=True).start()
            raise QueryTimeout() from None
        finally:
            if not keep_open:
                conn.close()

    def _watch_abandoned(self, conn: http.client.HTTPConnection, generation: int) -> None:
        """A timed-out query: Oxigraph should cancel it at its own timeout; if it is still busy
        well after that, restart it so the query cannot hold a core forever."""
        give_up = time.monotonic() + 1 + GRACE_S
        if conn.sock is None:
            return
        try:
            while time.monotonic() < give_up:
                conn.sock.settimeout(max(0.05, give_up - time.monotonic()))
                if not conn.sock.recv(1 << 16):
                    return      # the server finished (or cancelled) the query
            raise socket.timeout()
        except (socket.timeout, TimeoutError):
            if self.log:
                self.log("a timed-out query kept the server busy: restarting it")
            self.backend.restart(generation)
        except OSError:
            return
        finally:
            conn.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    endpoint: Endpoint
    protocol_version = "HTTP/1.1"
    server_version = "policykg-serve"

    def log_message(self, fmt: str, *args) -> None:
        if self.endpoint.log:
            self.endpoint.log(f"{self.address_string()} {fmt % args}")

    def _send(self, status: int, body: bytes | str, content_type: str = "text/plain; charset=utf-8",
              extra: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Vary", "Accept")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _route(self) -> tuple[str, str]:
        parts = urllib.parse.urlsplit(self.path)
        return parts.path.rstrip("/") or "/", parts.query

    def do_GET(self) -> None:
        path, query = self._route()
        if path == "/":
            self._send(200, f"policykg read-only SPARQL 1.1 endpoint: {self.endpoint.url}\n"
                            f"query timeout {self.endpoint.timeout:g} s, results up to "
                            f"{size_text(self.endpoint.max_result_bytes)}\n")
        elif path in QUERY_PATHS:
            fields = urllib.parse.parse_qs(query)
            if "update" in fields:
                self._send(403, READ_ONLY)
            elif "query" not in fields:
                self._send(400, "missing the `query` parameter\n")
            else:
                self._query("GET", f"/query?{query}", None, {})
        elif path in WRITE_PATHS:
            self._send(403, READ_ONLY)
        else:
            self._send(404, f"not found; the SPARQL endpoint is {QUERY_PATHS[0]}\n")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path, query = self._route()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if path in WRITE_PATHS or content_type == "application/sparql-update":
            self._send(403, READ_ONLY)
            return
        if path not in QUERY_PATHS:
            self._send(404, f"not found; the SPARQL endpoint is {QUERY_PATHS[0]}\n")
            return
        if content_type == "application/x-www-form-urlencoded":
            fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            if "update" in fields:
                self._send(403, READ_ONLY)
                return
        elif content_type != "application/sparql-query":
            self._send(415, "send the query as application/sparql-query or a form\n")
            return
        headers = {"Content-Type": self.headers.get("Content-Type")}
        self._query("POST", "/query" + (f"?{query}" if query else ""), body, headers)

    def _refuse_method(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)   # so the next request on this connection is read right
        self._send(405, "method not allowed: use GET or POST on /query (read-only)\n",
                   extra={"Allow": "GET, POST, HEAD"})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def _query(self, method: str, target: str, body: bytes | None, headers: dict[str, str]) -> None:
        if self.headers.get("Accept"):
            headers["Accept"] = self.headers["Accept"]
        try:
            status, content_type, data = self.endpoint.forward(method, target, body, headers)
        except QueryTimeout:
            self._send(503, f"query stopped: it took longer than the timeout of {self.endpoint.timeout:g} s\n")
            return
        except ResultTooLarge:
            self._send(500, f"query stopped: its result is larger than the limit of "
                            f"{size_text(self.endpoint.max_result_bytes)}; narrow it or add LIMIT\n")
            return
        except (OSError, http.client.HTTPException) as err:
            self._send(502, f"the query server failed: {err}\n")
            return
        self._send(status, data, content_type)
