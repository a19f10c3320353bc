"""Preheated kernels start a few at a time; a page's kernel goes first (toolkit.voila_server.PoolGate).

A stand-in for Voila's kernel manager: ``_initialize`` "starts a kernel" whose notebook
runs until the test says it has ended, and records how many run at once.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from traitlets.config import LoggingConfigurable

from toolkit.voila_server import PoolGate, _gated_factory


class FakeVoilaManager(LoggingConfigurable):
    """What PoolGate uses of Voila's manager: ``_pools``, ``_initialize``, ``get_rendered_notebook``."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._pools: dict[str, list[asyncio.Task]] = {}
        self.started: list[str] = []
        self.running = self.most = 0
        self.ends: dict[str, asyncio.Future] = {}

    async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs):
        name = kwargs["name"]
        self.started.append(name)
        self.running += 1
        self.most = max(self.most, self.running)
        end = self.ends[name] = asyncio.get_running_loop().create_future()

        async def render() -> None:  # Voila's render task: the notebook running in the kernel
            await end
            self.running -= 1

        return {"task": asyncio.ensure_future(render()), "kernel_id": name}

    async def get_rendered_notebook(self, notebook_name: str, **kwargs):
        return await self._pools[notebook_name].pop(0)


class Gated(PoolGate, FakeVoilaManager):
    pass


def run(scenario) -> None:
    """``asyncio.run`` in a thread of its own (the browser tests' Playwright holds this one's loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_kernels_start_at_most_at_once_and_a_wanted_one_goes_first():
    async def scenario() -> None:
        m = Gated(at_once=2)
        tasks = [asyncio.ensure_future(m._initialize("a.ipynb", name=f"k{i}")) for i in range(5)]
        m._pools["a.ipynb"] = tasks[3:]  # k3 and k4 queued in the pool; k0..k2 refills ahead
        await settle()
        assert m.started == ["k0", "k1"] and m.running == 2
        page = asyncio.ensure_future(m.get_rendered_notebook("a.ipynb"))  # a page takes k3
        await settle()
        assert m.started == ["k0", "k1", "k3"]  # ahead of k2, over the limit for the page
        assert (await page)["kernel_id"] == "k3"
        m.ends["k0"].set_result(None)  # k0's notebook has run, but k1 and k3 still run: two
        await settle()
        assert m.started == ["k0", "k1", "k3"] and m.running == 2
        m.ends["k1"].set_result(None)  # now the next in line starts
        await settle()
        assert m.started == ["k0", "k1", "k3", "k2"] and m.running == 2
        m.ends["k3"].set_result(None)
        await settle()
        assert m.started[-1] == "k4" and m.running == 2
        for name in ("k2", "k4"):
            m.ends[name].set_result(None)
        await asyncio.gather(*tasks)
        await settle()  # the gate hears of the last two ends
        assert m.most == 3 and m.running == m._running == 0  # at_once 2, plus the page's one

    run(scenario)


def test_a_restart_is_not_held():
    async def scenario() -> None:
        m = Gated(at_once=1)
        first = asyncio.ensure_future(m._initialize("a.ipynb", name="k0"))
        await settle()
        restart = await asyncio.wait_for(m._initialize("a.ipynb", "k0", name="k0-again"), 1)
        assert restart["kernel_id"] == "k0-again" and m.running == 2
        m.ends["k0"].set_result(None)
        m.ends["k0-again"].set_result(None)
        await first

    run(scenario)


def test_at_once_defaults_to_the_cores_and_only_preheating_managers_are_gated(monkeypatch):
    import os

    from traitlets.config import Config

    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert Gated().at_once == 6
    # set in the section of the class it is mixed into (serve.sh: --VoilaKernelManager.at_once=n)
    assert Gated(config=Config({"FakeVoilaManager": {"at_once": 3}})).at_once == 3

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    preheating = _gated_factory(AsyncMappingKernelManager, True, 2)
    plain = _gated_factory(AsyncMappingKernelManager, False, 0)
    assert issubclass(preheating, PoolGate) and "fill_if_needed" in dir(preheating)
    assert not issubclass(plain, PoolGate)
    assert preheating.class_traits()["at_once"].metadata.get("config") is True
