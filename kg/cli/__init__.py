"""`policykg`: build a knowledge graph of S&T transfer policies and compare regions.

The CLI is thin: each command parses its arguments, calls the library and prints. Commands live
in one module per concern and are registered here. Errors the user can act on are printed as one
line naming the file and the problem, with exit code 2; never a traceback.
"""
from __future__ import annotations

import sys

import typer

from kg.errors import PolicyKGError

app = typer.Typer(
    name="policykg",
    help="Compare Chinese regional science-and-technology transfer policies (科技成果转化政策) "
         "as a knowledge graph.\n\nStart with:  policykg build corpus/   then   policykg compare theme 先使用后付费",
    no_args_is_help=True, add_completion=False, rich_markup_mode="rich")


def _register() -> None:
    from kg.cli import build_cmds  # noqa: F401  (commands register themselves on `app`)
    from kg.cli import store_cmds  # noqa: F401
    from kg.cli import viz_cmds  # noqa: F401
    from kg.cli import query_cmds  # noqa: F401
    from kg.cli import export_cmds  # noqa: F401
    from kg.cli import benchmark_cmds  # noqa: F401


def main() -> None:
    _register()
    try:
        app()
    except PolicyKGError as err:
        typer.echo(f"policykg: {err}", err=True)
        sys.exit(2)
