"""What a dashboard keeps of each view it showed, and computes ahead before anyone looks.

A *view* is what the page shows for one state of the controls
(:meth:`Views.view_state`): the selected counties, year, profile, language and the
dashboard's own controls. Its result, map text and panels are made once
(:meth:`Views.kept`, in a :class:`ViewCache`), so coming back to a view repaints
without computing; :meth:`Views.prepare` makes the views an official is likely to
pick first while a preheated kernel waits for its page.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pandas as pd

from .areas import ALL
from .common import lowest_priority, release_memory

#: Largest data set (counties) for which :meth:`Dashboard.prepare` computes each city under
#: its own plan in every year (a toolkit setting, not policy: on all of China each year's
#: check takes ~15 s, too long to do ahead for every city).
PREPARE_EVERY_YEAR = 500


class ViewCache:
    """What a dashboard computed for each view it showed, the least recently shown dropped first.

    A view is a hashable state (selection, year, profile, language …); each holds
    named values made once by :meth:`get`. Coming back to a view, or one that
    :meth:`Dashboard.prepare <toolkit.widgets.shell.Dashboard.prepare>` made ahead,
    repaints from here. ``views`` bounds the memory (a toolkit setting, not policy).

    >>> cache = ViewCache(views=2)
    >>> cache.get(("2024",), "result", lambda: "made")
    'made'
    >>> cache.get(("2024",), "result", lambda: "made again")
    'made'
    >>> _ = cache.get(("2023",), "result", str), cache.get(("2022",), "result", str)
    >>> ("2024",) in cache, len(cache)
    (False, 2)
    """

    def __init__(self, views: int = 64) -> None:
        self.views = views
        self._views: OrderedDict[Hashable, dict[str, object]] = OrderedDict()

    def get(self, view: Hashable, name: str, make: Callable[[], object]) -> object:
        """The value ``name`` of ``view``, made by ``make()`` the first time."""
        kept = self._views.setdefault(view, {})
        self._views.move_to_end(view)
        if name not in kept:
            kept[name] = make()
        while len(self._views) > self.views:
            self._views.popitem(last=False)
        return kept[name]

    def clear(self) -> None:
        """Forget every view (new data)."""
        self._views.clear()

    def has(self, view: Hashable, name: str) -> bool:
        """Whether ``view`` holds ``name`` already (made before, or ahead)."""
        return name in self._views.get(view, ())

    def __contains__(self, view: Hashable) -> bool:
        return view in self._views

    def __len__(self) -> int:
        return len(self._views)


class Views:
    """Mixed into :class:`~toolkit.widgets.shell.Dashboard`: its views, kept and prepared."""

    _views: ViewCache

    def warm(self) -> None:
        """Make what a repaint of the current view needs, touching no widget (used by
        :meth:`prepare`): its result and panels; a dashboard adds its map's text."""
        result = self.kept("result", self.compute)
        self.kept("panels", lambda: self.panels_html(result))

    def view_state(self) -> tuple:
        """Everything a view depends on besides the data: the counties chosen (a city, else a
        province, however reached), year, profile, language and the dashboard's own controls."""
        area = self.city.value if self.city.value not in (None, ALL) else self.province.value
        return (area, self.year.value, self.profile.value, self.lang,
                *(c.value for c in self.extra_controls))  # fmt: skip

    def kept(self, name: str, make: Callable[[], object]) -> object:
        """``make()`` for the current view, made once per view and data set (:class:`ViewCache`)."""
        if getattr(self, "_views_of", None) is not self.dataset:  # new data: forget every view
            self._views.clear()
            self._views_of = self.dataset
        return self._views.get(self.view_state(), name, make)

    def show_panels(self, result: pd.DataFrame) -> None:
        """Set the HTML panels to :meth:`panels_html` of the current view (made once).

        Panels not made yet are made once the page has painted the map just sent
        (:meth:`~toolkit.widgets.mapwidget.MapWidget.after_drawn`; at once without a page):
        made meanwhile, they took the machine's cores from the browser drawing it (all China,
        a province in a year not made ahead: ≈0.15 s of the kernel's). A later choice made
        before then shows its own panels instead.
        """
        view = self.view_state()

        def show() -> None:
            if self.view_state() != view:  # the controls changed meanwhile: not this view's
                return
            for name, value in self.kept("panels", lambda: self.panels_html(result)).items():
                getattr(self, name).value = value

        if self._views.has(view, "panels"):
            show()
        else:
            self.map.after_drawn(show)

    def prepare(self, *, only_preheated: bool = True) -> None:
        """Compute ahead what an official is likely to pick first: each city under its own plan,
        on all China each province with its own map (the first zoom), and the first view in
        every other year; for a data set of at most
        :data:`PREPARE_EVERY_YEAR` counties (a city's or a province's), each city
        under its own plan in every year too.

        Run after the page is shown (the dashboards' second cell); with preheated
        kernels it runs before anyone opens the page, so choosing a city repaints
        from the dashboards' caches. It runs in a thread of the lowest priority
        (Linux), so a kernel preparing gives way to the pages being served, and
        the controls end as they were without the browser seeing them move.

        It runs only in a kernel Voila preheats (``VOILA_PREHEAT=True``) unless
        ``only_preheated=False``: in a kernel started for a page already open, or
        in an analyst's JupyterLab, the kernel would answer no click until it ended,
        and a repaint computed on demand takes a fraction of a second.
        """
        if not only_preheated or os.environ.get("VOILA_PREHEAT") == "True":
            worker = threading.Thread(target=self._prepare, name="kuoyou-prepare")
            worker.start()
            worker.join()
        # what the page holds now lives as long as it does: the collector stops scanning it
        # (on all of China, full collections over it were a third of a province zoom)
        gc.freeze()

    def _prepare(self) -> None:
        lowest_priority()  # this thread only
        keep = (self.province.value, self.city.value, self.profile.value)
        offered = {v for _, v in self.profile.options}
        cities = self.dataset.counties.drop_duplicates("city_adcode")
        own = [(str(c.province_adcode), str(c.city_adcode), self._own_profile[c.city])
               for c in cities.itertuples() if self._own_profile.get(c.city) in offered]  # fmt: skip
        shown = self.year.value
        others = [y for _, y in self.year.options if y not in (None, shown)]
        every_year = len(self.dataset.counties) <= PREPARE_EVERY_YEAR
        provinces = self.dataset.counties["province_adcode"].astype(str).unique()
        provinces = provinces if self.dataset.large else []  # all China: each province's zoom
        self._quiet = True
        try:
            with self.province.hold_sync(), self.city.hold_sync(), self.profile.hold_sync(), \
                    self.year.hold_sync():  # fmt: skip
                for state in own:  # each city under its own plan, in the year shown
                    self._select(*state)
                    self.warm()  # fills the dashboard's caches
                for province in provinces:  # all China: each province, as its zoom shows it
                    self._select(province, ALL, keep[2])
                    self.warm()
                    self._selected_figure()  # its own counties' map
                # the first view in every other year, then (small data) each city in them too
                for state in [keep, *own] if every_year else [keep]:
                    self._select(*state)
                    for y in others:
                        self.year.value = y
                        self.warm()
                self._select(*keep)
                self.year.value = shown
            self.result = self.kept("result", self.compute)  # the shown view's, from the cache
            release_memory()
        finally:
            self._quiet = False

    def _select(self, province: str, city: str, profile: str) -> None:
        """Set province, city and profile without events (used by :meth:`_prepare`)."""
        self.province.value = province
        self._fill_cities()
        self.city.value, self.profile.value = city, profile
