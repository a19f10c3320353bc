"""Choosing the area a dashboard shows, and drawing its map.

Province → city selectors over the data set's counties; the map shows the
selected counties and zooms to them. A data set of all China
(:attr:`DataSet.large <toolkit.widgets.dataset.DataSet.large>`) is drawn with
the coarse national layer as a whole and with one province's own counties once
it is chosen — a new geometry sent to the same map, no page reload; each view's
map is built once and restyled when it is shown again. :class:`AreaSelection`
is mixed into :class:`~toolkit.widgets.shell.Dashboard`, which provides the
controls, the data and ``compute``/``paint``.

Example
-------
>>> from toolkit.widgets import SpecialEducationDashboard
>>> d = SpecialEducationDashboard()
>>> d.province.value = "370000"                       # 山东省: 济宁's 11 counties
>>> len(d.selected_counties()), len(d.figure.data[0].locations)
(11, 11)
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

#: The "all provinces" / "all cities" choice.
ALL = "all"


class AreaSelection:
    """Province and city selection and the map of the selection (see the module docstring)."""

    def selected_counties(self) -> pd.DataFrame:
        """The counties of the chosen province and city."""
        c = self.dataset.counties
        if self.province.value not in (None, ALL):
            c = c[c["province_adcode"].astype(str) == self.province.value]
        if self.city.value not in (None, ALL):
            c = c[c["city_adcode"].astype(str) == self.city.value]
        return c

    def summary_by(self) -> str:
        """How the selection's tables sum counties up: by ``"province"`` when it spans several
        provinces (all China: 34 rows, not some 370 cities), else by ``"city"``."""
        provinces = self.selected_counties()["province_adcode"].astype(str).nunique()
        return "province" if provinces > 1 else "city"

    def _fill_areas(self) -> None:
        c = self.dataset.counties
        provinces = c.drop_duplicates("province_adcode")
        self._quiet = True
        try:
            self.province.options = [(self.t("all_provinces"), ALL)] + [
                (r.province, str(r.province_adcode)) for r in provinces.itertuples()
            ]
            self.province.value = (
                ALL if len(provinces) > 1 else str(provinces["province_adcode"].iloc[0])
            )
            self._fill_cities()
        finally:
            self._quiet = False

    def _fill_cities(self) -> None:
        c = self.dataset.counties
        if self.province.value not in (None, ALL):
            c = c[c["province_adcode"].astype(str) == self.province.value]
        cities = c.drop_duplicates("city_adcode")
        self.city.options = [(self.t("all_cities"), ALL)] + [
            (r.city, str(r.city_adcode)) for r in cities.itertuples()
        ]
        self.city.value = ALL

    def _on_province(self, change: dict | None) -> None:
        self._quiet = True
        try:
            self._fill_cities()
        finally:
            self._quiet = False
        if self.dataset.large:  # all of China is drawn coarse, a province with its own counties
            self._show_map()
            self.detail.value = self.download.value = ""
        else:
            self._refresh()

    def _on_city(self, change: dict | None) -> None:
        # an official looking at one city starts from the plan of that jurisdiction
        sel = self.selected_counties()
        city = sel["city"].iloc[0] if self.city.value not in (None, ALL) and len(sel) else None
        if city and self.dataset.large and self.province.value in (None, ALL):
            # a city of all China: drawn with its province's own counties, not the coarse layer
            chosen = self.city.value
            self._quiet = True
            try:
                self.province.value = str(sel["province_adcode"].iloc[0])
                self._fill_cities()
                self.city.value = chosen
            finally:
                self._quiet = False
            self._show_map()
        wanted = self._own_profile.get(city)
        if wanted and self.profile.value != wanted:
            self.profile.value = wanted  # triggers _refresh
        else:
            self._refresh()

    def _show_map(self) -> None:
        """Compute, build the map for the selection's geometry, paint it and draw it."""
        self.result = self.kept("result", self.compute)
        self.figure = self._selected_figure()
        self.paint(self.result)  # restyles it, draws it, then the panels

    def _selected_figure(self) -> go.Figure:
        """The map of the selection's geometry (all of a small data set; on all China, the
        province chosen or the whole country), built once per data set: a view seen before,
        or made ahead by ``prepare``, is restyled, not built again."""
        province = None if self.province.value in (None, ALL) else self.province.value
        key = (id(self.dataset), province if self.dataset.large else None)
        if key not in self._figures:
            result = self.kept("result", self.compute)
            figure = self.figure_for(self.dataset.geometry_for(province), result)
            figure = figure if isinstance(figure, go.Figure) else go.Figure(figure)  # no copy
            figure.layout.width = None  # the page's width
            self._figures[key] = figure
        return self._figures[key]

    def draw_map(self) -> None:
        """Send the map as Python holds it (``paint`` calls it once the map is restyled, before
        the panels); ``layout.meta`` says which selection it shows."""
        if self.figure is None:
            return
        self.figure.layout.meta = {
            "province": self.province.value, "city": self.city.value, "year": self.year.value,
            "profile": self.profile.value, "lang": self.lang,
        }  # fmt: skip
        self.map.show(self.figure)
