"""ipywidgets dashboards: a thin layer over ``indicators`` and ``maps``.

Each dashboard computes with the pure functions of the package, draws its map
with :class:`~toolkit.widgets.mapwidget.MapWidget` (a plotly figure drawn by the
vendored plotly.js geo bundle; never a figure inside an ``Output``: that hangs
Voila) and updates colours and text in place when a control changes. The shared page —
area, year and profile selectors, language switch, upload, downloads, county
detail — is :class:`~toolkit.widgets.shell.Dashboard`.

Example
-------
>>> from toolkit import widgets
>>> dash = widgets.SpecialEducationDashboard()
>>> dash.city.value = "410400"          # 平顶山市
>>> sorted(dash.figure.data[0].locations)[:2]
['410402', '410403']
"""

from __future__ import annotations

import ipywidgets as w

from .common import CSS, banner, friendly_error, html_table, t
from .dataset import DataSet
from .kindergartens import KindergartenDashboard
from .overview import OverviewDashboard
from .shell import Dashboard
from .special_education import SpecialEducationDashboard
from .teachers import TeachersDashboard


def _view(cls: type, **kwargs) -> w.Widget:
    """A dashboard's page, or a friendly error box: a dashboard never shows a traceback."""
    try:
        return cls(**kwargs).view
    except Exception as exc:  # noqa: BLE001 - shown to the user, logged in full
        return w.HTML(CSS + friendly_error(exc))


def special_education_dashboard(**kwargs) -> w.Widget:
    """The special-education dashboard as a widget, or a friendly error box.

    >>> view = special_education_dashboard()
    >>> type(view).__name__
    'VBox'
    """
    return _view(SpecialEducationDashboard, **kwargs)


def kindergartens_dashboard(**kwargs) -> w.Widget:
    """The public-kindergarten-share dashboard (公办园占比) as a widget, or a friendly error box."""
    return _view(KindergartenDashboard, **kwargs)


def overview_dashboard(**kwargs) -> w.Widget:
    """The 总览 scorecard (every county against every rule) as a widget, or a friendly error box."""
    return _view(OverviewDashboard, **kwargs)


def teachers_dashboard(**kwargs) -> w.Widget:
    """The teacher-rotation dashboard (教师交流轮岗) as a widget, or a friendly error box."""
    return _view(TeachersDashboard, **kwargs)


__all__ = [
    "CSS", "Dashboard", "DataSet", "SpecialEducationDashboard", "banner", "friendly_error",
    "html_table", "special_education_dashboard", "t",
    "KindergartenDashboard", "kindergartens_dashboard",
    "OverviewDashboard", "overview_dashboard",
    "TeachersDashboard", "teachers_dashboard",
]  # fmt: skip
