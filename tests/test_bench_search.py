"""The benchmark's search section (scripts/bench_search.py): which fetched files count as
search, the bytes a compressing server sends, and the report's lines and marks, on
measurements made up here (the browser run itself is in test_bench.py's smoke run)."""
from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from bench_search import bench_lines, growth_report, report, search_files, wire_bytes  # noqa: E402

BASE = "http://127.0.0.1:8123/"


def test_only_files_that_serve_search_count_each_once():
    urls = [BASE + "search.html", BASE + "assets/stylesheets/main.css", BASE + "assets/search.js",
            BASE + "assets/search-engine.js", BASE + "search-index/index.json", BASE + "search-index/t/3.json",
            BASE + "search-index/t/3.json", BASE + "search-index/m/0.json", "http://elsewhere.example/search-index/x.json",
            BASE + "generated/studies/search-index.html", BASE + "assets/tablesort-init.js"]
    assert search_files(urls, BASE) == ["assets/search.js", "assets/search-engine.js", "search-index/index.json",
                                        "search-index/t/3.json", "search-index/m/0.json"]


def test_bytes_are_the_gzip_size_or_the_file_size_when_gzip_saves_nothing(tmp_path):
    text = tmp_path / "index.json"
    text.write_text('{"docs": "' + "lenalidomide " * 500 + '"}', encoding="utf-8")
    assert wire_bytes(text) == len(gzip.compress(text.read_bytes(), 6, mtime=0)) < text.stat().st_size
    packed = tmp_path / "chunk.bin"
    packed.write_bytes(random.Random(0).randbytes(5000))  # incompressible
    assert wire_bytes(packed) == packed.stat().st_size


def _m(query: str, kb: float, results: int = 5) -> dict:
    return {"query": query, "files": 9, "bytes": int(kb * 1024),
            "results": [{"url": f"/r{i}.html", "title": f"Result {i}"} for i in range(results)]}


def test_report_marks_the_largest_query_against_the_target():
    lines = report(100, [_m("patients", 80.0), _m("rare", 40.0, results=0)])
    assert lines[0] == "N=100: search 'patients': 80.0 KB in 9 files; 5 results shown, first: Result 0"
    assert lines[1] == "N=100: search 'rare': 40.0 KB in 9 files; 0 results shown, first: (no result)"
    assert lines[2] == "N=100: search bytes per cold query: largest 80.0 KB = 0.80x the target (<= 100 KB) ok  "
    assert report(10000, [_m("patients", 150.0)])[-1].endswith("= 1.50x the target (<= 100 KB) MISS")


def test_growth_is_flat_or_marked():
    assert growth_report([(100, [_m("a", 80.0)]), (1000, [_m("a", 100.0)])]) == [
        "N 100 -> 1000: search bytes per query x1.25 (flat: <= 1.5) ok  "]
    assert growth_report([(1000, [_m("a", 100.0)]), (10000, [_m("a", 3000.0)])])[0].endswith("x30.00 (flat: <= 1.5) MISS")


def test_bench_lines_skip_sizes_measured_without_a_build():
    results = [{"studies": 100, "search": [_m("a", 80.0)]}, {"studies": 1000}, {"studies": 10000, "search": [_m("a", 90.0)]}]
    lines = bench_lines(results)
    assert [l for l in lines if "largest" in l] == [
        "N=100: search bytes per cold query: largest 80.0 KB = 0.80x the target (<= 100 KB) ok  ",
        "N=10000: search bytes per cold query: largest 90.0 KB = 0.90x the target (<= 100 KB) ok  "]
    assert lines[-1] == "N 100 -> 10000: search bytes per query x1.12 (flat: <= 1.5) ok  "


def test_cloning_a_synthetic_site_shifts_each_copy_s_number(tmp_path):
    from bench_search import clone_studies

    site = tmp_path / "site"
    (site / "generated" / "studies").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Home</h1>", encoding="utf-8")
    for i in range(3):
        (site / "generated" / "studies" / f"synth-study-{i:05d}.html").write_text(
            f'<a href="synth-study-{i:05d}.html">Synthetic study {i}</a> Author{i}-0 2004; Synthetic study {i}7 stays', encoding="utf-8")
    assert clone_studies(site, tmp_path / "copy", 7) == 7
    names = sorted(p.name for p in (tmp_path / "copy" / "generated" / "studies").iterdir())
    assert names == [f"synth-study-{i:05d}.html" for i in range(7)]
    copies = [(tmp_path / "copy" / "generated" / "studies" / f"synth-study-{j:05d}.html").read_text(encoding="utf-8")
              for j in range(3, 7)]
    for j, text in enumerate(copies, start=3):  # each copy is one original renumbered; other numbers stay
        assert text.startswith(f'<a href="synth-study-{j:05d}.html">Synthetic study {j}</a> Author{j}-0 2004; Synthetic study '), text
        assert text.endswith("7 stays") and text[-8] in "012"
