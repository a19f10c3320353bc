"""The dashboards' web server: Voila 0.5.13 with three of its routes and its pool refill corrected.

``scripts/serve.sh`` runs ``python -m toolkit.voila_server``, which takes every
option ``voila`` takes and serves the same pages. It differs in seven ways,
the first three found by ``tests/test_server.py``, the fourth by ``bench/load.py``:

- a dashboard page sets the ``_xsrf`` cookie. When a page closes, Voila's
  front-end asks the server to shut its kernel down (a ``sendBeacon`` to
  ``/voila/api/shutdown/<kernel id>`` carrying that cookie), but Voila sets the
  cookie only on its tree page: for a dashboard opened by its own address the
  request was refused (403), and the kernel, with any upload it held, lived on
  until the idle cull (``cull_idle_timeout``, 30 minutes);
- an address under ``/voila/templates/`` that is not ``<template>/static/<file>``
  answers 404 (Voila failed on it with a 500);
- there is no ``/logout`` page (nobody logs in; Voila failed on it with a 500);
- preheated kernels are started and run their notebook at most
  :attr:`PoolGate.at_once` at a time (as many as the machine has cores: they
  are busy on their CPU, so the pool fills no slower). Voila starts one refill per page taken from the pool, all at once:
  when twenty officials opened dashboards together, twenty kernels ran their
  notebooks side by side, the web server got a twentieth of the CPU and the
  pages' own scripts timed out loading (``Loading chunk … failed``). A page that
  takes a kernel still waiting its turn goes ahead of the queue;
- it serves the vendored plotly.js bundle (``toolkit/static``) at
  ``/voila/kuoyou/plotly-geo.min.js``, which the kuoyou template loads with the
  page (deferred): the bundle downloads while Voila's scripts start, instead
  of coming 1.4 MB in the widgets' state after them (``bench/national_dashboards.py``);
- it serves Voila's 56 startup chunks as one script, ``/voila/kuoyou/voila-chunks.js``
  (:class:`VoilaChunks`), which the kuoyou template runs just before Voila's first
  script. Voila's front end starts at the window's load event, which waits for every
  chunk; fetched one by one, six at a time, from a server whose CPU the page's own
  work takes, they came over ≈1 s. Pre-installed, none is fetched: the interactive
  map came ≈0.2 s sooner (``bench/national_dashboards.py``);
- every script it serves (plotly.js, Voila's and the widget extensions') starts with
  :data:`COMPILE_HINT`, a comment that asks Chromium (136 and later) to compile all of
  the file while it downloads, on another thread. Otherwise each function is compiled
  on the page's main thread when first called. Other browsers read a comment. On all
  China the interactive map came ≈0.2-0.4 s sooner (``bench/national_dashboards.py``).
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import voila
import voila.app
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from tornado.web import HTTPError, RequestHandler, StaticFileHandler
from traitlets import HasTraits, Int, default
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

#: :data:`toolkit.widgets.mapwidget.BUNDLE`, named again: the server does not load the widgets
BUNDLE = Path(__file__).resolve().parent / "static" / "plotly-geo.min.js"


#: V8's explicit compile hint, the first line of every script served (its line numbers move by
#: one): https://v8.dev/blog/explicit-compile-hints
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"


class CompileHint(StaticFileHandler):
    """A static file handler that serves each ``.js`` file with :data:`COMPILE_HINT` before it.

    Ranges, lengths and ETags are those of the file as served (hint included).
    """

    @classmethod
    def get_content(cls, abspath: str, start: int | None = None, end: int | None = None):
        read = super().get_content
        if not abspath.endswith(".js"):
            return read(abspath, start, end)
        n, lo = len(COMPILE_HINT), start or 0

        def parts():
            if head := COMPILE_HINT[lo:end]:
                yield head
            if end is None or end > n:
                yield from read(abspath, max(lo - n, 0), None if end is None else end - n)

        return parts()

    def get_content_size(self) -> int:
        hint = len(COMPILE_HINT) if self.absolute_path.endswith(".js") else 0
        return super().get_content_size() + hint


class HintedStatic(CompileHint, MultiStaticFileHandler):
    """Voila's own scripts (``/voila/static/``)."""


class HintedExtensions(CompileHint, FileFindHandler):
    """The widget extensions' scripts (``/voila/labextensions/``)."""


def _static_parts(path: str) -> list[str]:
    """``<template>/static/<file>`` split in three, or 404."""
    parts = path.split("/", 2)
    if len(parts) != 3 or parts[1] != "static" or not parts[0] or not parts[2]:
        raise HTTPError(404)
    return parts


class TemplateStatic(CompileHint, TemplateStaticFileHandler):
    """Voila's template-static files; any other address under ``/voila/templates/`` is a 404."""

    def parse_url_path(self, path: str) -> str:
        _static_parts(path)
        return super().parse_url_path(path)

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        _static_parts(os.path.normpath(path).replace(os.path.sep, "/"))
        return super().get_absolute_path(root, path)


#: The chunks Voila's front end (``voila.js``) loads before it starts, for the pinned Voila
#: (``pyproject.toml``), in the order it asks for them: recorded from a dashboard page, and
#: checked by ``tests/test_browser.py`` (a page that still fetches one fails it, naming it).
VOILA_CHUNKS = {
    "0.5.13": """
        5764 8135 3992 9582 8925 7883 7556 6049 1670 6573 3311 4135 1621 3916 3649 8487 9684 4041 143 7155 3144 1601 4972 9890 5312 6468 3459 630 5688 2930 73 1187 4173 7483 431 3989 8766 9151 4729 6382 5044 7598 9081 7770 3249 4653 8862 9981 5767 4222 8773 3307 6008 8017 457 9212
    """.split()
}


