"""The benchmark script runs end to end and prints its ratios (a smoke run at N = 20).

Timings are never asserted here: the targets live in scripts/bench.py, measured against
floors from the same run (`make bench`); the numbers are in the README."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_smoke(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--sizes", "20", "--repeat", "1",
                             "--render-runs", "1", "--no-own-site", "--out", str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in ("N=20: validation / parse floor = ", "N=20: build / MkDocs floor = ", "N=20: peak memory validate ",
                 "N=20: search bytes per cold query: largest "):
        assert line in result.stdout, result.stdout
    saved = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    [run] = saved["results"]
    assert run["studies"] == 20 and run["validation"]["errors"] == 0
    assert run["parse_floor"]["files"] == run["record_files"]
    assert run["study_page_kb"]["mean"] > 0 and run["search_index_kb"] > 0
    assert run["search"] and all(m["bytes"] > 0 and m["results"] for m in run["search"])
    # The records at the schema limits: valid, built, and reported against the normal build.
    assert "limits (N=20): build with one record of each kind at every limit (" in result.stdout, result.stdout
    limits = saved["limits"]
    assert limits["validation_errors"] == 0 and limits["ratio"] > 0
    assert set(limits["fields_at_limit"]) == {"study", "regimen", "measure", "finding", "criteria"}
    # Page weight and first render of the synthetic site (this repository's own site is
    # left out here to keep the smoke run short: `make bench` measures it too).
    for line in ("N=20: cold study page ", "N=20: requests to other hosts: 0 ok",
                 "N=20: first render (study page, throttled) ", "N=20: first render (comparison page, throttled) ",
                 "N=20: full load (comparison page, throttled) ", "N=20: full load (full table page, throttled) "):
        assert line in result.stdout, result.stdout
    study = run["pages"]["weight"]["study"]
    assert study["path"].startswith("/generated/studies/synth-study-") and study["kb"] > 0
    assert any(path == study["path"] for path, _ in study["files"])
    assert {"html", "css", "js"} <= set(study["by_kind_kb"])
    assert run["pages"]["first_render"]["study"]["fcp_ms"] > 0 and saved["own_site"] is None


def test_limits_records_fill_every_free_text_field_and_stay_valid(tmp_path):
    """Every free-text field of the limits records is at its maxLength (so the benchmark
    measures the worst a valid record can do) and the validator accepts them."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench import PATHOLOGICAL, write_limits_kb
    from poemskb.check import walk
    from poemskb.kb import load
    from poemskb.synth import write_kb

    write_kb(tmp_path, 12, source_root=ROOT, seed=0, site=False)
    filled = write_limits_kb(tmp_path)
    kb, report = load(tmp_path)
    assert not report.errors, report.format("text")
    for kind, count in filled.items():
        record = next(r for r in kb.records if r.kind == kind and PATHOLOGICAL in r.text)
        at_limit = [value for _, value in walk(record.data) if isinstance(value, str) and value.startswith(PATHOLOGICAL)]
        assert count >= 5 and len(at_limit) == count, (kind, count)
    title = kb.studies[next(r.id for r in kb.records if r.kind == "study" and PATHOLOGICAL in r.text)]["title"]["value"]
    assert len(title) == kb.schemas.common["$defs"]["text_fact"]["properties"]["value"]["maxLength"]


def _result(n: int, *, ratio: float = 1.2, build_s: float = 10.0, mkdocs_mb: float = 500.0) -> dict:
    return {"studies": n, "record_files": n, "record_mb": 1.0,
            "parse_floor": {"seconds": 1.0}, "validation": {"seconds": ratio}, "validation_ratio": ratio,
            "validation_ratio_runs": [ratio], "validate_cli": {"seconds": ratio, "peak_mb": 300.0},
            "build": {"seconds": build_s, "render_seconds": 1.0, "mkdocs_seconds": build_s - 1.0,
                      "render_peak_mb": 400.0, "mkdocs_peak_mb": mkdocs_mb},
            "build_floor": {"seconds": 10.0}, "study_page_kb": {"mean": 32.0}, "search_index_kb": 2.6 * n}


def test_report_marks_each_target_and_counts_every_process_memory():
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench import report

    lines = report([_result(1000), _result(10000, ratio=1.6, build_s=14.0, mkdocs_mb=1100.0)])
    text = "\n".join(lines)
    assert "N=1000: validation / parse floor = 1.20 (target <= 1.5) ok" in text
    assert "N=10000: validation / parse floor = 1.60 (target <= 1.5) MISS" in text
    assert "N=10000: build / MkDocs floor = 1.40 (target <= 1.3) MISS" in text
    # MkDocs' own peak (1,100 MB) breaks the 1 GiB target although validate and render are under it.
    assert "N=10000: peak memory validate 300 MB, render 400 MB, mkdocs 1100 MB (target at 10,000 < 1024 MB) MISS" in text
    lines = report([_result(10000)])
    assert any(line.endswith("mkdocs 500 MB (target at 10,000 < 1024 MB) ok  ") for line in lines), lines


