#!/usr/bin/env python3
"""Benchmark: validation and site build at N synthetic studies, each against a floor
measured in the same run on the same machine.

    python scripts/bench.py                      # N = 100, 1,000 and 10,000 (about 25 minutes)
    python scripts/bench.py --sizes 20 --repeat 1  # a smoke run (the test suite does this)

For every N it writes a synthetic knowledge base (`poemskb synth`, outside evidence/)
to a temporary folder and measures, each step in a child process of its own:

* parse floor   reading every record file and parsing it with yaml.CSafeLoader;
* validation    poemskb's full load-and-check of the same files (in-process time,
                like the floor, so interpreter start-up counts in neither);
* build         `poemskb render` + `mkdocs build --strict` of the synthetic site;
* build floor   `mkdocs build --strict` of a Material site with the same number of
                plain, pre-written pages of the same average size, out of the nav;
* sizes         a study page's HTML (mean and largest) and the search index;
* peak memory   of each child (maximum resident set size);
* page weight   bytes (gzip) of a cold visit to a study page, and first render under
                throttling, in headless Chromium (scripts/bench_pages.py), at every N
                and for this repository's own knowledge base.

At the smallest N it also builds the same base with one record of each kind whose every
free-text field is at its schema limit, filled with the punctuation Python-Markdown
works hardest on, and reports that build against the normal one (pairs in the same run):
the schema limits must keep a stranger's record from costing the build minutes.

It prints the ratios against the floors and the growth from each N to the next, marks
each target (validation <= 1.5x parse floor, build <= 1.3x MkDocs floor, 10x records
<= 11x time or no faster than the floor's own growth in the run, flat page size,
search index <= a few KB per record, peak memory at 10,000 < 1 GiB, records at the
limits <= 1.3x the normal build), and writes
everything to bench-results/bench.json. Times shown are the best of --repeat runs;
the validation ratio is the median over runs made in pairs (floor, then validation),
with more pairs for small bases (at least 20 s of them).
Nothing here is asserted, so a slow machine never fails a test.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from poemskb.load import KIND_FOLDERS  # noqa: E402
from poemskb.synth import write_kb  # noqa: E402
import bench_search  # noqa: E402  (bytes for one search; scripts/ is on sys.path as the script's folder)

import bench_pages  # noqa: E402  (scripts/: page weight and first render)

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
MIN_MEASURING, MAX_PAIRS = 20.0, 15  # seconds of floor+validation timing per size; cap on pairs
TARGETS = {"validation": 1.5, "build": 1.3, "growth": 11.0, "index_kb_per_record": 4.0, "memory_mb": 1024,
           "limits": 1.3}

FLOOR_SCRIPT = r"""
import json, sys, time, yaml
from pathlib import Path
files = sorted(p for p in (Path(sys.argv[1]) / "evidence").rglob("*.yaml") if "schema" not in p.parts)
cpu, wall = time.process_time(), time.perf_counter()
for path in files:
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
print(json.dumps({"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "files": len(files)}))
"""

VALIDATE_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from poemskb.kb import load
cpu, wall = time.process_time(), time.perf_counter()
kb, report = load(Path(sys.argv[1]))
report.format("text")
print(json.dumps({"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "errors": len(report.errors), "warnings": len(report.warnings)}))
"""


def measured(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Like child(), but waits with os.wait4 so the child's own peak memory is known."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed ({proc.returncode}):\n{stdout[-2000:]}\n{stderr[-4000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout


def best(cmd: list[str], repeat: int, cwd: Path | None = None) -> dict:
    """Best of `repeat` runs of a timing script (its own JSON), with the peak memory."""
    runs = []
    for _ in range(repeat):
        _, peak, out = measured(cmd, cwd)
        result = json.loads(out.strip().splitlines()[-1])
        result["peak_mb"] = peak
        runs.append(result)
    return min(runs, key=lambda r: r["seconds"])


def plain_pages(dest: Path, count: int, size: int, site_config: Path) -> None:
    """A Material site of `count` plain pages of about `size` bytes, out of the nav."""
    docs = dest / "docs"
    (docs / "pages").mkdir(parents=True)
    paragraph = ("Plain pre-written text of the kind a static site holds: sentences of ordinary words that "
                 "MkDocs turns into HTML and indexes for search, with nothing generated. ")
    for i in range(count):
        parts = [f"# Plain page {i}\n", "## Summary\n", paragraph * 2, "\n## Details\n",
                 "| Item | Value | Note |\n|---|---|---|\n"]
        row = 0
        while sum(map(len, parts)) < size:
            parts.append(f"| item {row} | {row * 7 % 100} | {paragraph[: 60]} |\n")
            row += 1
        (docs / "pages" / f"page-{i:05d}.md").write_text("".join(parts), encoding="utf-8")
    (docs / "index.md").write_text("# Plain pages\n\nThe floor for the build benchmark.\n", encoding="utf-8")
    theme = {"name": "material", "language": "en", "font": False,
             "features": ["navigation.sections", "navigation.top", "search.highlight", "toc.follow"]}
    extensions = ["admonition", "attr_list", "tables", {"toc": {"permalink": True}}]
    try:  # the site's own theme features and Markdown extensions, where it states them plainly
        import yaml
        config = yaml.safe_load(site_config.read_text(encoding="utf-8"))
        theme["features"] = config["theme"].get("features", theme["features"])
        extensions = [e for e in config.get("markdown_extensions", extensions) if "snippets" not in str(e)]
    except Exception:
        pass
    import yaml
    (dest / "mkdocs.yml").write_text(yaml.safe_dump({
        "site_name": "Plain pages", "use_directory_urls": False, "theme": theme, "plugins": ["search"],
        "markdown_extensions": extensions, "not_in_nav": "/pages/*.md", "nav": [{"Home": "index.md"}],
    }, sort_keys=False), encoding="utf-8")


def measure(n: int, work: Path, repeat: int, build: bool, pages_runs: int = 0) -> dict:
    kb = work / f"kb-{n}"
    write_kb(kb, n, source_root=ROOT, seed=0, site=True)
    result: dict = {"studies": n, "record_files": sum(1 for p in (kb / "evidence").rglob("*.yaml") if "schema" not in p.parts)}
    result["record_mb"] = round(sum(p.stat().st_size for p in (kb / "evidence").rglob("*.yaml")) / 1e6, 1)

    floors, checks = [], []
    started = time.perf_counter()
    # In pairs, so a burst of background load hits both alike. Small bases take a
    # fraction of a second, where one scheduler hiccup moves a ratio by half: they get
    # more pairs (until MIN_MEASURING seconds are spent, at most MAX_PAIRS).
    while len(floors) < repeat or (time.perf_counter() - started < MIN_MEASURING and len(floors) < MAX_PAIRS):
        floors.append(best([sys.executable, "-c", FLOOR_SCRIPT, str(kb)], 1))
        checks.append(best([sys.executable, "-c", VALIDATE_SCRIPT, str(kb)], 1))
    result["parse_floor"] = min(floors, key=lambda r: r["seconds"])
    result["validation"] = min(checks, key=lambda r: r["seconds"])
    # The ratio is the median of the pairs' ratios: steadier than a ratio of minima
    # on a machine that other work shares.
    result["validation_ratio"] = statistics.median(c["seconds"] / f["seconds"] for f, c in zip(floors, checks))
    result["validation_ratio_runs"] = [round(c["seconds"] / f["seconds"], 3) for f, c in zip(floors, checks)]
    cli_seconds, cli_peak, _ = _validate_cli(kb)
    result["validate_cli"] = {"seconds": cli_seconds, "peak_mb": cli_peak}
    if not build:
        return result

    render_s, render_mb, _ = measured([sys.executable, "-m", "poemskb", "--root", str(kb), "render"], kb)
    build_s, build_mb, _ = measured([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(kb / "mkdocs.yml")], kb)
    result["build"] = {"seconds": render_s + build_s, "render_seconds": render_s, "mkdocs_seconds": build_s,
                       "render_peak_mb": render_mb, "mkdocs_peak_mb": build_mb}
    markdown = [p for p in (kb / "docs").rglob("*.md")]
    studies_md = list((kb / "docs" / "generated" / "studies").glob("synth-study-*.md"))
    floor = work / f"floor-{n}"
    plain_pages(floor, len(markdown), int(statistics.mean(p.stat().st_size for p in studies_md)), kb / "mkdocs.yml")
    floor_s, floor_mb, _ = measured([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(floor / "mkdocs.yml")], floor)
    result["build_floor"] = {"seconds": floor_s, "pages": len(markdown), "peak_mb": floor_mb}

    pages = [p.stat().st_size for p in (kb / "site" / "generated" / "studies").glob("synth-study-*.html")]
    result["study_page_kb"] = {"mean": statistics.mean(pages) / 1024, "max": max(pages) / 1024}
    # The search index (make build's last step) and what one cold search downloads (bench_search.py).
    index_s, _, _ = measured([sys.executable, "-m", "poemskb", "search-index", str(kb / "site")], kb)
    result["build"]["search_index_seconds"] = index_s
    result["search_index_kb"] = bench_search.index_kb(kb / "site")
    result["search"] = bench_search.measure_queries(kb / "site", bench_search.SYNTH_QUERIES)
    result["site_mb"] = sum(p.stat().st_size for p in (kb / "site").rglob("*") if p.is_file()) / 1e6
    if pages_runs:  # page weight and first render (scripts/bench_pages.py)
        result["pages"] = bench_pages.measure_site(kb / "site", pages_runs)
    shutil.rmtree(kb / "site")
    shutil.rmtree(floor)
    return result


# The punctuation Python-Markdown's inline patterns work hardest on (emphasis, links,
# code spans, escapes, entities, tags): the 240,000-character title of it took
# minutes to build. Every free-text field of a limits record is this, at its maxLength.
PATHOLOGICAL = "*_[!`\\&<"
# Text whose form a rule checks (identifiers, registration numbers) keeps its value.
_KEEP_TEXT = {("doi", "value"), ("pmid", "value"), ("pmcid", "value"), ("registrations", "[]", "value")}


def at_limits(data: dict, fields: dict[tuple, list[dict]]) -> int:
    """Fill every free-text field of a record (in place) to its schema maxLength with
    PATHOLOGICAL; fields with a pattern, an enum or a checked form keep their value.
    Returns how many fields were filled."""
    filled = 0
    stack: list[tuple[tuple, object]] = [((), data)]
    while stack:
        path, value = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            where = path + ("[]" if isinstance(key, int) else key,)
            if isinstance(item, str):
                nodes = fields.get(where, [])
                limit = min((n["maxLength"] for n in nodes if "maxLength" in n), default=None)
                fixed = any(k in n for n in nodes for k in ("pattern", "enum", "const", "$ref"))
                if limit and not fixed and where not in _KEEP_TEXT:
                    value[key] = (PATHOLOGICAL * (limit // len(PATHOLOGICAL) + 1))[:limit]
                    filled += 1
            else:
                stack.append((where, item))
    return filled


def write_limits_kb(kb: Path) -> dict[str, int]:
    """Rewrite the first record of each kind in a synthetic knowledge base with every
    free-text field at its limit. Returns the fields filled per kind."""
    from poemskb.load import parse_text
    from poemskb.schema import load_schemas
    from poemskb.synth import dump

    schemas = load_schemas(kb)
    filled = {}
    for folder, kind in KIND_FOLDERS.items():
        path = sorted((kb / "evidence" / folder).glob("*.yaml"))[0]
        data = parse_text(path.read_text(encoding="utf-8"))
        filled[kind] = at_limits(data, schemas.fields(kind))
        path.write_text(f"# Every free-text field at its schema limit (scripts/bench.py).\n{dump(data)}", encoding="utf-8")
    return filled


def measure_limits(n: int, work: Path, repeat: int) -> dict:
    """Build time of a synthetic base with one record of each kind at every limit, as a
    ratio of the same base's normal build, measured in pairs in this run."""
    normal, limits = work / f"limits-normal-{n}", work / f"limits-{n}"
    write_kb(normal, n, source_root=ROOT, seed=0, site=True)
    shutil.copytree(normal, limits)
    filled = write_limits_kb(limits)
    checked = best([sys.executable, "-c", VALIDATE_SCRIPT, str(limits)], 1)
    result = {"studies": n, "fields_at_limit": filled, "validation_errors": checked["errors"]}
    if checked["errors"]:
        return result  # a limits record the validator refuses measures nothing
    ratios, builds = [], {"normal": [], "limits": []}
    for _ in range(repeat):
        for name, kb in (("normal", normal), ("limits", limits)):
            render_s, _, _ = measured([sys.executable, "-m", "poemskb", "--root", str(kb), "render"], kb)
            build_s, _, _ = measured([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(kb / "mkdocs.yml")], kb)
            builds[name].append(render_s + build_s)
        ratios.append(builds["limits"][-1] / builds["normal"][-1])
    result.update({"normal_seconds": min(builds["normal"]), "limits_seconds": min(builds["limits"]),
                   "ratio": statistics.median(ratios), "ratio_runs": [round(r, 3) for r in ratios]})
    shutil.rmtree(normal)
    shutil.rmtree(limits)
    return result


def limits_report(result: dict) -> list[str]:
    filled = sum(result["fields_at_limit"].values())
    if result["validation_errors"]:
        return [f"limits (N={result['studies']}): the records at the limits fail validation "
                f"({result['validation_errors']} errors) MISS"]
    ratio = result["ratio"]
    return [f"limits (N={result['studies']}): build with one record of each kind at every limit ({filled} fields) / "
            f"normal build = {ratio:.2f} (target <= {TARGETS['limits']}) {mark(ratio <= TARGETS['limits'])}"
            f"  [{result['limits_seconds']:.1f} s vs {result['normal_seconds']:.1f} s; median of {len(result['ratio_runs'])}]"]


def _validate_cli(kb: Path) -> tuple[float, float, str]:
    """The whole `poemskb validate` process: start-up included, and its peak memory."""
    return measured([sys.executable, "-m", "poemskb", "--root", str(kb), "validate", "--format", "json"], kb)


def mark(ok: bool) -> str:
    return "ok  " if ok else "MISS"


def report(results: list[dict]) -> list[str]:
    lines = []
    lines.append(f"{'N':>7} {'files':>6} {'MB':>5} | {'floor s':>8} {'valid. s':>8} {'ratio':>6} | "
                 f"{'valid. MB':>9} | {'build s':>8} {'mkdocs floor s':>14} {'ratio':>6} | {'page KB':>7} {'index KB':>9}")
    for r in results:
        line = (f"{r['studies']:>7} {r['record_files']:>6} {r['record_mb']:>5} | {r['parse_floor']['seconds']:>8.2f} "
                f"{r['validation']['seconds']:>8.2f} {r['validation_ratio']:>6.2f} | "
                f"{r['validate_cli']['peak_mb']:>9.0f} |")
        if "build" in r:
            line += (f" {r['build']['seconds']:>8.1f} {r['build_floor']['seconds']:>14.1f} "
                     f"{r['build']['seconds'] / r['build_floor']['seconds']:>6.2f} | {r['study_page_kb']['mean']:>7.1f} "
                     f"{r['search_index_kb']:>9.0f}")
        lines.append(line)
    lines.append("")
    for r in results:
        ratio = r["validation_ratio"]
        runs = ", ".join(f"{x:.2f}" for x in r["validation_ratio_runs"])
        lines.append(f"N={r['studies']}: validation / parse floor = {ratio:.2f} (target <= {TARGETS['validation']}) "
                     f"{mark(ratio <= TARGETS['validation'])}  [median of {len(r['validation_ratio_runs'])} paired runs: {runs}]")
        if "build" in r:
            ratio = r["build"]["seconds"] / r["build_floor"]["seconds"]
            lines.append(f"N={r['studies']}: build / MkDocs floor = {ratio:.2f} (target <= {TARGETS['build']}) {mark(ratio <= TARGETS['build'])}"
                         f"  [render {r['build']['render_seconds']:.1f} s + mkdocs {r['build']['mkdocs_seconds']:.1f} s; "
                         f"peak {r['build']['render_peak_mb']:.0f} / {r['build']['mkdocs_peak_mb']:.0f} MB]")
        # Every process counts: validation, render and MkDocs itself.
        peak = max(r["validate_cli"]["peak_mb"], r.get("build", {}).get("render_peak_mb", 0),
                   r.get("build", {}).get("mkdocs_peak_mb", 0))
        built = (f", render {r['build']['render_peak_mb']:.0f} MB, mkdocs {r['build']['mkdocs_peak_mb']:.0f} MB"
                 if "build" in r else " (site not built)")
        lines.append(f"N={r['studies']}: peak memory validate {r['validate_cli']['peak_mb']:.0f} MB{built}"
                     + (f" (target at 10,000 < {TARGETS['memory_mb']} MB) {mark(peak < TARGETS['memory_mb'])}" if r["studies"] >= 10000 else ""))
    for a, b in zip(results, results[1:]):
        k = b["studies"] / a["studies"]
        limit = TARGETS["growth"] * k / 10
        floors = {"validation": "parse_floor", "build": "build_floor"}
        for name, key in (("parse floor", "parse_floor"), ("validation", "validation"), ("build", "build"), ("build floor", "build_floor")):
            if key not in a or key not in b:
                continue
            growth = b[key]["seconds"] / a[key]["seconds"]
            line = f"N {a['studies']} -> {b['studies']} ({k:g}x records): {name} time x{growth:.2f}"
            if key in floors:
                # The bound is 10x records <= 11x time. On a shared machine even
                # parsing alone can exceed that (its files, caches and clock vary), so a
                # step that grows no faster than its floor in the same run also counts
                # as linear. Both figures are printed.
                floor_growth = b[floors[key]]["seconds"] / a[floors[key]]["seconds"]
                relative = growth / floor_growth
                ok = growth <= limit or relative <= limit / k
                line += (f" (target <= {limit:.1f}, or no faster than its floor); its floor x{floor_growth:.2f}, "
                         f"so x{relative:.2f} the floor's growth {mark(ok)}")
            lines.append(line)
        if "build" in a and "build" in b:
            page = b["study_page_kb"]["mean"] / a["study_page_kb"]["mean"]
            per_record = (b["search_index_kb"] - a["search_index_kb"]) / (b["studies"] - a["studies"])
            lines.append(f"N {a['studies']} -> {b['studies']}: study page size x{page:.2f} (flat) {mark(page <= 1.1)}; "
                         f"search index +{per_record:.2f} KB per added study (target <= {TARGETS['index_kb_per_record']:g}) "
                         f"{mark(per_record <= TARGETS['index_kb_per_record'])}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated numbers of studies")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs of floor and validation per size (best is kept)")
    parser.add_argument("--no-build", action="store_true", help="skip the site build measurements")
    parser.add_argument("--no-limits", action="store_true", help="skip the build of records at the schema limits")
    parser.add_argument("--out", default=str(ROOT / "bench-results"), help="folder for bench.json")
    parser.add_argument("--keep", help="keep the synthetic knowledge bases in this folder")
    parser.add_argument("--report", metavar="BENCH_JSON", help="print the report of a saved bench.json again; measure nothing")
    parser.add_argument("--no-browser", action="store_true", help="skip page weight and first render (headless Chromium)")
    parser.add_argument("--render-runs", type=int, default=3, help="throttled visits per page for first render (median kept)")
    parser.add_argument("--no-own-site", action="store_true", help="page weight of the synthetic bases only, not of this repository's site")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text(encoding="utf-8"))
        print("\n".join(report(saved["results"]) + (limits_report(saved["limits"]) if saved.get("limits") else [])
                        + bench_pages.report_lines(saved["results"] + ([saved["own_site"]] if saved.get("own_site") else []))
                        + bench_search.bench_lines(saved["results"])))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="poemskb-bench-"))
    results, limits, own_site = [], None, None
    pages_runs = 0 if args.no_browser or args.no_build else args.render_runs
    try:
        for n in sizes:
            print(f"measuring N = {n} ...", file=sys.stderr, flush=True)
            results.append(measure(n, work, args.repeat, not args.no_build, pages_runs))
        if pages_runs and not args.no_own_site:
            print("measuring page weight of this knowledge base's own site ...", file=sys.stderr, flush=True)
            own_site = {"studies": "this knowledge base", "pages": bench_pages.measure_own_site(ROOT, work, pages_runs)}
        if not args.no_build and not args.no_limits:
            print(f"measuring records at the limits (N = {min(sizes)}) ...", file=sys.stderr, flush=True)
            limits = measure_limits(min(sizes), work, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    lines = (report(results) + (limits_report(limits) if limits else [])
             + bench_pages.report_lines(results + ([own_site] if own_site else [])) + bench_search.bench_lines(results))
    print("\n".join(lines))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps({"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                                 "results": results, "limits": limits, "own_site": own_site,
                                                 "summary": lines}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
