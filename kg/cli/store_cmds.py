"""serve, push: the built graph behind a SPARQL endpoint, or into someone else's."""
from __future__ import annotations

import signal
import time
from pathlib import Path

import typer

from kg.cli import app
from kg.cli.common import console, err_console, fail

BUILD_HELP = "Build folder made by `policykg build`."


@app.command()
def serve(
    build: Path = typer.Option(Path("build"), "--build", "-b", help=BUILD_HELP),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(7878, min=0, max=65535, help="Port to listen on (0: any free port)."),
    timeout: float = typer.Option(30, min=0.1, help="Seconds a query may run before it is stopped (503)."),
    max_result_mb: float = typer.Option(64, min=0.001, help="Largest result sent, in MB (larger: 500)."),
    max_concurrent: int = typer.Option(16, min=1, help="Queries run at once; more wait for a slot."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every request on stderr."),
) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 endpoint at /query (alias /sparql).

    GET or POST queries; JSON, XML, CSV or TSV results by the Accept header; updates are refused.
    Answered by the Oxigraph server behind a thin proxy that adds the timeout and size limit.

    Example: [bold]policykg serve --port 7878[/]  then
    [bold]curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3' http://127.0.0.1:7878/query[/]
    """
    from kg.serve import Endpoint, is_loopback
    log = (lambda msg: err_console.print(msg, highlight=False, markup=False)) if verbose else None
    endpoint = Endpoint(build, host, port, timeout, int(max_result_mb * 2**20), max_concurrent, log=log)
    if not is_loopback(host):
        err_console.print(f"[yellow]warning:[/] listening on {host}: the graph is readable by other machines",
                          highlight=False)
    endpoint.start()
    signal.signal(signal.SIGTERM, _interrupt)   # stop cleanly (and stop the Oxigraph server) on kill
    console.print(f"SPARQL endpoint {endpoint.url} (read-only, timeout {timeout:g} s, results up to "
                  f"{max_result_mb:g} MB); Ctrl-C to stop", highlight=False)
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.stop()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def push_graph(build: Path, url: str, update_url: str | None = None, gsp_url: str | None = None,
               graph: str | None = None, replace: bool = False, batch: int = 0) -> int:
    """Send build/graph.nt to the SPARQL server at `url`; returns the number of triples sent."""
    from kg.store.remote import RemoteStore
    nt = build / "graph.nt"
    if not nt.exists():
        fail(f"{nt}: no built graph; run `policykg build` first")
    store = RemoteStore(url, update_url=update_url, gsp_url=gsp_url)
    method = "gsp" if gsp_url else "update"
    batch = batch or (100_000 if method == "gsp" else 20_000)
    total = sum(1 for line in open(nt, encoding="utf-8") if line.strip())
    t0 = time.perf_counter()
    if replace:
        store.clear(graph)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    with Progress(TextColumn("pushing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("push", total=total)
        sent = store.upload_ntriples(nt, graph=graph, batch=batch, method=method,
                                     progress=lambda n: bar.update(task, advance=n))
    where = f"graph <{graph}>" if graph else "the default graph"
    console.print(f"pushed {sent:,} triples to {where} of {url} by "
                  f"{'Graph Store Protocol' if method == 'gsp' else 'SPARQL Update'} in "
                  f"{time.perf_counter() - t0:.1f} s", highlight=False)
    return sent


@app.command()
def push(
    store: str = typer.Option(..., "--store", help="Query URL of the SPARQL server (e.g. http://127.0.0.1:7878/query)."),
    build: Path = typer.Option(Path("build"), "--build", "-b", help=BUILD_HELP),
    update_url: str = typer.Option(None, help="SPARQL Update URL (default: …/query -> …/update, else the store URL)."),
    gsp_url: str = typer.Option(None, help="Graph Store Protocol URL: upload through it instead of SPARQL Update "
                                           "(Oxigraph …/store, Fuseki …/<dataset>/data)."),
    graph: str = typer.Option(None, help="Named graph IRI to load into (default: the default graph)."),
    replace: bool = typer.Option(False, "--replace", help="Clear the target graph first (stale triples of an older build go)."),
    batch: int = typer.Option(0, min=0, help="Triples per request (default 20,000 by Update, 100,000 by GSP)."),
) -> None:
    """Load the built graph into a running SPARQL server, in batches.

    Then query it with any query command and [bold]--store URL[/].

    Example: [bold]policykg push --store http://127.0.0.1:7878/query --replace[/]
    """
    if not store.startswith(("http://", "https://")):
        fail(f"--store {store}: give the http(s) URL of the server's query endpoint")
    push_graph(build, store, update_url, gsp_url, graph, replace, batch)
