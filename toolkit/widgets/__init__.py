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


class ErrorPage(w.HTML):
    """What a dashboard shows when it cannot start: a friendly message, never a traceback."""

    def prepare(self, *, only_preheated: bool = True) -> None:
        """Nothing to compute ahead (see :meth:`Dashboard.prepare`)."""


def _view(cls: type, **kwargs) -> Dashboard | ErrorPage:
    """A dashboard (displayed as its page), or a friendly error box."""
    try:
        return cls(**kwargs)
    except Exception as exc:  # noqa: BLE001 - shown to the user, logged in full
        return ErrorPage(CSS + friendly_error(exc))


def special_education_dashboard(**kwargs) -> Dashboard | ErrorPage:
    """The special-education dashboard as a widget, or a friendly error box.

    >>> page = special_education_dashboard()
    >>> type(page).__name__, type(page.view).__name__
    ('SpecialEducationDashboard', 'VBox')
    """
    return _view(SpecialEducationDashboard, **kwargs)


def kindergartens_dashboard(**kwargs) -> Dashboard | ErrorPage:
    """The public-kindergarten-share dashboard (公办园占比) as a widget, or a friendly error box."""
    return _view(KindergartenDashboard, **kwargs)


def overview_dashboard(**kwargs) -> Dashboard | ErrorPage:
    """The 总览 scorecard (every county against every rule) as a widget, or a friendly error box."""
    return _view(OverviewDashboard, **kwargs)


def teachers_dashboard(**kwargs) -> Dashboard | ErrorPage:
    """The teacher-rotation dashboard (教师交流轮岗) as a widget, or a friendly error box."""
    return _view(TeachersDashboard, **kwargs)


__all__ = [
    "CSS", "Dashboard", "DataSet", "SpecialEducationDashboard", "banner", "friendly_error",
    "html_table", "special_education_dashboard", "t",
    "KindergartenDashboard", "kindergartens_dashboard",
    "OverviewDashboard", "overview_dashboard",
    "TeachersDashboard", "teachers_dashboard",
]  # fmt: skip
