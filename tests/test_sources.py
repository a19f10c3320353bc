"""External data: found in the data directory, verified, downloaded with a checksum."""

import functools
import http.server
import threading

import pytest

from toolkit import data, sources
from toolkit.sources import SourceError

DEMO_POPULATION = {
    "140403": 895280, "140425": 115927, "140406": 219256, "410404": 42066,
    "410422": 702345, "370811": 1245371, "370883": 1166559,
}  # fmt: skip


@pytest.fixture(scope="module")
def census(shared_dir):
    return data.census_population().set_index("adcode")


def test_census_covers_china_and_the_demo(census, demo):
    counties = census[census["level"] == "county"]
    assert len(counties) >= 2840
    for code, pop in DEMO_POPULATION.items():
        assert census.loc[code, "population"] == pop
    merged = demo.counties.set_index("adcode")["population"]
    assert (census.loc[merged.index, "population"] == merged).all()
    assert census.loc["370871", "level"] == "zone"  # 济宁高新区, apart from 任城区


def test_two_digitisations_agree_except_known_rows(census):
    both = census[census["population_check"].notna()]
    disagree = set(both.index[~both["sources_agree"].astype(bool)])
    assert len(both) >= 2900
    assert "150703" in disagree  # 扎赉诺尔区: 84,424 vs 184,424 (SOURCE.md)
    assert len(disagree) <= 3


def test_missing_file_without_download_explains_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KUOYOU_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(SourceError, match="KUOYOU_DATA_DIR"):
        sources.fetch("admin_codes", download=False)


def test_corrupt_file_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "admin_codes" / "areacodes_result.csv"
    bad.parent.mkdir()
    bad.write_text("not the file\n")
    monkeypatch.setenv("KUOYOU_DATA_DIR", str(tmp_path))
    with pytest.raises(SourceError, match="SHA-256"):
        sources.fetch("admin_codes")


@pytest.fixture
def local_server(tmp_path):
    """A file server on 127.0.0.1 standing in for the public source."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_download_checks_the_checksum(tmp_path, monkeypatch, shared_dir, local_server):
    root, base = local_server
    monkeypatch.setenv("KUOYOU_DATA_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (root / "good.csv").write_bytes(
        (shared_dir / "data-sources" / "admin_codes" / "areacodes_result.csv").read_bytes()
    )
    (root / "bad.csv").write_text("tampered\n")
    with pytest.raises(SourceError, match="wrong SHA-256"):
        sources.fetch("admin_codes", url=f"{base}/bad.csv")
    target = tmp_path / "cache" / "kuoyou" / "admin_codes"
    assert not any(target.iterdir()), "a bad download must leave nothing behind"
    path = sources.fetch("admin_codes", url=f"{base}/good.csv")
    assert path == target / "areacodes_result.csv"
    assert sources.sha256(path) == sources.SOURCES["admin_codes"].sha256
    assert sources.fetch("admin_codes", download=False) == path  # found in the cache now
    with pytest.raises(SourceError, match="Download failed"):
        sources.fetch("census2020_tudigong", url=f"{base}/absent.csv")