def test_growth_is_judged_against_the_floors_growth_in_the_same_run():
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench import report

    small, large = _result(1000), _result(10000)
    small["validation"]["seconds"], large["validation"]["seconds"] = 1.2, 14.4  # x12.0
    large["parse_floor"]["seconds"] = 12.5  # the machine's own parse grew x12.5
    text = "\n".join(report([small, large]))
    assert ("validation time x12.00 (target <= 11.0, or no faster than its floor); its floor x12.50, "
            "so x0.96 the floor's growth ok") in text
    large["parse_floor"]["seconds"] = 10.0  # parsing grew x10 but validation x12: not linear
    text = "\n".join(report([small, large]))
    assert ("validation time x12.00 (target <= 11.0, or no faster than its floor); its floor x10.00, "
            "so x1.20 the floor's growth MISS") in text
    large["validation"]["seconds"] = 12.0  # x10: linear outright, whatever the floor did
    large["parse_floor"]["seconds"] = 8.0
    assert "validation time x10.00 (target <= 11.0, or no faster than its floor); its floor x8.00, so x1.25 the floor's growth ok" \
        in "\n".join(report([small, large]))


# Page weight and first render (scripts/bench_pages.py) -------------------------------------
def _pages(study_kb: float, fcp_study: float = 1200.0, fcp_comparison: float = 2000.0, outside=(),
           load_comparison: float = 3500.0) -> dict:
    visit = {"kb": study_kb, "raw_kb": 4 * study_kb, "requests": 12, "by_kind_kb": {"css": 28.0, "html": 10.0},
             "files": [], "outside": list(outside)}
    timing = {"fcp_ms": 0.0, "load_ms": 0.0, "fcp_runs": []}
    return {"weight": {"study": visit, "home": dict(visit, kb=study_kb - 1), "comparison": dict(visit, kb=90.0),
                       "full table": dict(visit, kb=70.0)},
            "first_render": {"floor": dict(timing, fcp_ms=400.0, load_ms=420.0),
                             "study": dict(timing, fcp_ms=fcp_study, load_ms=3000.0),
                             "comparison": dict(timing, fcp_ms=fcp_comparison, load_ms=load_comparison),
                             "full table": dict(timing, fcp_ms=1900.0, load_ms=7500.0)}}


def test_page_weight_report_marks_each_target_and_the_growth():
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_pages import report_lines

    results = [{"studies": 100, "pages": _pages(120.0)},
               {"studies": 1000, "pages": _pages(160.0, fcp_study=1600.0, fcp_comparison=2600.0,
                                                 outside=["https://fonts.example/font.woff2"], load_comparison=9000.0)},
               {"studies": 10000},  # measured without a browser: no page lines
               {"studies": "this knowledge base", "pages": _pages(140.0)}]
    text = "\n".join(report_lines(results))
    assert "N=100: cold study page 120 KB gzip in 12 requests (target <= 150) ok    [css 28, html 10]" in text
    assert "N=1000: cold study page 160 KB gzip in 12 requests (target <= 150) MISS" in text
    assert "N=100: requests to other hosts: 0 ok" in text
    assert "N=1000: requests to other hosts: 1 MISS  ['https://fonts.example/font.woff2']" in text
    assert ("N=100: first render (study page, throttled) 1.20 s (target <= 1.5 s) ok    "
            "[load 3.00 s; a one-line page 0.40 s; x3.0 the floor]") in text
    assert "N=1000: first render (study page, throttled) 1.60 s (target <= 1.5 s) MISS" in text
    assert "N=100: first render (comparison page, throttled) 2.00 s (target <= 2.5 s) ok" in text
    assert "N=1000: first render (comparison page, throttled) 2.60 s (target <= 2.5 s) MISS" in text
    assert "N=100: cold comparison page 90 KB gzip in 12 requests" in text
    # Both pages' full load is reported; the comparison's against its target.
    assert "N=100: full load (comparison page, throttled) 3.50 s (target <= 4 s) ok" in text
    assert "N=1000: full load (comparison page, throttled) 9.00 s (target <= 4 s) MISS" in text
    assert "N=100: full load (full table page, throttled) 7.50 s\n" in text + "\n"
    assert "N=100: cold full table page 70 KB gzip in 12 requests" in text
    assert "N=100: first render (full table page, throttled) 1.90 s (target <= 2.5 s) ok" in text
    # 120 -> 160 KB is growth with the base; the own site is not a step of the series.
    assert "N 100 -> 1000: cold study page x1.33 (target: flat, <= x1.1) MISS" in text
    assert "N=10000" not in text and "1000 -> 10000" not in text
    assert "this knowledge base: cold study page 140 KB gzip in 12 requests (target <= 150) ok" in text
    flat = report_lines([{"studies": 100, "pages": _pages(120.0)}, {"studies": 1000, "pages": _pages(121.0)}])
    assert "N 100 -> 1000: cold study page x1.01 (target: flat, <= x1.1) ok  " in flat


