"""What every dashboard shares: the data being shown, the controls, upload, downloads, detail panel.

A dashboard subclasses :class:`Dashboard` and fills in three methods:

* ``compute()`` — the result frame for the current selection (one row per
  county: ``adcode``, ``name``, ``status`` and/or ``value`` …), from the pure
  functions of :mod:`toolkit.indicators`;
* ``paint(result)`` — restyle the map and refresh the tables (never rebuild
  geometry);
* ``figure_for(geometry)`` — the map, built once per data set and view.

The shell provides: province → city area selection (:mod:`~toolkit.widgets.areas`: the map shows the
selected counties and zooms to them), year and profile selectors, a
中文/English switch, the 示例数据（模拟） banner whenever demo data is shown, a
loading indicator, an upload control (Excel/CSV read in memory with
:func:`toolkit.data.read_workbook`, validation report shown, previous data kept
if it fails), download links for the current view (Excel and a standalone HTML
map) and a county detail panel opened by clicking the map.
"""

from __future__ import annotations

import gc
import html
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from .. import data, formats, maps, targets
from ..indicators import check
from . import preview
from .areas import ALL, AreaSelection
from .common import CSS, banner, friendly_error, t, walk
from .county import CountyPanels
from .dataset import DataSet, report_html
from .mapwidget import MapWidget
from .views import ViewCache, Views


