"""External data files: where the toolkit looks for them, and how it fetches them.

Public tables the toolkit reads but does not ship (the 2020 census by county,
the history of administrative codes) are found in a *data directory*:

1. every folder in ``KUOYOU_DATA_DIR`` (``os.pathsep``-separated), then
2. the user cache, ``$XDG_CACHE_HOME/kuoyou`` (default ``~/.cache/kuoyou``).

Each file sits at ``<data dir>/<subdir>/<file>`` and must match its SHA-256.
When it is in none of them, :func:`fetch` downloads it from its public source
into the user cache, checks the SHA-256 and only then moves it into place, so a
broken download never leaves a bad file behind. On an offline machine, copy
the files into a data directory and point ``KUOYOU_DATA_DIR`` at it.

Example
-------
>>> from toolkit import sources
>>> sorted(sources.SOURCES)[:2]
['admin_codes', 'census2020_leiii']
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """One public file: where it lives in a data directory and where it comes from."""

    subdir: str
    file: str
    url: str
    sha256: str
    licence: str
    origin: str


SOURCES = {
    "census2020_leiii": Source(
        "census2020_county",
        "leiii_census_county_2020_v1.xlsx",
        "https://raw.githubusercontent.com/leiii/census/0ba0f1efae092f4aa6569ef38e53b3bb4d2f0087/data/census/census_county_2020_v1.xlsx",
        "04d37df90d4e358c13aac85a76051caab12afa84eca8a3b4f58cf2227ce69f43",
        "MIT (Lei Dong)",
        "NBS 2020 census county tabulation, digitised by leiii/census",
    ),
    "census2020_tudigong": Source(
        "census2020_county",
        "tudigong_population.csv",
        "https://raw.githubusercontent.com/thebamboogrove/tudigong/4db2f145527695bab2b72d1cce02d30924b6ac95/input/population.csv",
        "153909c134818cf4551e8fac978f4ddc5b6977bc5be12ac106312cd1b58a33a8",
        "MIT",
        "NBS 2020 census county tabulation (ISBN 978-7-5037-9772-9), digitised by thebamboogrove/tudigong",
    ),
    "admin_codes": Source(
        "admin_codes",
        "areacodes_result.csv",
        "https://raw.githubusercontent.com/yescallop/areacodes/eed219a0678d36bacaa717f62443b10e869f0291/result.csv",
        "e3b69e8e13fcb3151b5cd6a03674f89e043f301f308dcb67283533f1a8239794",
        "CC0 1.0",
        "MCA county-level code history 1981–2024, compiled by yescallop/areacodes",
    ),
}


class SourceError(RuntimeError):
    """A data file is missing, corrupt or could not be downloaded (bilingual message)."""


def cache_dir() -> Path:
    """The user cache, ``$XDG_CACHE_HOME/kuoyou`` or ``~/.cache/kuoyou``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kuoyou"


def data_dirs() -> list[Path]:
    """Folders searched, in order: ``KUOYOU_DATA_DIR`` entries, then the user cache."""
    env = os.environ.get("KUOYOU_DATA_DIR", "")
    return [Path(p) for p in env.split(os.pathsep) if p] + [cache_dir()]


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(name: str, *, download: bool = True, url: str | None = None) -> Path:
    """Path of a verified copy of source ``name``, downloading it if needed.

    ``url`` overrides the public address (a mirror on an intranet).
    """
    if name not in SOURCES:
        raise SourceError(f"未知数据源“{name}”，可用：{sorted(SOURCES)} / Unknown source {name!r}")
    src = SOURCES[name]
    for d in data_dirs():
        path = d / src.subdir / src.file
        if path.is_file():
            if sha256(path) != src.sha256:
                raise SourceError(
                    f"文件 {path} 的校验和不符，可能已损坏或版本不同；请删除后重试。 / "
                    f"{path} does not match its SHA-256 (corrupt or another version); delete it and retry."
                )
            return path
    if not download:
        raise SourceError(_missing_message(src))
    return _download(src, url or src.url)


def _missing_message(src: Source) -> str:
    dirs = "、".join(str(d) for d in data_dirs())
    return (
        f"找不到 {src.subdir}/{src.file}（已查找：{dirs}）。请把文件放入数据目录并设置 KUOYOU_DATA_DIR，"
        f"或联网自动下载：{src.url} / {src.subdir}/{src.file} not found in {dirs}. Put it in a data "
        f"directory named by KUOYOU_DATA_DIR, or let the toolkit download it from {src.url}."
    )


def _download(src: Source, url: str) -> Path:
    target = cache_dir() / src.subdir / src.file
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as tmp:
        tmp_path = Path(tmp.name)
        try:
            with urllib.request.urlopen(url, timeout=60) as resp:
                shutil.copyfileobj(resp, tmp)
        except OSError as e:
            tmp.close()
            tmp_path.unlink(missing_ok=True)
            raise SourceError(
                f"下载失败：{e} / Download failed: {e}\n" + _missing_message(src)
            ) from e
    got = sha256(tmp_path)
    if got != src.sha256:
        tmp_path.unlink(missing_ok=True)
        raise SourceError(
            f"下载的文件校验和不符（{got[:12]}…），已丢弃：{url} / "
            f"downloaded file has the wrong SHA-256 ({got[:12]}…) and was discarded: {url}"
        )
    tmp_path.replace(target)
    return target
