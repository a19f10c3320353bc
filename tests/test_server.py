"""The production recipe (``scripts/serve.sh``) serves the dashboards and nothing else.

Against the session's server (``server`` fixture: serve.sh on a free local port):

- every other file — the repo's README, pyproject, the toolkit's source, the
  analyst notebooks, the dashboards' own .ipynb — is refused (403/404) by every
  route a Jupyter or Voila server may have, with ``../`` and ``%2e%2e/`` paths,
  and no answer carries a line of the file;
- the directory listings Voila's tree page uses name only the dashboards and
  carry no file content;
- a dashboard page, as sent and as drawn in Chromium, holds no notebook code;
- a URL cannot switch to another Voila template (those fetch Font Awesome from a CDN).

These need the Voila server, so they are marked ``browser`` like the Chromium tests.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from toolkit.testing import MAP_DRAWN

pytestmark = pytest.mark.browser

DASHBOARD_DIR = ROOT / "notebooks" / "dashboards"
DASHBOARDS = sorted(p.name for p in DASHBOARD_DIR.glob("*.ipynb"))
ANALYST = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))
#: (file relative to the repo, a line of it that no error page contains)
SECRETS = {
    "README.md": "# 扩优提质监测工具包",
    "pyproject.toml": "[project]",
    "toolkit/__init__.py": "from .doctor import doctor",
    "toolkit/voila_server.py": "class DashboardServer(Voila):",
    "scripts/serve.sh": "exec .venv/bin/python -m toolkit.voila_server",
    **{nb: '"nbformat"' for nb in ANALYST},
    **{f"notebooks/dashboards/{nb}": '"nbformat"' for nb in DASHBOARDS},
}


def raw(base: str, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and bytes of a GET of ``path`` with ``headers``."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    out = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    conn.close()
    return out


def get(base: str, path: str) -> tuple[int, str]:
    """The status and body of a GET sent exactly as written (no ``..`` folding).

    Redirects on the same server are followed: where they lead is what counts.
    """
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    for _ in range(5):
        status, headers, body = raw(base, path)
        location = headers.get("location")
        if status not in (301, 302, 303, 307, 308) or not location:
            return status, body.decode("utf-8", "replace")
        target = urllib.parse.urlsplit(urllib.parse.urljoin(f"{base}{path}", location))
        assert target.netloc == f"{host}:{port}", f"{path} redirects off the server: {location}"
        path = target.path + (f"?{target.query}" if target.query else "")
    raise AssertionError(f"{path}: too many redirects")


def quoted(path: str) -> str:
    return urllib.parse.quote(path, safe="/%")


def addresses(rel: str) -> list[str]:
    """Every way a server might be asked for ``rel`` (relative to the repo)."""
    q = quoted(rel)
    out = [f"/{q}", f"/files/{q}", f"/tree/{q}", f"/notebooks/{q}", f"/edit/{q}", f"/view/{q}",
           f"/api/contents/{q}", f"/nbconvert/html/{q}", f"/static/{q}"]  # fmt: skip
    if rel.startswith("notebooks/dashboards/"):  # a dashboard's source is not a file to download
        name = quoted(Path(rel).name)
        return [*out, f"/voila/files/{name}", f"/voila/files/{name}?download=1"]
    up = quoted("../../" + rel)  # from notebooks/dashboards, Voila's root, to the file
    deep = quoted("../" * 12 + str(ROOT / rel).lstrip("/"))  # from any static root
    dots = up.replace("..", "%2e%2e")
    out += [f"/voila/files/{up}", f"/voila/files/{dots}", f"/voila/files/{up.replace('/', '%2f')}",
            f"/voila/tree/{dots}", f"/voila/api/contents/{dots}", f"/voila/static/{deep}"]  # fmt: skip
    deep = deep.replace("..", "%2e%2e")
    for route in ("static", "labextensions", "templates/lab/static", "api/themes", "kuoyou"):
        out.append(f"/voila/{route}/{deep}")
    if rel.endswith(".ipynb"):  # rendering it would run an analyst notebook
        out += [f"/voila/render/{up}", f"/voila/render/{dots}"]
    return out


def test_secrets_are_what_the_files_hold():
    """The guard below means something only if each line really is in its file."""
    for rel, needle in SECRETS.items():
        assert needle in (ROOT / rel).read_text(encoding="utf-8"), rel
    assert ANALYST and len(DASHBOARDS) == 5


@pytest.mark.parametrize("rel", sorted(SECRETS))
def test_no_route_serves_another_file(server, rel):
    needle = SECRETS[rel]
    for address in addresses(rel):
        status, body = get(server, address)
        assert status in (403, 404), f"{address} answered {status}"
        assert needle not in body, f"{address} returned the file's content"


def test_the_plotly_route_serves_the_vendored_bundle_only(server):
    from toolkit import voila_server
    from toolkit.widgets import mapwidget

    assert voila_server.BUNDLE == mapwidget.BUNDLE
    status, body = get(server, "/voila/kuoyou/plotly-geo.min.js")
    hint = voila_server.COMPILE_HINT.decode()
    assert status == 200 and body == hint + mapwidget.BUNDLE.read_text(encoding="utf-8")
    for other in ("README.md", "plotly-geo.min.js.map", "%2e%2e/voila_server.py", ""):
        assert get(server, f"/voila/kuoyou/{other}")[0] == 404, other


def test_voilas_startup_chunks_come_as_one_script(server):
    """/voila/kuoyou/voila-chunks.js: the compile hint, then each listed chunk file as
    /voila/static/ serves it (hint removed), in the listed order; 304 on its validator."""
    import voila

    from toolkit import voila_server

    chunks = voila_server.VOILA_CHUNKS[voila.__version__]
    assert len(chunks) == len(set(chunks)) == 56 and "9212" in chunks  # 9212: Voila's app
    status, headers, body = raw(server, "/voila/kuoyou/voila-chunks.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    hint = voila_server.COMPILE_HINT
    parts = [raw(server, f"/voila/static/{c}.voila.js")[2][len(hint) :] for c in chunks]
    assert all(parts) and body == hint + b"\n;".join(parts) + b"\n"
    assert (
        raw(server, "/voila/kuoyou/voila-chunks.js", **{"If-None-Match": headers["etag"]})[0] == 304
    )


def test_the_chunk_script_is_a_comment_without_a_list_or_a_file(tmp_path):
    """Another Voila version, or a chunk file missing: the page fetches its chunks itself."""
    from toolkit.voila_server import COMPILE_HINT, VoilaChunks

    (tmp_path / "5764.voila.js").write_text("a")
    for version in ("0.0.0", "0.5.13"):  # no list; a list whose files are (mostly) missing
        script = VoilaChunks.script([tmp_path], version)
        comment = f"/* Voila {version}: no chunk list, or a file missing: the page fetches them */"
        assert script == COMPILE_HINT + comment.encode() + b"\n"


def test_every_script_comes_with_the_compile_hint(server):
    """plotly.js, Voila's scripts and the widget extensions' start with V8's compile hint and
    go on as the file on disk: whole, in ranges on either side of the hint's end and across it,
    with the length and validator of what is sent. Style sheets come unchanged."""
    from toolkit import voila_server

    hint = voila_server.COMPILE_HINT
    share = Path(sys.prefix) / "share" / "jupyter" / "voila"
    manager = share / "labextensions" / "@voila-dashboards" / "widgets-manager8" / "static"
    (entry,) = manager.glob("remoteEntry.*.js")
    scripts = {
        "/voila/kuoyou/plotly-geo.min.js": voila_server.BUNDLE,
        "/voila/static/voila.js": share / "templates" / "base" / "static" / "voila.js",
        "/voila/templates/kuoyou/static/voila-style.js": share / "templates" / "base" / "static" / "voila-style.js",
        f"/voila/labextensions/@voila-dashboards/widgets-manager8/static/{entry.name}": entry,
    }  # fmt: skip
    for address, path in scripts.items():
        sent = hint + path.read_bytes()
        status, headers, body = raw(server, address)
        assert status == 200 and body == sent, address
        assert int(headers["content-length"]) == len(sent), address
        n = len(hint)
        for lo, hi in ((0, 9), (n - 5, n + 20), (n, n + 99), (len(sent) - 50, len(sent) - 1)):
            status, headers, body = raw(server, address, Range=f"bytes={lo}-{hi}")
            assert status == 206 and body == sent[lo : hi + 1], (address, lo, hi)
            assert headers["content-range"] == f"bytes {lo}-{hi}/{len(sent)}", address
        status, _, body = raw(server, address, Range=f"bytes=-{n + 7}")
        assert status == 206 and body == sent[-(n + 7) :], address
        if etag := headers.get("etag"):
            assert raw(server, address, **{"If-None-Match": etag})[0] == 304, address
    css = share / "templates" / "base" / "static" / "labvariables.css"
    status, _, body = raw(server, "/voila/templates/kuoyou/static/labvariables.css")
    assert status == 200 and body == css.read_bytes()


@pytest.mark.parametrize("address", [
    "/tree", "/tree/", "/lab", "/lab/tree/README.md", "/api/contents", "/api/kernels",
    "/api/sessions", "/api/terminals", "/api/kernelspecs", "/api/config/notebook", "/api/me",
    "/api/status", "/terminals/1", "/login", "/logout", "/voila/templates/kuoyou/conf.json",
    "/voila/templates/kuoyou/index.html.j2", "/voila/templates/kuoyou/notices.html.j2",
    "/voila/templates/kuoyou/static/%2e%2e/index.html.j2", "/voila/templates/%2e%2e/static/x",
    "/voila/query/0", "/voila/execution/0",
])  # fmt: skip
def test_jupyter_routes_are_not_served(server, address):
    status, body = get(server, address)
    assert status in (403, 404), f"{address} answered {status}"
    assert "Traceback" not in body and str(ROOT) not in body


def test_listings_name_only_the_dashboards(server):
    status, body = get(server, "/voila/api/contents")
    assert status == 200
    assert sorted(item["name"] for item in json.loads(body)["content"]) == DASHBOARDS
    status, body = get(server, "/voila/api/contents/special_education.ipynb?content=1")
    assert status == 200 and json.loads(body)["content"] is None  # the name, never the cells
    for address in ("/", "/voila/tree/"):  # the tree page, drawn from the listing above
        status, body = get(server, address)
        assert status == 200 and not any(Path(nb).name in body for nb in ANALYST)


def code_lines(notebook: Path) -> list[str]:
    """The notebook's code, line by line, and each comment's text on its own."""
    lines = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            code, _, comment = line.partition("#")
            lines += [s for s in (line.strip(), code.strip(), comment.strip()) if len(s) >= 6]
    return lines


def release(server: str, html: str, cookies: str = "") -> None:
    """Shut down the kernel a page request started, as the page does when it closes."""
    kernel = json.loads(
        re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', html, re.S).group(1)
    )["kernelId"]
    xsrf = re.search(r"_xsrf=([^;]+)", cookies).group(1)
    req = urllib.request.Request(
        f"{server}/voila/api/shutdown/{kernel}", method="POST",
        data=urllib.parse.urlencode({"_xsrf": xsrf}).encode(), headers={"Cookie": f"_xsrf={xsrf}"},
    )  # fmt: skip
    assert urllib.request.urlopen(req, timeout=60).status == 204


@pytest.mark.parametrize("notebook", DASHBOARDS)
def test_pages_hold_no_notebook_code(server, page, notebook):
    lines = code_lines(DASHBOARD_DIR / notebook)
    assert any("import" in s for s in lines)  # there is code to leak
    response = page.goto(f"{server}/voila/render/{notebook}", wait_until="domcontentloaded",
                         timeout=120_000)  # fmt: skip
    if notebook == "index.ipynb":
        page.locator(".kuoyou-landing a").first.wait_for(timeout=120_000)
    else:
        page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    for where, text in (("as sent", response.text()), ("as drawn", page.content())):
        leaked = [s for s in lines if s in text]
        assert not leaked, f"{notebook} {where} shows its code: {leaked}"
    assert page.locator(".jp-InputArea, .jp-InputPrompt, .CodeMirror, .cm-editor").count() == 0
    page.close(run_before_unload=True)


def test_url_cannot_switch_template(server):
    """?template=lab would load Voila's lab template, which links Font Awesome from a CDN."""
    req = urllib.request.Request(f"{server}/voila/render/index.ipynb?template=lab")
    with urllib.request.urlopen(req, timeout=120) as resp:
        html, cookies = resp.read().decode(), "; ".join(resp.headers.get_all("Set-Cookie") or [])
    release(server, html, cookies)
    assert "cdn.jsdelivr.net" not in html and "fontawesome" not in html
    assert "kuoyou-notice" in html  # still the kuoyou template
