"""The dashboard's logic without a browser: controls change results, not geometry."""

import re

import pandas as pd

from toolkit import widgets


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_city_switch_restyles_without_new_geometry():
    d = widgets.SpecialEducationDashboard()
    geojson = d.figure.data[0].geojson
    assert len(d.figure.data[0].locations) == 33
    d.city.value = "410400"
    assert d.profile.value == "pingdingshan"  # the city's own plan
    assert sorted(d.figure.data[0].locations) == [
        "410402", "410403", "410404", "410411", "410421",
        "410422", "410423", "410425", "410481", "410482",
    ]  # fmt: skip
    assert d.figure.data[0].geojson is geojson
    assert len(d.figure.data[1].text) == 10 and "石龙区" in d.figure.data[1].text  # names
    table = text(d.table.value)
    assert "未达标的县（4个）" in table and "石龙区" in table and "屯留区" not in table
    # z codes: 0 达标, 1 未达标
    z = dict(zip(d.figure.data[0].locations, d.figure.data[0].z, strict=True))
    assert z["410404"] == 1 and z["410402"] == 0


def test_profile_and_threshold_controls():
    d = widgets.SpecialEducationDashboard()
    d.city.value = "140400"
    assert d.profile.value == "changzhi"
    assert "襄垣县" in text(d.table.value)  # non-standard school under 长治's plan
    d.profile.value = "national"
    assert "襄垣县" not in text(d.table.value)
    assert "用户设定" not in d.param_note.value
    d.threshold.value = 100_000  # every 长治 county is now "large"
    assert "用户设定参数" in d.param_note.value
    assert "武乡县" in text(d.table.value)  # a class is no longer enough
    assert "100,000" in text(d.summary.value)
    d.profile.value = "jining"  # resets the line to the profile's own figure
    assert d.threshold.value == 200_000 and "用户设定" not in d.param_note.value


def test_sources_and_banner_are_shown():
    d = widgets.SpecialEducationDashboard()
    assert "003_2312c144af1f05ee.txt 第7行" in d.sources.value
    assert "示例数据（模拟）" in d.banner.value
    assert d.figure.layout.annotations[0].text == "示例数据（模拟）"


def test_errors_become_a_friendly_message():
    broken = widgets.special_education_dashboard(
        counties=pd.DataFrame({"adcode": ["1"]}), schools=pd.DataFrame()
    )
    assert "出错了" in broken.value and "Traceback" not in broken.value


def test_english_switch_translates_tables_map_and_detail():
    d = widgets.SpecialEducationDashboard()
    d.city.value = "410400"
    d.language.value = "en"
    assert (d.province.value, d.city.value, d.city.label) == ("all", "410400", "平顶山市")  # kept
    table = text(d.table.value)
    # 石龙区 (42,066) has a class, but not in a 9-year or boarding school (平顶山's rule)
    assert "Counties falling short (4)" in table and "falls short" in table
    assert "its classes are not in a 9-year or boarding school" in table and "石龙区" in table
    assert "its special school does not meet the standard" in table  # 鲁山县
    assert "未达标" not in table and "县（区）" not in table
    assert "Coverage by city" in d.summary.value and "With a special school" in d.summary.value
    trace = d.figure.data[0]
    assert list(trace.colorbar.ticktext) == ["meets", "falls short", "not applicable", "no data"]
    assert "Population" in trace.hovertemplate and "常住人口" not in trace.hovertemplate
    assert d.profile.label.startswith("Pingdingshan city plan")
    detail = text(d.detail_html("410404"))
    assert "falls short" in detail and "未达标" not in detail
    # back to Chinese: everything returns
    d.language.value = "zh"
    assert "未达标的县（4个）" in text(d.table.value)
    assert list(d.figure.data[0].colorbar.ticktext)[1] == "未达标"
    assert d.profile.label.startswith("平顶山市")


def test_coverage_is_summed_by_province_when_several_provinces_are_shown():
    # all China would list some 370 cities: several provinces are summed up one row each
    d = widgets.SpecialEducationDashboard()  # the demo: 山西, 河南, 山东, one city each
    summary = text(d.summary.value)
    assert "各省覆盖情况" in summary and "省份" in summary
    assert all(p in summary for p in ("山西省", "河南省", "山东省")) and "长治市" not in summary
    d.province.value = "140000"
    summary = text(d.summary.value)
    assert "城市覆盖情况" in summary and "长治市" in summary and "山西省" not in summary


def test_the_tables_follow_once_the_page_has_painted_the_map():
    # sent with the map, the tables were applied while plotly.js drew it and delayed its paint

    import ipywidgets as w
    from test_maps import _Comm, in_a_loop

    from toolkit.widgets.common import walk

    async def scenario() -> None:
        d = widgets.SpecialEducationDashboard()
        panels = [
            x for x in walk(d.view) if isinstance(x, w.HTML) and x not in (d.loading, d.message)
        ]
        for x in [d.map, d.loading, *panels]:
            x.comm = _Comm()
        d.map._handle_message(d.map, {"event": "drawn", "revision": d.map.revision}, [])
        before = d.table.value
        d.city.value = "410400"
        # a view never shown: its tables are made only once the page has painted its map (made
        # meanwhile, they took the cores from the browser drawing it), and nothing is sent
        assert d.table.value == before
        assert len(d.map.comm.sent) == 1 and not any(x.comm.sent for x in panels)
        assert "kuoyou-loading" in d.loading.value
        d.map._handle_message(d.map, {"event": "drawn", "revision": d.map.revision}, [])
        assert d.table.value != before and "平顶山" in d.summary.value
        sent = [x.comm.sent[-1][0]["state"]["value"] for x in panels if x.comm.sent]
        assert d.table.value in sent and d.loading.value == ""
        # a view shown before: its tables are set at once, and held until the map is painted
        pingdingshan = d.table.value
        d.city.value = widgets.areas.ALL
        d.map._handle_message(d.map, {"event": "drawn", "revision": d.map.revision}, [])
        assert d.table.value != pingdingshan
        for x in [d.map, *panels]:
            x.comm.sent.clear()
        d.city.value = "410400"
        assert d.table.value == pingdingshan and not any(x.comm.sent for x in panels)
        d.map._handle_message(d.map, {"event": "drawn", "revision": d.map.revision}, [])
        sent = [x.comm.sent[-1][0]["state"]["value"] for x in panels if x.comm.sent]
        assert pingdingshan in sent and d.loading.value == ""

    in_a_loop(scenario())


def test_a_choice_made_before_the_map_is_painted_shows_its_own_tables():
    # the tables of a view the official left before its map was painted are not made at all

    from test_maps import _Comm, in_a_loop

    async def scenario() -> None:
        d = widgets.SpecialEducationDashboard()
        d.map.comm = _Comm()
        d.map._handle_message(d.map, {"event": "drawn", "revision": d.map.revision}, [])
        made = []
        panels_html = d.panels_html
        d.panels_html = lambda res: made.append(d.view_state()) or panels_html(res)
        d.city.value = "410400"  # 平顶山市, then 长治市 before the page has drawn 平顶山
        d.city.value = "140400"
        assert made == []
        d.map._handle_message(d.map, {"event": "drawn", "revision": d.map.revision}, [])
        assert [state[0] for state in made] == ["140400"]
        assert "长治" in d.summary.value and "平顶山" not in d.summary.value

    in_a_loop(scenario())
