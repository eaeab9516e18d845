"""notebooks/compare_regions.ipynb runs top to bottom on a build of the corpus, in a kernel of the
project's own Python, and shows what it promises; the copy in git carries no outputs."""
from __future__ import annotations

import json
import re
import sys

import pytest

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "compare_regions.ipynb"
KERNEL = "policykg-test-kernel"


def test_notebook_is_stored_without_outputs():
    import nbformat
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.fixture
def venv_kernel(tmp_path, monkeypatch) -> str:
    """A kernel spec that starts this very interpreter (the venv's), found first on JUPYTER_PATH."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "policykg (test)", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return KERNEL


def test_notebook_runs_clean_on_the_built_corpus(built, processed, venv_kernel, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    out_dir, _ = built
    monkeypatch.setenv("POLICYKG_BUILD", str(out_dir))
    monkeypatch.setenv("POLICYKG_FIGURES", str(tmp_path / "figures"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print('kernel python:', sys.executable)"))
    NotebookClient(nb, kernel_name=venv_kernel, timeout=180, allow_errors=False,
                   resources={"metadata": {"path": str(ROOT)}}).execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"kernel python: {sys.executable}" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3          # heatmap, largest caps, instrument profile
    assert (tmp_path / "figures" / "heatmap.png").read_bytes().startswith(b"\x89PNG")
    tables = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]

    # the pay-after-use table names exactly the regions whose extracted measures treat it
    pay_regions = {s.region for d in processed.values() for s in d.sources
                   if any(t.id == "pay-after-use" for m in s.measures for t in m.themes)}
    pay_table = next(t for t in tables if "what the text says" in t)
    shown = {row.split("|")[1].strip() for row in pay_table.splitlines()[2:]}
    assert shown == pay_regions
    # the instrument profile counts every measure-theme link once, under its class
    profile = next(t for t in tables if "supply-side" in t and "links" in t)
    links = sum(int(row.split("|")[-2]) for row in profile.splitlines()[2:])
    assert links == sum(len({t.id for t in m.themes}) for d in processed.values()
                        for s in d.sources for m in s.measures)
    # both SPARQL queries came back with rows
    sparql = [t for t in tables if t.startswith("| regionLabel |")]
    assert len(sparql) == 2 and all(len(t.splitlines()) > 2 for t in sparql)
    assert re.search(r"every quote matches|source: ", text)
