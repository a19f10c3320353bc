"""Shared fixtures. Research material (policy texts) is read from KUOYOU_SHARED,
defaulting to ../shared beside the clone, as CI lays it out."""

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from openpyxl import Workbook

from toolkit.testing import CHROMIUM, CHROMIUM_ARGS, routed, serving

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KUOYOU_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = SHARED
    if not (path / "policy").is_dir():
        pytest.fail(
            f"policy texts not found under {path}/policy: set KUOYOU_SHARED to the shared "
            "research folder (CI lays it out as ../shared)"
        )
    return path


@pytest.fixture(scope="session")
def demo():
    from toolkit import data

    return data.load_demo()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report so fixtures can save a screenshot on failure."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


# --- the browser tests' server and Chromium (one of each for the whole session) --------------
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def server():
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(log=ARTIFACTS / "voila.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is not installed (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    pg = ctx.new_page()
    pg.blocked = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            pg.blocked.append(route.request.url)
            route.abort()

    pg.route(routed, only_local)
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        pg.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    ctx.close()


# --- a bureau's own workbook, as the readers, the notebooks and the upload test see it ------------
def bureau_workbook(path):
    """长治's own workbook: a title row, a two-row merged header, an old code, bad rows."""
    wb = Workbook()
    note = wb.active
    note.title = "填表说明"
    note["A1"] = "本表由县区教育局填报"
    ws = wb.create_sheet("学校基本情况")
    ws.append(["长治市2024年学校基本情况统计表"])  # row 1: title
    ws.append(["学校信息", None, None, None, None, "学生", "特殊教育", None])  # row 2
    ws.merge_cells("A2:E2")
    ws.merge_cells("G2:H2")
    ws.append(["学校标识码", "学校名称", "县（市、区）代码", "学校类型", "办学性质",
               "在校生数", "特教班数", "是否达到办学标准"])  # row 3  # fmt: skip
    rows = [
        ["SE1", "潞州区特殊教育学校", "140403", "特殊教育学校", "公办", 180, 0, "是"],  # 4
        ["SE2", "长治县特殊教育学校", 140421, "特殊教育学校", "公办", 90, 0, "是"],  # 5: old code
        ["P1", "屯留区实验小学", "140405", "小学", "公办", "1,200", 2, "是"],  # 6
        ["K1", "潞城区第一幼儿园", "140406", "幼儿园", "公办", 300, None, None],  # 7
        ["K2", "潞城区阳光幼儿园", "140406", "幼儿园", "民办", 200, None, None],  # 8
        ["P2", "平顺县城关小学", "140425", "小学", "公办", -3, 0, "是"],  # 9: negative
        ["X1", "某校", "14042X", "小学", "公办", 5, 0, "是"],  # 10: malformed code
        ["K1", "潞城区第一幼儿园", "140406", "幼儿园", "公办", 300, None, None],  # 11: duplicate
        ["合计", None, None, None, None, 1967, 2, None],  # 12: totals
    ]
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


#: 长治's county totals for the upload tests: (adcode, name, kindergarten children, of them in
#: public kindergartens, special schools, special classes, eligible teachers, rotated, key rotated)
CHANGZHI_TOTALS = [
    ("140403", "潞州区", 21000, 13650, 1, 4, 2400, 300, 70),
    ("140404", "上党区", 8000, 5200, 1, 2, 900, 60, 10),
    ("140405", "屯留区", 6500, 3900, 0, 3, 800, 96, 20),
    ("140406", "潞城区", 5200, 3900, 1, 1, 700, 35, 5),
    ("140423", "襄垣县", 6100, 3050, 1, 2, 750, 90, 18),
    ("140425", "平顺县", 2600, 2080, 0, 1, 320, 40, 9),
    ("140426", "黎城县", 3000, 1500, 0, 0, 360, 30, 6),
    ("140427", "壶关县", 5600, 3920, 1, 0, 650, 78, 16),
    ("140428", "长子县", 7000, 3500, 1, 2, 800, 64, 12),
    ("140429", "武乡县", 3400, 2380, 1, 1, 400, 44, 9),
    ("140430", "沁县", 3200, 2240, 0, 2, 380, 38, 8),
    ("140431", "沁源县", 3300, 1650, 1, 0, 390, 47, 10),
]


def county_totals_workbook(path):
    """长治's county totals for 2023 and 2024 (Chinese headers under a title row), one bad row.

    2023 has every count at 90% of 2024's. The bad row (spreadsheet row 27) carries the code
    140499, which no county has ever had. Every dashboard can read the rest: kindergarten
    totals, special schools and classes, rotation.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "县级汇总"
    ws.append(["长治市各县（区）教育事业汇总表（2023—2024年）"])
    ws.append(["区县代码", "县区名称", "年份", "在园幼儿数", "公办园在园幼儿数", "特殊教育学校数",
               "附设特教班数", "符合交流条件教师数", "交流轮岗教师数", "交流轮岗骨干教师数"])  # fmt: skip
    for year in (2023, 2024):
        for code, name, kg, public, schools, classes, eligible, rotated, key in CHANGZHI_TOTALS:
            k = 1 if year == 2024 else 0.9
            row = [code, name, year, round(kg * k), round(public * k), schools, classes,
                   round(eligible * k), round(rotated * k), round(key * k)]  # fmt: skip
            ws.append(row)
    ws.append(["140499", "长治高新区", 2024, 900, 600, 0, 0, 100, 10, 2])  # the bad row
    wb.save(path)
    return path