def test_weigh_sums_bytes_by_kind_of_file():
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_pages import Sent, weigh

    sent = [Sent("/a/page.html", 2048, 8192), Sent("/assets/x.css", 1024, 4096), Sent("/assets/y.js", 512, 1024),
            Sent("/assets/z.js", 512, 1024), Sent("/search/search_index.json", 4096, 16384), Sent("/f.woff2", 1024, 1024)]
    weight = weigh(sent)
    assert weight["kb"] == 9.0 and weight["raw_kb"] == 31.0 and weight["requests"] == 6
    assert weight["by_kind_kb"] == {"css": 1.0, "data": 4.0, "font": 1.0, "html": 2.0, "js": 1.0}
    assert weight["files"][0] == ["/search/search_index.json", 4.0]


def test_the_bench_server_sends_gzip_as_a_static_host_does(tmp_path):
    """Text is sent gzip-compressed when the browser accepts it, already-compressed files as
    they are; each response is logged with the bytes that went over the wire."""
    import gzip
    import urllib.request

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_pages import serve

    text = ("<p>" + "repeated words compress well " * 200 + "</p>").encode()
    (tmp_path / "page.html").write_bytes(text)
    (tmp_path / "font.woff2").write_bytes(bytes(range(256)) * 4)
    with serve(tmp_path) as server:
        def get(path: str, encoding: str | None) -> tuple[bytes, str | None]:
            request = urllib.request.Request(server.url + path, headers={"Accept-Encoding": encoding} if encoding else {})
            with urllib.request.urlopen(request) as response:
                return response.read(), response.headers.get("Content-Encoding")

        body, encoding = get("/page.html", "gzip, deflate")
        assert encoding == "gzip" and gzip.decompress(body) == text and len(body) < len(text) / 10
        plain, encoding = get("/page.html", None)
        assert encoding is None and plain == text
        font, encoding = get("/font.woff2", "gzip")
        assert encoding is None and len(font) == 1024
    assert [(s.path, s.bytes, s.raw) for s in server.log] == [
        ("/page.html", len(body), len(text)), ("/page.html", len(text), len(text)), ("/font.woff2", 1024, 1024)]


@pytest.mark.browser
@pytest.mark.slow
def test_a_cold_visit_counts_what_a_worker_fetches_and_refuses_other_hosts(browser, tmp_path):
    """Generic over whatever the page requests: its stylesheet, a script, the data a web
    worker fetches after load (as Material's search does), and a font from another host
    (refused, listed)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_pages import cold_visit, first_render, serve, FLOOR_PATH

    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><link rel=stylesheet href=style.css></head><body><p>Hello</p>"
        "<script src=app.js></script></body></html>", encoding="utf-8")
    (tmp_path / "style.css").write_text("@font-face { font-family: F; src: url(https://fonts.invalid/f.woff2); }\n"
                                         "p { font-family: F; }\n" + "p { color: #111; }\n" * 300, encoding="utf-8")
    (tmp_path / "app.js").write_text("window.addEventListener('load', () => setTimeout(() => new Worker('worker.js'), 300));",
                                     encoding="utf-8")
    (tmp_path / "worker.js").write_text("fetch('index.json').then(r => r.text());", encoding="utf-8")
    (tmp_path / "index.json").write_text('{"docs": [' + ",".join(['{"t": "word"}'] * 2000) + "]}", encoding="utf-8")
    with serve(tmp_path) as server:
        visit = cold_visit(browser, server, "/index.html")
        timing = first_render(browser, server, FLOOR_PATH, runs=1)
    paths = {path for path, _ in visit["files"]}
    assert {"/index.html", "/style.css", "/app.js", "/worker.js", "/index.json"} <= paths, paths
    assert visit["outside"] == ["https://fonts.invalid/f.woff2"]
    assert set(visit["by_kind_kb"]) >= {"html", "css", "js", "data"}
    assert 0 < visit["kb"] < visit["raw_kb"]
    assert 0 < timing["fcp_ms"] <= timing["load_ms"] + 1000 and len(timing["fcp_runs"]) == 1
