"""The county detail panel and the downloads of the current view, shared by every dashboard.

A click on a county (its adcode, from :class:`~toolkit.widgets.mapwidget.MapWidget`)
opens its detail beside the map: every rule of the chosen profile with value,
target, status and outlook, and its schools. The download buttons make the
current view an Excel workbook (:func:`toolkit.excel.write_scorecard`, the
selected counties) or a standalone HTML map with plotly.js inside; both are
offered as ``data:`` links, so nothing is written where other users could read
it. :class:`CountyPanels` is mixed into :class:`~toolkit.widgets.shell.Dashboard`,
which provides the data, the selection and the language.

Example
-------
>>> from toolkit.widgets import SpecialEducationDashboard
>>> d = SpecialEducationDashboard()
>>> d.map._handle_message(d.map, {"event": "click", "location": "140425"}, [])
>>> "平顺县" in d.detail.value and "115,927人" in d.detail.value
True
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import pandas as pd

from .. import formats, maps
from .common import html_table
from .dataset import download_link


class CountyPanels:
    """County detail and downloads (see the module docstring)."""

    # -- map click: the county detail panel ----------------------------------------
    def _on_click(self, adcode: str) -> None:
        if adcode in set(self.dataset.counties["adcode"]):
            body = self.detail_html(adcode)
            self.detail.value = (
                f'<div class="kuoyou-county-detail" data-adcode="{adcode}">{body}</div>'
            )

    def detail_html(self, adcode: str) -> str:
        """Everything about one county: every rule's status, its schools, the sources."""
        county = self.dataset.counties.set_index("adcode").loc[adcode]
        rows = self.scorecard()
        rows = rows[rows["adcode"] == adcode]
        view = pd.DataFrame({
            self.t("rule"): rows["title_en" if self.lang == "en" else "title"], self.t("value"): [formats.format_value(v, u) for v, u in zip(rows["value"], rows["unit"], strict=True)],
            self.t("target"): [formats.format_value(v, u) for v, u in zip(rows["target"], rows["unit"], strict=True)],
            self.t("status"): self.tr(rows["status"]), self.t("outlook"): self.tr(rows["outlook"].fillna("")),
        })  # fmt: skip
        view = view[rows["status"].ne("数据缺失").to_numpy()]
        found = self.dataset.schools_of(adcode, self.year.value)
        school_html = ""
        if found is not None:
            s, total = found
            school_html = (
                f"<details><summary>{self.t('schools_list', n=total)}</summary>"
                + html_table(s, numeric=("enrolment",))
                + "</details>"
            )
        return (
            f"<h4>{html.escape(str(county['name']))}（{html.escape(str(county.get('city', '')))}）"
            f" · {self.t('population')} {formats.format_int(county.get('population'), '人')}</h4>"
            + html_table(view, wrap=(self.t("rule"),))
            + school_html
        )

    # -- downloads -------------------------------------------------------------------------
    def view_frame(self) -> pd.DataFrame:
        """The current view as a table (what the Excel download holds)."""
        return self.result

    def _excel(self, _) -> None:
        from ..excel import write_scorecard

        card = self.scorecard()
        sel = set(self.selected_counties()["adcode"])
        card = card[card["adcode"].isin(sel)]
        with tempfile.TemporaryDirectory(prefix="kuoyou-") as folder:  # private (mode 700)
            tmp = Path(folder) / "view.xlsx"
            write_scorecard(card, tmp, counties=self.dataset.counties, profile=self.profile.value,
                            demo=self.dataset.is_demo)  # fmt: skip
            payload = tmp.read_bytes()
        name = f"{self.title[0].split('：')[0]}_{self.profile.value}.xlsx"
        self.download.value = download_link(payload, name,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", self.t("download_excel"))  # fmt: skip

    def _html(self, _) -> None:
        fig = self.map.export(self.figure)
        text = fig.to_html(include_plotlyjs=True, full_html=True, config=maps.PLOT_CONFIG)
        name = f"{self.title[0].split('：')[0]}_{self.profile.value}.html"
        self.download.value = download_link(
            text.encode("utf-8"), name, "text/html", self.t("download_html")
        )
