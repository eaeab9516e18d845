"""An old binary Word .doc -> text, through a converter on PATH.

LibreOffice turns the .doc into a .docx, which kg.ingest.docx then reads with its list numbers
and headings; antiword (text only, numbers as it prints them) is the lighter fallback. Without
either, the user is told what to install.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from kg.errors import PolicyKGError
from kg.ingest.docx import docx_to_text

TIMEOUT = 120   # seconds; a first LibreOffice start builds its profile
MISSING = "cannot read .doc: install LibreOffice or antiword (or save as .docx)"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def antiword() -> str | None:
    return shutil.which("antiword")


@lru_cache(maxsize=1)
def _profile() -> tempfile.TemporaryDirectory:
    """A private LibreOffice profile for this process: a LibreOffice the user has open does not
    block the conversion, and the profile is made once (slow) and reused for every .doc."""
    return tempfile.TemporaryDirectory(prefix="policykg-lo-profile-")


def _with_libreoffice(exe: str, data: bytes, path: object) -> tuple[str, dict]:
    with tempfile.TemporaryDirectory(prefix="policykg-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        profile = Path(_profile().name).as_uri()
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "docx", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PolicyKGError(f"LibreOffice took more than {TIMEOUT} s to convert the .doc", path) from None
        out = Path(tmp) / "input.docx"
        if not out.exists():
            raise PolicyKGError("LibreOffice could not convert the .doc (damaged or not a Word file?)", path)
        text, meta = docx_to_text(out.read_bytes(), path)
    return text, meta | {"format": "doc", "converter": "libreoffice"}


def _with_antiword(exe: str, data: bytes, path: object) -> tuple[str, dict]:
    with tempfile.TemporaryDirectory(prefix="policykg-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        # -m UTF-8.txt: Unicode output; -w 0: one paragraph a line, no wrapping.
        try:
            run = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", str(src)], capture_output=True,
                                 timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PolicyKGError(f"antiword took more than {TIMEOUT} s", path) from None
    if run.returncode != 0 or not run.stdout.strip():
        reason = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PolicyKGError(f"antiword could not read the .doc ({reason[-1] if reason else 'no text'})", path)
    lines = [ln.strip() for ln in run.stdout.decode("utf-8", "replace").splitlines()]
    return "\n".join(ln for ln in lines if ln) + "\n", {"format": "doc", "converter": "antiword"}


def doc_to_text(data: bytes, path: object = None) -> tuple[str, dict]:
    """(text, metadata) of a .doc file. Raises PolicyKGError when no converter is installed."""
    exe = soffice()
    if exe:
        return _with_libreoffice(exe, data, path)
    exe = antiword()
    if exe:
        return _with_antiword(exe, data, path)
    raise PolicyKGError(MISSING, path)
