"""What every benchmark writing into ``bench/RESULTS.md`` shares: its section, the machine, the load.

Each benchmark owns one section of RESULTS.md, between an HTML comment that
opens it and one that closes it; :func:`write_section` replaces that section
(or appends it) and keeps every other one as it is.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def markers(name: str) -> tuple[str, str]:
    """The comments that open and close the section ``name``.

    >>> markers("load")
    ('<!-- begin: load -->', '<!-- end: load -->')
    """
    return f"<!-- begin: {name} -->", f"<!-- end: {name} -->"


def write_section(name: str, text: str, path: Path = RESULTS) -> None:
    """Put ``text`` (without markers) as section ``name`` of ``path``, keeping the others.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "R.md"
    >>> write_section("a", "one", p); write_section("b", "two", p); write_section("b", "2", p)
    >>> text = p.read_text()
    >>> "one" in text and "2" in text and "two" not in text
    True
    """
    begin, end = markers(name)
    block = f"{begin}\n{text.strip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    """CPU, cores, memory and Python of this machine, for a results header."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor() or "?",
    )  # fmt: skip
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )


def now() -> str:
    """The date and time in UTC, as the results give it."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """Seconds of each of ``runs`` calls of ``fn``, and the last result.

    >>> times, result = timed(lambda: 2 + 2, 3)
    >>> len(times), result
    (3, 4)
    """
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times, result


def med(xs: list[float], unit: str = "s") -> str:
    """The median of ``xs`` with the number of runs and their range, as the results print it.

    >>> med([0.3, 0.1, 0.2])
    '0.200 s (n=3, min 0.100, max 0.300)'
    """
    return f"{statistics.median(xs):.3f} {unit} (n={len(xs)}, min {min(xs):.3f}, max {max(xs):.3f})"


def verdict(ok: bool) -> str:
    """How the results say whether a goal is met.

    >>> verdict(True), verdict(False)
    ('met', '**not met**')
    """
    return "met" if ok else "**not met**"


def cpu_idle(seconds: float = 2.0) -> float:
    """The share of the machine's CPU time that was idle over the next ``seconds``."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, all

    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return (idle1 - idle0) / max(total1 - total0, 1)


def wait_idle(share: float = 0.9, max_seconds: float = 300, least: float = 0) -> float:
    """Wait at least ``least`` seconds, then until the CPU is ``share`` idle over 2 s (a pool
    kernel preheating a national data set keeps a core busy for a minute); at most
    ``max_seconds`` in all. Returns the seconds waited."""
    start = time.monotonic()
    time.sleep(least)
    while time.monotonic() - start < max_seconds and cpu_idle() < share:
        pass
    return time.monotonic() - start
