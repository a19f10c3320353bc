"""The dashboards' web server: Voila 0.5.13 with three of its routes corrected.

``scripts/serve.sh`` runs ``python -m toolkit.voila_server``, which takes every
option ``voila`` takes and serves the same pages. It differs in three ways,
each found by ``tests/test_server.py``:

- a dashboard page sets the ``_xsrf`` cookie. When a page closes, Voila's
  front-end asks the server to shut its kernel down (a ``sendBeacon`` to
  ``/voila/api/shutdown/<kernel id>`` carrying that cookie), but Voila sets the
  cookie only on its tree page: for a dashboard opened by its own address the
  request was refused (403), and the kernel, with any upload it held, lived on
  until the idle cull (``cull_idle_timeout``, 30 minutes);
- an address under ``/voila/templates/`` that is not ``<template>/static/<file>``
  answers 404 (Voila failed on it with a 500);
- there is no ``/logout`` page (nobody logs in; Voila failed on it with a 500).
"""

from __future__ import annotations

import os

from tornado.web import HTTPError
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler


def _static_parts(path: str) -> list[str]:
    """``<template>/static/<file>`` split in three, or 404."""
    parts = path.split("/", 2)
    if len(parts) != 3 or parts[1] != "static" or not parts[0] or not parts[2]:
        raise HTTPError(404)
    return parts


class TemplateStatic(TemplateStaticFileHandler):
    """Voila's template-static files; any other address under ``/voila/templates/`` is a 404."""

    def parse_url_path(self, path: str) -> str:
        _static_parts(path)
        return super().parse_url_path(path)

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        _static_parts(os.path.normpath(path).replace(os.path.sep, "/"))
        return super().get_absolute_path(root, path)


class DashboardPage(TornadoVoilaHandler):
    """A dashboard page that also sets the ``_xsrf`` cookie its kernel shutdown needs."""

    async def prepare(self) -> None:
        await super().prepare()
        self.xsrf_token  # noqa: B018 - reading it sets the cookie


class DashboardServer(Voila):
    """Voila serving the dashboards, with the corrections the module docstring lists."""

    def init_handlers(self) -> list:
        swap = {TemplateStaticFileHandler: TemplateStatic, TornadoVoilaHandler: DashboardPage}
        handlers = []
        for pattern, handler, *rest in super().init_handlers():
            if pattern.rstrip("$").endswith("/logout"):
                continue
            handlers.append((pattern, swap.get(handler, handler), *rest))
        return handlers


main = DashboardServer.launch_instance

if __name__ == "__main__":
    main()
