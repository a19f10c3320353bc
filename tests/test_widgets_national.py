"""Dashboards on records kept as Parquet (KUOYOU_DATASET) and on data sets of all China:
the map is drawn coarse as a whole and with one province's own counties when one is chosen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from toolkit import engine, geo
from toolkit.widgets import (
    KindergartenDashboard,
    SpecialEducationDashboard,
    TeachersDashboard,
)
from toolkit.widgets import dataset as dataset_module
from toolkit.widgets.dataset import DataSet

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def changzhi(tmp_path_factory) -> Path:
    """The national benchmark generator's 长治 (simulated records, two years) as Parquet."""
    sys.path.insert(0, str(ROOT / "bench"))
    import make_national

    out = tmp_path_factory.mktemp("changzhi")
    make_national.generate(out, "city", "长治市", years=(2023, 2024), quiet=True)
    return out


def _features(dash) -> set[str]:
    return {f["properties"]["adcode"] for f in dash.map.geojson["features"]}


def test_a_large_data_set_is_drawn_coarse_then_province_by_province(monkeypatch):
    monkeypatch.setattr(dataset_module, "LARGE", 20)  # the demo's 33 counties count as large
    dash = SpecialEducationDashboard()
    assert dash.dataset.large and len(_features(dash)) == 33
    national = geo.read_counties(adcodes=["140403"], simplified="national").geometry.iloc[0]
    fine = geo.read_counties(adcodes=["140403"]).geometry.iloc[0]
    drawn = dash.dataset.geometry.set_index("adcode").geometry["140403"]
    assert drawn.equals(national) and not drawn.equals(fine)  # all of it: the coarse layer

    dash.province.value = "140000"  # 山西省: only its counties, at display detail
    assert _features(dash) == set(dash.dataset.counties.query("city == '长治市'")["adcode"])
    assert dash.dataset.geometry_for("140000").set_index("adcode").geometry["140403"].equals(fine)
    assert sorted(dash.figure.data[0].locations)[0] == "140403"

    dash.province.value = "all"
    assert len(_features(dash)) == 33
    dash.city.value = "410400"  # 平顶山市 while all provinces are shown: its province is drawn
    assert dash.province.value == "410000"
    assert len(_features(dash)) == 10 and len(dash.figure.data[0].locations) == 10
    assert dash.profile.value == "pingdingshan"  # and its own plan, as for a small data set


@pytest.mark.parametrize("cls", [SpecialEducationDashboard, KindergartenDashboard])
def test_on_a_large_data_set_each_province_is_prepared_with_its_own_map(cls, monkeypatch):
    """The first zoom from all China to a province repaints from what prepare() made."""
    monkeypatch.setattr(dataset_module, "LARGE", 20)
    d = cls()
    d.prepare(only_preheated=False)
    assert (d.province.value, d.city.value) == ("all", "all")  # the controls as they were
    made = []
    monkeypatch.setattr(d, "compute", lambda: made.append("compute"))
    monkeypatch.setattr(d, "figure_for", lambda *_: made.append("figure"))
    d.province.value = "410000"  # 河南省
    assert made == []  # nothing computed or built
    assert _features(d) == set(d.dataset.counties.query("province == '河南省'")["adcode"])
    monkeypatch.undo()
    monkeypatch.setattr(dataset_module, "LARGE", 20)
    fresh = cls()
    fresh.province.value = "410000"
    assert list(d.figure.data[0].z) == list(fresh.figure.data[0].z)
    assert {n: getattr(d, n).value for n in d.panels_html(d.result)} == {
        n: getattr(fresh, n).value for n in fresh.panels_html(fresh.result)
    }


def test_a_small_data_set_keeps_one_geometry():
    dash = SpecialEducationDashboard()
    assert not dash.dataset.large
    before = dash.map.geojson
    dash.province.value = "140000"
    assert dash.map.geojson is before and len(dash.figure.data[0].locations) == 12


def test_dashboards_on_parquet_records(changzhi, monkeypatch):
    monkeypatch.setenv(dataset_module.DATASET_ENV, str(changzhi))
    ds = DataSet.default()
    assert engine.is_table(ds.tables.schools) and engine.is_table(ds.tables.teachers)
    assert ds.is_demo  # the generator's manifest says simulated: the banner is shown
    assert ds.years() == [2024, 2023]

    sped = SpecialEducationDashboard(ds)
    assert "示例数据（模拟）" in sped.banner.value
    assert set(sped.result["adcode"]) == set(ds.counties["adcode"]) and len(sped.result) == 12
    sped.map._handle_message(sped.map, {"event": "click", "location": "140403"}, [])
    assert "潞州区" in sped.detail.value and "学校名单" in sped.detail.value

    kg = KindergartenDashboard(ds)
    shares = kg.result.set_index("adcode")["value"]
    assert shares.between(0, 1).all() and shares.notna().sum() == 12

    teachers = TeachersDashboard(ds)
    rates = teachers.result.query("indicator == 'teacher_exchange_rate' and year == 2024")
    assert len(rates) == 12 and rates["value"].between(0, 1).all()
    assert teachers.min_years.disabled  # the generator fills 符合交流条件 itself
    assert "派出" in teachers.flows.value  # flows of 2023, followed into the 2024 roster
