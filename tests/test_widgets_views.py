"""Views a dashboard has shown, or prepared ahead, repaint from its cache, and show exactly
what a fresh dashboard computes for them."""

import pytest

from toolkit import widgets

DASHBOARDS = [
    widgets.SpecialEducationDashboard,
    widgets.KindergartenDashboard,
    widgets.OverviewDashboard,
    widgets.TeachersDashboard,
]


def shown(d) -> dict:
    """What the page shows: every HTML panel and the map's trace data."""
    panels = {name: getattr(d, name).value for name in d.panels_html(d.result)}
    trace = d.figure.data[0]
    return panels | {"z": list(trace.z), "locations": list(trace.locations),
                     "text": list(() if trace.text is None else trace.text), "title": d.figure.layout.title.text}  # fmt: skip


def counting(d, monkeypatch) -> list:
    """Count the dashboard's calls of ``compute`` from now on."""
    calls = []
    compute = d.compute

    def counted():
        calls.append(1)
        return compute()

    monkeypatch.setattr(d, "compute", counted)
    return calls


@pytest.mark.parametrize("cls", DASHBOARDS, ids=lambda c: c.__name__)
def test_a_view_shown_before_repaints_from_the_cache(cls, monkeypatch):
    d = cls()
    years = [y for _, y in d.year.options]
    first = shown(d)
    calls = counting(d, monkeypatch)
    d.year.value = years[1]
    assert len(calls) == 1 and shown(d) != first  # a new view is computed
    d.year.value = years[0]
    assert len(calls) == 1  # the first view again: from the cache
    assert shown(d) == first


@pytest.mark.parametrize("cls", DASHBOARDS, ids=lambda c: c.__name__)
def test_prepared_years_repaint_without_computing_and_match_a_fresh_dashboard(cls, monkeypatch):
    d = cls()
    d.prepare(only_preheated=False)
    calls = counting(d, monkeypatch)
    year = [y for _, y in d.year.options][2]
    d.year.value = year
    d.city.value = "410400"  # 平顶山市 under its own plan, prepared in every year
    assert calls == []
    fresh = cls()
    fresh.year.value = year
    fresh.city.value = "410400"
    assert d.profile.value == fresh.profile.value == "pingdingshan"
    assert shown(d) == shown(fresh)


def test_language_and_own_controls_are_part_of_a_view():
    d = widgets.SpecialEducationDashboard()
    zh = d.summary.value
    d.language.value = "en"
    assert d.summary.value != zh and "Counties" in d.summary.value
    d.language.value = "zh"
    assert d.summary.value == zh
    table = d.table.value
    d.threshold.value = 100_000  # the dashboard's own control: another view
    assert d.table.value != table and "用户设定参数" in d.param_note.value


def test_new_data_forget_every_view(monkeypatch):
    d = widgets.KindergartenDashboard()
    old = d.dataset
    calls = counting(d, monkeypatch)
    d._switch_to(widgets.DataSet.default())  # the same figures, another data set
    assert d.dataset is not old and len(calls) == 1