class VoilaChunks(RequestHandler):
    """:data:`VOILA_CHUNKS` as one script, each chunk file as Voila serves it, in that order.

    Run before ``voila.js``, each chunk registers its modules where webpack's runtime looks
    for them when it starts, so the runtime fetches none of them. For another Voila version
    (no recorded list) or a chunk file missing, the script is only a comment and the page
    fetches its chunks itself, as before.
    """

    _script: dict[tuple[str, ...], bytes] = {}

    def initialize(self, paths: list[str]) -> None:
        self.paths = [Path(p) for p in paths]

    @classmethod
    def script(cls, paths: list[Path], version: str = voila.__version__) -> bytes:
        """The script for Voila's static ``paths`` (made once, then kept)."""
        key = (version, *map(str, paths))
        if key not in cls._script:
            files = [next((p / f"{c}.voila.js" for p in paths if (p / f"{c}.voila.js").is_file()),
                          None) for c in VOILA_CHUNKS.get(version, [])]  # fmt: skip
            if files and all(files):
                body = b"\n;".join(f.read_bytes() for f in files)
            else:
                body = f"/* Voila {version}: no chunk list, or a file missing: the page fetches them */".encode()
            cls._script[key] = COMPILE_HINT + body + b"\n"
        return cls._script[key]

    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.write(self.script(self.paths))  # ETag and 304 from tornado's RequestHandler


class DashboardPage(TornadoVoilaHandler):
    """A dashboard page that also sets the ``_xsrf`` cookie its kernel shutdown needs."""

    async def prepare(self) -> None:
        await super().prepare()
        self.xsrf_token  # noqa: B018 - reading it sets the cookie


class PoolGate(HasTraits):
    """Mixed into Voila's kernel manager: preheated kernels start ``at_once`` at a time.

    A kernel holds its turn from its start until its notebook has run (Voila's render
    task has ended); a kernel a page has taken (``get_rendered_notebook``) skips the
    queue. Restarts are not held.
    """

    at_once = Int(help="Preheated kernels starting or running their notebook at one time.").tag(
        config=True
    )

    @default("at_once")
    def _at_once(self) -> int:
        return os.cpu_count() or 2

    def __init__(self, **kwargs) -> None:
        self._running, self._wanted = 0, set()
        self._turn = asyncio.Condition()  # bound to the server's loop at its first use
        super().__init__(**kwargs)

    async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs):
        if kernel_id is not None:  # a restart: not a pool kernel
            return await super()._initialize(notebook_path, kernel_id, **kwargs)
        me = asyncio.current_task()
        async with self._turn:
            await self._turn.wait_for(lambda: self._running < self.at_once or me in self._wanted)
            self._running += 1
            self.log.info("Pool kernel for %s starting (%d running, at most %d at once)",
                          notebook_path, self._running, self.at_once)  # fmt: skip
        try:
            content = await super()._initialize(notebook_path, kernel_id, **kwargs)
        except BaseException:
            await self._done()
            raise
        content["task"].add_done_callback(lambda _t: asyncio.ensure_future(self._done()))
        return content

    async def _done(self) -> None:
        async with self._turn:
            self._running -= 1
            self._turn.notify_all()

    async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
        pool = self._pools.get(notebook_name) or []
        if pool and not pool[0].done():  # the page waits for this one: it goes first
            self._wanted.add(pool[0])
            pool[0].add_done_callback(self._wanted.discard)
            async with self._turn:
                self._turn.notify_all()
        return await super().get_rendered_notebook(notebook_name, *args, **kwargs)


def _gated_factory(*args, **kwargs) -> type:
    """Voila's kernel-manager factory, with :class:`PoolGate` on top of what it makes."""
    made = _voila_factory(*args, **kwargs)
    if not hasattr(made, "fill_if_needed"):  # no preheating: nothing to gate
        return made

    class DashboardKernelManager(PoolGate, made):
        """Voila's preheating kernel manager, its kernels started a few at a time."""

    return DashboardKernelManager


_voila_factory = voila.app.voila_kernel_manager_factory


class DashboardServer(Voila):
    """Voila serving the dashboards, with the corrections the module docstring lists."""

    def init_settings(self) -> dict:
        voila.app.voila_kernel_manager_factory = _gated_factory  # Voila makes its manager here
        try:
            return super().init_settings()
        finally:
            voila.app.voila_kernel_manager_factory = _voila_factory

    def init_handlers(self) -> list:
        swap = {TemplateStaticFileHandler: TemplateStatic, TornadoVoilaHandler: DashboardPage,
                MultiStaticFileHandler: HintedStatic, FileFindHandler: HintedExtensions}  # fmt: skip
        bundle = url_path_join(self.server_url, rf"/voila/kuoyou/({re.escape(BUNDLE.name)})")
        chunks = url_path_join(self.server_url, "/voila/kuoyou/voila-chunks.js")
        handlers = [(bundle, CompileHint, {"path": str(BUNDLE.parent)}),
                    (chunks, VoilaChunks, {"paths": self.static_paths})]  # fmt: skip
        for pattern, handler, *rest in super().init_handlers():
            if pattern.rstrip("$").endswith("/logout"):
                continue
            handlers.append((pattern, swap.get(handler, handler), *rest))
        return handlers


main = DashboardServer.launch_instance

if __name__ == "__main__":
    main()
