"""Every notebook runs headless, top to bottom, without an error, and shows what it promises.

Each notebook in notebooks/ is executed with nbclient; a notebook named in
:data:`CHECKS` then has its outputs checked against known answers, any other one
against the general rules of its kind (a dashboard ends in a widget view with the
demo banner; an analyst notebook opens with a markdown cell and shows something).
"""

import base64
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").rglob("*.ipynb"))
PLOTLY = "application/vnd.plotly.v1+json"
WIDGET = "application/vnd.jupyter.widget-view+json"


def notebook_id(path: Path) -> str:
    """An ASCII test id: 入门_getting_started.ipynb → getting_started (pytest escapes 汉字 in ids)."""
    stem = path.stem
    if not stem.isascii() and "_" in stem:
        stem = stem.split("_", 1)[1]
    return stem if stem.isascii() else stem.encode("unicode_escape").decode()


# ------------------------------------------------------------------------------ output helpers
def outputs(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def text(nb) -> str:
    """Everything the notebook printed or displayed as text or HTML."""
    parts = []
    for o in outputs(nb):
        if o.output_type == "stream":
            parts.append(o.text)
        for mime in ("text/plain", "text/html"):
            parts.append(o.get("data", {}).get(mime, ""))
    return "\n".join(parts)


def figures(nb) -> list[dict]:
    return [o["data"][PLOTLY] for o in outputs(nb) if PLOTLY in o.get("data", {})]


def array(value) -> list:
    """A plotly JSON array: a list, or a typed array ``{"dtype": "i1", "bdata": base64}``."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def assert_offline(fig: dict) -> None:
    """Shown with maps.PLOT_CONFIG: plotly.js loads no world map from the CDN."""
    assert fig.get("config", {}).get("topojsonURL", "").startswith("data:"), "show with PLOT_CONFIG"


# ------------------------------------------------------------------------------ known answers
def check_getting_started(nb) -> None:
    shown = text(nb)
    assert "示例数据（模拟）" in shown
    assert "未达标" in shown and "outlook" in shown
    # at 150,000 only 武乡县 (155,386) changes requirement: a standard school instead of a class
    assert "counties whose requirement changes: 武乡县\n" in shown
    maps = figures(nb)
    assert len(maps) == 2
    for fig in maps:
        assert_offline(fig)
        assert len(fig["data"][0]["locations"]) == 12  # the 12 counties of 长治
        assert any("示例数据（模拟）" in a["text"] for a in fig["layout"]["annotations"])
    trace = maps[1]["data"][0]
    at_150k = dict(zip(trace["locations"], array(trace["z"]), strict=True))
    assert at_150k["140429"] == 1  # 武乡县 未达标 at 150,000


def check_your_own_data(nb) -> None:
    shown = text(nb)
    assert "读取 6 行，使用 5 行，拒绝 1 行" in shown  # the negative enrolment
    assert "不能为负数" in shown
    assert "读取 6 行，使用 6 行，拒绝 0 行" in shown  # after the fix
    assert "140404" in shown and "长治县特殊教育学校" in shown  # 140421 recoded to 上党区
    assert "平顺县" in shown  # in the scorecard once its row is fixed
    assert "记分卡.xlsx ['总览', '长治市', '规则出处']" in shown
    assert "学校填报模板.xlsx" in shown and "行政区划代码" in shown


def check_national_200k(nb) -> None:
    from toolkit import data, geo
    from toolkit.indicators import population

    census, counties = data.census_population(), geo.read_counties(simplified="national")
    line = population.population_line(
        census, counties, recode=population.census_recoding(census, counties)
    )
    total = line.summary.iloc[-1]
    shown = text(nb)
    assert f"地图上共 {total['counties']:,} 个县级单位" in shown
    assert f"20万人及以上 {total['above']:,} 个" in shown
    assert "香港特别行政区" in shown and "江干区" in shown  # unmatched units are listed
    (fig,) = figures(nb)
    assert_offline(fig)
    assert len(fig["data"][0]["locations"]) == len(counties) == 2875  # every unit drawn
    size = len(json.dumps(fig))
    assert size < 2.6e6, f"national map is {size / 1e6:.2f} MB"


def check_balanced_development(nb) -> None:
    from toolkit import data, indicators

    demo = data.load_demo()
    result = indicators.balanced_development(demo.resources, demo.counties)
    failing = result[
        result["indicator"].str.startswith("balanced_cv") & (result["status"] == "未达标")
    ]
    shown = text(nb)
    assert "示例数据（模拟）" in shown
    assert f"{failing['name'].nunique()} 个县共 {len(failing)} 项差异系数超标" in shown
    assert "生均体育运动场馆面积" in shown
    (fig,) = figures(nb)
    assert_offline(fig)
    assert sorted(s["y0"] for s in fig["layout"]["shapes"]) == [0.45, 0.5]


CHECKS = {
    "入门_getting_started.ipynb": check_getting_started,
    "导入自有数据_your_own_data.ipynb": check_your_own_data,
    "全国20万人口线_national_200k.ipynb": check_national_200k,
    "优质均衡_balanced_development.ipynb": check_balanced_development,
}


def check_dashboard(nb) -> None:
    """A dashboard notebook ends in a widget view, shows the demo banner and no error box."""
    assert any(WIDGET in o.get("data", {}) for o in outputs(nb))
    state = json.dumps(nb.metadata.get("widgets", {}), ensure_ascii=False)
    assert "示例数据（模拟）" in state, "the demo banner is missing"
    assert "出错了" not in state, "the dashboard showed its error box"


def is_dashboard(nb) -> bool:
    return any("toolkit.widgets" in c.source for c in nb.cells if c.cell_type == "code")


# ------------------------------------------------------------------------------ tests
def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert "special_education.ipynb" in names
    assert set(CHECKS) <= names, f"missing: {set(CHECKS) - names}"


def test_ids_are_ascii_and_unique():
    ids = [notebook_id(p) for p in NOTEBOOKS]
    assert all(i.isascii() for i in ids) and len(set(ids)) == len(ids), ids


@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_id)
def test_committed_clean(path):
    """Committed with outputs and execution counts cleared; analyst notebooks say what they show."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), (
        "commit notebooks with outputs and execution counts cleared"
    )
    if not is_dashboard(nb):
        assert nb.cells[0].cell_type == "markdown", (
            "start with a markdown cell saying what it shows"
        )
        if any("load_demo" in c.source for c in code):
            assert "示例数据（模拟）" in nb.cells[0].source, "the demo note is missing"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_id)
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    errors = [o for o in outputs(nb) if o.output_type == "error"]
    assert not errors, errors
    if path.name in CHECKS:
        CHECKS[path.name](nb)
    elif is_dashboard(nb):
        check_dashboard(nb)
    else:  # a notebook added without its own check still has to show something
        assert any(o.output_type in ("display_data", "execute_result") for o in outputs(nb))
