"""The project's own error: one line naming the file and the problem, never a traceback."""
from __future__ import annotations


class PolicyKGError(Exception):
    """A problem the user can act on. `str()` is the one-line message shown by the CLI."""

    def __init__(self, reason: str, path: object | None = None):
        reason = " ".join(str(reason).splitlines())   # one line, whatever a hostile argument holds
        self.reason = reason
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {reason}" if self.path else reason)
