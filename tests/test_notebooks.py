"""Every notebook runs headless, top to bottom, without an error."""

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert any(p.name == "special_education.ipynb" for p in NOTEBOOKS)


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit notebooks with outputs cleared"
    )
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # a dashboard notebook ends in a widget view, not in text
    if path.name == "special_education.ipynb":
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
        state = json.dumps(nb.metadata.get("widgets", {}), ensure_ascii=False)
        assert "示例数据（模拟）" in state, "the demo banner is missing"
        assert "出错了" not in state, "the dashboard showed its error box"
