"""Shared CLI helpers: the console and one-line errors."""
from __future__ import annotations

import typer
from rich.console import Console

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and exit."""
    err_console.print(f"[bold red]policykg:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
