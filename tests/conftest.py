"""Shared fixtures. Research material (policy texts) is read from KUOYOU_SHARED,
defaulting to ../shared beside the clone, as CI lays it out."""

import os
from pathlib import Path

import pytest

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
