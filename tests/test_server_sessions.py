"""A dashboard session in Chromium: uploads, errors, the kernel's end (serve.sh, offline).

- a file over the upload limit is refused with a message: by the page before it
  is read or sent, and by the kernel (before it is parsed) when a client skips the
  page's check; the message travels, so the server's websocket takes a file that size;
- a file the readers fail on shows the upload message, never a traceback or a path;
- an upload lives in its session's kernel only: no file anywhere the server could
  write (its working directory, the repo, /tmp, the home directory) holds its bytes,
  another session still sees the demo, and closing the page shuts that kernel down;
- a kernel killed mid-session: the page says so in both languages and offers a
  reload, which gives a working dashboard on a new kernel.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import CHANGZHI_TOTALS, ROOT
from toolkit.testing import MAP_DRAWN, kernel_known
from toolkit.widgets.dataset import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.browser

URL = "/voila/render/special_education.ipynb"
NOTICE = "#kuoyou-notice"


def open_dashboard(server: str, page) -> str:
    """Open the special-education dashboard, wait for its map; its kernel's id."""
    page.goto(server + URL, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def upload(page, name: str | Path, content: bytes = b"") -> None:
    """Choose a file in the upload widget: a path, or a name and bytes held in memory only."""
    with page.expect_file_chooser() as chooser:
        page.locator("button.widget-upload").click()
    if isinstance(name, Path):
        chooser.value.set_files(name)
    else:
        mime = "application/octet-stream"
        chooser.value.set_files({"name": name, "mimeType": mime, "buffer": content})


def kernel_pids(kernel: str) -> list[int]:
    """The processes of the kernel with this id (its connection file names it)."""
    out = subprocess.run(["pgrep", "-f", f"kernel-{kernel}.json"], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def wait_gone(server: str, kernel: str, seconds: float = 20) -> float:
    """Seconds until the kernel is gone from the server and from the process list."""
    t0 = time.monotonic()
    while kernel_known(server, kernel) or kernel_pids(kernel):
        assert time.monotonic() - t0 < seconds, f"kernel {kernel} still there after {seconds} s"
        time.sleep(0.5)
    return time.monotonic() - t0


def test_upload_over_the_limit_is_refused(server, page, tmp_path):
    kernel = open_dashboard(server, page)
    too_big = tmp_path / "全市学校.csv"
    too_big.write_bytes(b"a" * (MAX_UPLOAD_BYTES + 1))
    # the page: not read, not sent
    upload(page, too_big)
    page.locator(NOTICE).wait_for(timeout=30_000)
    assert "文件超过 20 MB 上限" in page.inner_text(NOTICE)
    assert "over the 20 MB limit" in page.inner_text(NOTICE)
    page.locator(NOTICE).get_by_role("button").click()
    assert page.locator(NOTICE).count() == 0
    time.sleep(3)  # had the file been sent, the kernel's refusal would show by now (see below)
    assert page.locator(".kuoyou-error").count() == 0
    # a client without the page's check: the kernel refuses it before parsing it
    page.evaluate("() => { FileReader.prototype.readAsArrayBuffer = kuoyouNotices.unguardedRead; }")
    upload(page, too_big)
    page.locator(".kuoyou-error", has_text="上限").wait_for(timeout=60_000)
    refused = page.locator(".kuoyou-error", has_text="上限").inner_text()
    assert "20 MB" in refused and "上传未成功" in refused
    assert "示例数据（模拟）" in page.inner_text("body")  # the demo stays
    assert page.evaluate("() => document.querySelectorAll('path.choroplethlocation').length") == 33
    assert kernel_pids(kernel), "the kernel survived the 20 MB message"
    assert not page.blocked


def test_unreadable_upload_shows_no_internals(server, page):
    open_dashboard(server, page)
    upload(page, "报表.parquet", b"PAR1" + b"\0" * 64)  # Parquet's magic, then nothing
    box = page.locator(".kuoyou-error")
    box.wait_for(timeout=60_000)
    text = box.inner_text()
    assert "上传未成功" in text and "报表.parquet" in text
    shown = page.inner_text("body") + page.content()
    for internal in ("Traceback", 'File "', ".py", "site-packages", str(ROOT), "/tmp/", "Error:"):
        assert internal not in shown, f"the page shows {internal!r}"
    assert "示例数据（模拟）" in page.inner_text("body")


def totals_csv(marker: str) -> bytes:
    """长治's county totals for 2024 as CSV, with ``marker`` in a remarks column."""
    head = ("区县代码,县区名称,年份,在园幼儿数,公办园在园幼儿数,特殊教育学校数,附设特教班数,"
            "符合交流条件教师数,交流轮岗教师数,交流轮岗骨干教师数,备注")  # fmt: skip
    rows = [",".join(map(str, (*r[:2], 2024, *r[2:], marker))) for r in CHANGZHI_TOTALS]
    return "\n".join([head, *rows]).encode("utf-8")


def files_holding(marker: bytes, since: float) -> list[Path]:
    """Regular files changed since ``since`` that contain ``marker``, wherever the server could
    write: its working directory (the repo), /tmp, /var/tmp, /dev/shm and the home directory.

    The browser's own profile and Playwright's files (``/tmp/playwright*``) are the viewer's
    machine, not the server's, and are left out.
    """
    found, folders = [], [ROOT, Path(tempfile.gettempdir()), "/var/tmp", "/dev/shm", Path.home()]
    seen = set()
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:  # gone meanwhile, or not ours to read
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith("playwright") and entry.path not in seen:
                        seen.add(entry.path)
                        folders.append(entry.path)
                    continue
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and st.st_mtime >= since and st.st_size < 2**28:
                    if marker in Path(entry.path).read_bytes():
                        found.append(Path(entry.path))
            except OSError:
                continue
    return sorted(set(found))


def test_upload_stays_in_its_session_and_ends_with_it(server, browser, page):
    marker = f"KUOYOU-UPLOAD-{uuid.uuid4().hex}"
    since = time.time() - 1
    control = Path(tempfile.gettempdir(), f"kuoyou-scan-control-{uuid.uuid4().hex}")
    control.write_text(marker)  # the scan must find a file like this one
    try:
        assert files_holding(marker.encode(), since) == [control]
    finally:
        control.unlink()

    kernel = open_dashboard(server, page)
    upload(page, "长治县级汇总.csv", totals_csv(marker))
    page.wait_for_function(MAP_DRAWN, arg=12, timeout=60_000)
    page.get_by_text("长治县级汇总.csv").first.wait_for(timeout=60_000)  # the panels follow the map

    elsewhere = browser.new_context(locale="zh-CN")  # another official, meanwhile
    other = elsewhere.new_page()
    open_dashboard(server, other)
    assert "示例数据（模拟）" in other.inner_text("body")
    assert "长治县级汇总.csv" not in other.inner_text("body")
    other.close(run_before_unload=True)
    elsewhere.close()

    assert files_holding(marker.encode(), since) == []
    page.close(run_before_unload=True)  # the official closes the tab
    took = wait_gone(server, kernel)
    assert took < 20
    assert files_holding(marker.encode(), since) == []


def test_killed_kernel_says_so_and_reload_works(server, page):
    kernel = open_dashboard(server, page)
    pids = kernel_pids(kernel)
    assert len(pids) == 1
    os.kill(pids[0], signal.SIGKILL)
    city = page.get_by_label("城市", exact=True)
    city.select_option(label="平顶山市")  # the official carries on
    notice = page.locator(NOTICE)
    notice.wait_for(timeout=30_000)
    text = notice.inner_text()
    assert "与服务器的连接已中断，请刷新页面" in text
    assert "lost its connection to the server: reload the page" in text
    assert page.evaluate("() => document.body.classList.contains('kuoyou-lost')")
    assert page.evaluate("() => document.querySelectorAll('path.choroplethlocation').length") == 33

    with page.expect_navigation(timeout=120_000):
        notice.get_by_role("button", name="刷新页面 / Reload").click()
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    again = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
    assert again != kernel and page.locator(NOTICE).count() == 0
    page.get_by_label("城市", exact=True).select_option(label="平顶山市")
    page.wait_for_function(MAP_DRAWN, arg=10, timeout=60_000)  # the new kernel answers
    wait_gone(server, kernel)  # the bare kernel the server restarted went with the old page
    assert not page.blocked