class Dashboard(AreaSelection, CountyPanels, Views):
    """The shell every dashboard shares; see the module docstring.

    Subclasses set ``title`` (zh, en) and ``indicator_help`` and implement
    :meth:`compute`, :meth:`figure_for` and :meth:`paint`; they add their own
    widgets to ``self.panels`` (shown beside the map) and ``self.below``.
    """

    title: tuple[str, str] = ("", "")
    intro: tuple[str, str] = ("", "")
    #: This dashboard's own UI strings: key → (中文, English), read with :meth:`s`.
    strings: dict[str, tuple[str, str]] = {}
    #: Profiles offered in the selector (None: all shipped profiles).
    profile_filter: Callable[[str], bool] | None = None

    def __init__(self, dataset: DataSet | None = None, *, lang: str = "zh") -> None:
        self.dataset = dataset or DataSet.default()
        self.lang = lang
        self.result = pd.DataFrame()
        self._quiet = False
        profiles = targets.list_profiles()
        if self.profile_filter is not None:
            profiles = profiles[profiles["id"].map(self.profile_filter)]
        self._profiles = profiles
        self._own_profile: dict[str, str] = {}
        for r in profiles.itertuples():
            self._own_profile.setdefault(r.jurisdiction, r.id)

        self.banner = w.HTML()
        self.heading = w.HTML()
        self.province = w.Dropdown(layout=w.Layout(width="200px"))
        self.city = w.Dropdown(layout=w.Layout(width="200px"))
        self.year = w.Dropdown(layout=w.Layout(width="180px"))
        self.profile = w.Dropdown(
            layout=w.Layout(width="330px"), style={"description_width": "initial"}
        )
        self.language = w.ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=lang,
                                        style={"button_width": "70px"})  # fmt: skip
        self.loading = w.HTML()
        self.message = w.HTML()
        self.upload = w.FileUpload(accept=".xlsx,.csv", multiple=False)
        self.upload_report = w.HTML()
        self.excel_button = w.Button(icon="")
        self.html_button = w.Button(icon="")
        self.download = w.HTML()
        self.detail = w.HTML()
        self.sources = w.HTML()
        self.panels: list[w.Widget] = []
        self.below: list[w.Widget] = []
        self.extra_controls: list[w.Widget] = []
        self._cards: dict[tuple, pd.DataFrame] = {}
        #: each view's result, map text and panels, made once (see :meth:`kept`)
        self._views = ViewCache()
        #: each view's map, built once: a large data set is drawn province by province
        self._figures: dict[tuple, go.Figure] = {}
        #: the map as Python holds it (a plain figure the dashboards restyle); ``self.map`` draws it
        self.figure: go.Figure | None = None
        self.map = MapWidget(config=maps.PLOT_CONFIG, layout=w.Layout(width="100%"))
        self.map.on_click(self._safe(self._on_click))
        self.map_box = w.Box([self.map], layout=w.Layout(width="55%"))
        #: the first view's tables while a Voila page has not drawn its map yet (else None)
        self._first_panels: dict[str, str] | None = None

    # -- to be provided by each dashboard --------------------------------------
    def compute(self) -> pd.DataFrame:
        """The result for the current selection (one row per county)."""
        raise NotImplementedError

    def figure_for(self, geometry, result: pd.DataFrame) -> go.Figure:
        """The map for this data set (geometry sent once), already showing ``result``.

        The first state must be in the figure itself: a restyle sent before the
        browser has drawn the widget is lost.
        """
        raise NotImplementedError

    def paint(self, result: pd.DataFrame) -> None:
        """Restyle the map, :meth:`draw_map`, then :meth:`show_panels` for ``result``."""
        raise NotImplementedError

    def panels_html(self, result: pd.DataFrame) -> dict[str, str]:
        """Each HTML panel's content for ``result``, by the panel's attribute name; pure (it
        sets no widget), so :meth:`prepare` can make it ahead."""
        return {}

    def before_first_paint(self) -> None:
        """Set a dashboard's own controls once the shell's are filled (optional)."""

    def scorecard(self, indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
        """:func:`toolkit.check` for the current data, profile and year (computed once each).

        ``indicators`` limits it to the profile's rules of those indicators, so a
        panel that shows a few rules does not compute them all.
        """
        key = (id(self.dataset), self.profile.value, self.year.value, indicators)
        if key not in self._cards:
            prof = targets.get_profile(self.profile.value)
            if indicators is not None:
                prof = replace(
                    prof, rules=tuple(r for r in prof.rules if r.indicator in indicators)
                )
            self._cards[key] = check(
                self.dataset.tables,
                prof,
                year=self.year.value,
                memo=self.dataset.memo,
                progress=False,  # no bar in a dashboard's page
            )
        return self._cards[key]

    def t(self, key: str, **kw) -> str:
        """A UI string shared by every dashboard (:data:`common.STRINGS`) in the current language."""
        return t(key, self.lang, **kw)

    def s(self, key: str, **kw) -> str:
        """One of this dashboard's own strings (``strings``: key → (中文, English)), filled with ``kw``."""
        zh, en = self.strings[key]
        return (en if self.lang == "en" else zh).format(**kw)

    def tr(self, values: pd.Series) -> pd.Series:
        """Statuses, outlooks and requirement texts in the current language."""
        return values.map(lambda v: formats.in_language(v, self.lang))

    # -- building ------------------------------------------------------------------
    def build(self) -> w.Widget:
        """Fill the controls, draw the map once and lay the page out; returns the page widget."""
        self._fill_areas()
        self._fill_years()
        self._fill_profiles()
        self.profile.value = self._own_profile.get("全国", self._profiles["id"].iloc[0])
        self.before_first_paint()
        self._label()
        self._show_map()
        for control, handler in (
            (self.province, self._on_province), (self.city, self._on_city),
            (self.year, self._refresh), (self.profile, self._refresh),
            (self.language, self._on_language), (self.upload, self._on_upload),
        ):  # fmt: skip
            control.observe(self._safe(handler), names="value")
        self.excel_button.on_click(lambda _: self._safe(self._excel)(None))
        self.html_button.on_click(lambda _: self._safe(self._html)(None))
        controls = w.HBox([self.province, self.city, self.year, self.profile, *self.extra_controls,
                           self.language], layout=w.Layout(flex_flow="row wrap"))  # fmt: skip
        tools = w.HBox([self.upload, self.excel_button, self.html_button, self.loading],
                       layout=w.Layout(flex_flow="row wrap", align_items="center"))  # fmt: skip
        side = w.VBox([*self.panels, self.detail],
                      layout=w.Layout(width="45%", padding="0 0 0 12px", overflow="auto"))  # fmt: skip
        self.view = w.VBox([
            w.HTML(CSS), self.banner, self.heading, controls, tools, self.upload_report,
            self.download, self.message, w.HBox([self.map_box, side]), *self.below, self.sources,
        ])  # fmt: skip
        if preview.in_voila():
            self._first_panels_after_map()
        return self.view

    def _first_panels_after_map(self) -> None:
        """Send the first view's tables once the page has drawn its map, not in the page's first
        widget state: there, a page made every table (on all China, hundreds of rows) before
        plotly.js could draw, and the map came 0.2-0.5 s later. The page shows the loading
        note meanwhile; a control changed sooner sends them first."""
        names = list(self.kept("panels", lambda: self.panels_html(self.result)))
        self._first_panels = {name: getattr(self, name).value for name in names}
        for name in names:
            getattr(self, name).value = ""
        self.loading.value = f'<span class="kuoyou-loading">{self.t("loading")}</span>'
        self.map.when_page_draws(self._send_first_panels)

    def _send_first_panels(self) -> None:
        first, self._first_panels = self._first_panels, None
        if first:
            for name, value in first.items():
                getattr(self, name).value = value
            self.loading.value = ""

    def _fill_profiles(self) -> None:
        value = self.profile.value
        col = "name_en" if self.lang == "en" else "name_zh"
        self.profile.options = [(getattr(r, col), r.id) for r in self._profiles.itertuples()]
        if value is not None:
            self.profile.value = value

    def _fill_years(self) -> None:
        years = self.dataset.years()
        self.year.options = [(self.t("year_label", year=y), y) for y in years] or [("—", None)]
        self.year.value = years[0] if years else None

    # -- events ----------------------------------------------------------------------
    def _safe(self, fn: Callable) -> Callable:
        def run(*args) -> None:  # an observer's change, or the adcode of a clicked county
            if self._quiet:
                return
            self._send_first_panels()  # the page was quicker than its map: the first tables
            self.message.value = ""
            self.loading.value = f'<span class="kuoyou-loading">{self.t("loading")}</span>'
            held = self._panels_held()  # paint() draws the map first, then the tables follow
            try:
                fn(*args)
            except Exception as exc:  # shown to the user, logged in full
                self.message.value = friendly_error(exc)
            finally:
                self.map.after_drawn(held.close)  # once the page has painted the map

        return run

    def _panels_held(self) -> ExitStack:
        """Hold the page's HTML panels' updates until the stack returned is closed; closing it
        sends them, then clears the loading note (the error message is never held)."""
        panels = [x for x in walk(getattr(self, "view", None))
                  if isinstance(x, w.HTML) and x is not self.loading and x is not self.message]  # fmt: skip
        stack = ExitStack()
        stack.callback(setattr, self.loading, "value", "")  # last: after the panels
        for panel in reversed(panels):  # released in reverse: the page's order, top to bottom
            stack.enter_context(panel.hold_sync())
        return stack

    def _refresh(self, change: dict | None = None) -> None:
        self.result = self.kept("result", self.compute)
        self.paint(self.result)
        self.detail.value = ""
        self.download.value = ""

    def _on_language(self, change: dict | None) -> None:
        self.lang = self.language.value
        self._label()
        self._quiet = True
        try:
            self._fill_years_labels()
            self._fill_profiles()
            # new labels, same choice: setting options resets a Dropdown to its first option
            for box, every in ((self.province, "all_provinces"), (self.city, "all_cities")):
                chosen = box.value
                box.options = [(self.t(every) if v == ALL else k, v) for k, v in box.options]
                box.value = chosen
        finally:
            self._quiet = False
        self.paint(self.result)

    def _fill_years_labels(self) -> None:
        value = self.year.value
        self.year.options = [(self.t("year_label", year=y), y) for _, y in self.year.options]
        self.year.value = value

    def _label(self) -> None:
        zh = self.lang == "zh"
        self.banner.value = banner(self.lang).value if self.dataset.is_demo else (
            f'<div class="kuoyou-note">{self.t("data_from", origin=html.escape(self.dataset.origin))}</div>'
        )  # fmt: skip
        title, intro = self.title[0 if zh else 1], self.intro[0 if zh else 1]
        self.heading.value = f'<div class="kuoyou-title">{html.escape(title)}</div><div class="kuoyou-note">{html.escape(intro)}</div>'
        self.province.description = self.t("province")
        self.city.description = self.t("city")
        self.year.description = self.t("year")
        self.profile.description = self.t("profile")
        self.upload.description = self.t("upload")
        self.excel_button.description = self.t("download_excel")
        self.html_button.description = self.t("download_html")

    def _on_upload(self, change: dict | None) -> None:
        files = self.upload.value
        if not files:
            return
        item = files[0]
        name, content = item["name"], bytes(item["content"])
        try:
            new = DataSet.upload(content, name)
        except data.DataError as exc:  # the previous data stay on screen
            self.upload_report.value = report_html(
                getattr(exc, "report", None), self.lang, error=str(exc)
            )
            return
        reports = "".join(report_html(r, self.lang) for r in new.reports.values())
        old = self.dataset
        try:
            self._switch_to(new)
        except Exception as exc:  # data this dashboard cannot use: back to the previous data
            friendly_error(exc)  # logged in full
            self._switch_to(old)
            reports += report_html(None, self.lang, error=self.t("unusable", why=str(exc)))
        self.upload_report.value = reports

    def _switch_to(self, dataset: DataSet) -> None:
        """Show ``dataset``: refill the controls, forget cached results, draw a new map."""
        gc.unfreeze()  # the old data, frozen by prepare(), can be collected again
        self.dataset = dataset
        self._quiet = True
        try:
            self._fill_areas()
            self._fill_years()
        finally:
            self._quiet = False
        self._cards.clear()
        self._figures.clear()
        self._label()
        self._show_map()

    def preview(self) -> str:
        """The first view as static HTML (banner, heading, map): see :mod:`.preview`."""
        m = self.map
        svg = preview.map_svg(m.geojson, m.traces, m.plot_layout)
        return preview.page_html(self.banner.value, self.heading.value, svg, m.plot_layout,
                                 "正在载入交互地图与控件… / Loading the interactive map and controls…")  # fmt: skip

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if preview.in_voila() and self.map.geojson:  # painted with the page, before the widgets
            display({preview.MIME: self.preview(), "text/plain": ""}, raw=True)
        display(self.view)
