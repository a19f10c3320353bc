"""Shared fixtures. Research material (policy texts) is read from KUOYOU_SHARED,
defaulting to ../shared beside the clone, as CI lays it out."""

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from toolkit.testing import CHROMIUM, CHROMIUM_ARGS, serving

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KUOYOU_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = SHARED
    if not (path / "policy").is_dir():
        pytest.fail(
            f"policy texts not found under {path}/policy: set KUOYOU_SHARED to the shared "
            "research folder (CI lays it out as ../shared)"
        )
    return path


@pytest.fixture(scope="session")
def demo():
    from toolkit import data

    return data.load_demo()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report so fixtures can save a screenshot on failure."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


# --- the browser tests' server and Chromium (one of each for the whole session) --------------
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def server():
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(log=ARTIFACTS / "voila.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is not installed (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    pg = ctx.new_page()
    pg.blocked = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            pg.blocked.append(route.request.url)
            route.abort()

    pg.route("**/*", only_local)
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        pg.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    ctx.close()
