"""A small load test in the suite: 3 concurrent sessions for 30 s (bench/load.py, loopback only).

Against the session's server (preheated pool of 2 per dashboard), ``bench/load.py``
opens three dashboards at once in three browser contexts and changes city and
year in each until 30 s after the last first map (all three driven at once). Every session must draw its first map and repaint, none
may error (timeouts, error boxes, the lost-connection notice, console or page
errors, requests off the machine, a kernel outliving its page), the kernel count
may grow by one per session at most, and memory stays under the bound bench/load.py
states (kernels × 250 MB PSS + 500 MB server RSS). The 20-session run is in
bench/RESULTS.md.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser


def test_three_sessions_for_thirty_seconds(server, tmp_path):
    out = tmp_path / "load.json"
    cmd = [sys.executable, str(ROOT / "bench" / "load.py"), "--base", server, "--sessions", "3",
           "--seconds", "30", "--json", str(out)]  # fmt: skip
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    s = json.loads(out.read_text(encoding="utf-8"))
    assert s["rendered"] == 3, s
    assert s["renders"] >= 3 + 3 * 2, s  # each first map and at least one city and one year
    assert s["errors"] == [], s["errors"]
    assert s["together"] >= 30, s  # every session was being driven during those 30 s
    assert s["kernels_peak"] <= s["kernels_allowed"], s
    assert s["peak_total_mb"] <= s["bound_mb"], s
    assert s["peak_server_rss_mb"] <= 500, s
