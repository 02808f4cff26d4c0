"""Page weight and first render of a built site, for the benchmark (scripts/bench.py).

What a reader's browser meets, measured in headless Chromium (Debian's, as the browser
tests use) against the built site served on localhost by a server that compresses
with gzip, as a static host does:

* cold visit   every byte the server sends for one visit with an empty cache: the page,
               its CSS, JavaScript, fonts, images and whatever data the page fetches on
               load (nothing for search: its index loads only when a reader searches,
               scripts/bench_search.py). The server logs each request, so requests made by a
               web worker count too; requests to other hosts are refused and listed.
* first render first-contentful-paint (and the load event) under throttling: 1.6 Mb/s
               down, 750 kb/s up, 150 ms round trip, CPU slowed 4x (Lighthouse's
               "slow 4G" phone profile), each the median of a few cold visits, beside the
               same measure for a one-line page (the floor: what the connection and the
               browser cost before the site adds anything).

Nothing is asserted here; `report_lines` marks each target ok or MISS.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import mimetypes
import os
import posixpath
import socketserver
import statistics
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]

# Lighthouse's mobile profile, as the issue measured it.
THROTTLE = {"latency_ms": 150, "down_kbps": 1600, "up_kbps": 750, "cpu_rate": 4}
TARGETS = {"cold_kb": 150.0, "growth": 1.1, "fcp_record_ms": 1500.0, "fcp_comparison_ms": 2500.0,
           "load_comparison_ms": 4000.0}  # the comparison page finished loading (the issue measured 6-7 s)
# Already compressed: a server sends these as they are.
COMPRESSED = {".woff2", ".woff", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".gz", ".zip", ".ico"}
FLOOR_PATH = "/__bench_floor__.html"
FLOOR_HTML = b"<!doctype html><html lang=en><title>floor</title><p>A one-line page: the floor.</p></html>"
KINDS = {".html": "html", ".css": "css", ".js": "js", ".mjs": "js", ".woff2": "font", ".woff": "font", ".ttf": "font",
         ".json": "data", ".png": "image", ".svg": "image", ".ico": "image", ".jpg": "image", ".webp": "image"}


# The server ------------------------------------------------------------------------------
@dataclass
class Sent:
    path: str
    bytes: int  # on the wire (gzip where the server compresses)
    raw: int  # the file's own size


@dataclass
class Server:
    url: str
    log: list[Sent] = field(default_factory=list)

    def settle(self, start: int, quiet: float = 3.0, limit: float = 30.0) -> list[Sent]:
        """The requests logged since `start`, once none has arrived for `quiet` seconds
        (a worker may fetch after the page reports its network idle)."""
        deadline, seen, since = time.monotonic() + limit, len(self.log), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            if len(self.log) != seen:
                seen, since = len(self.log), time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return self.log[start:]


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Files from the site folder, gzip-compressed (level 6, a common server default)
    when the browser accepts it; every response logged with its size on the wire."""

    cache: dict[str, bytes]
    log: list[Sent]

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (the standard library's name)
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if path == FLOOR_PATH:
            return self._send(FLOOR_HTML, "text/html", path, len(FLOOR_HTML))
        local = Path(self.translate_path(path))
        if local.is_dir():
            local = local / "index.html"
        if not local.is_file():
            self.log.append(Sent(path, 0, 0))
            return self.send_error(404)
        raw = local.read_bytes()
        kind = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
        if "gzip" in self.headers.get("Accept-Encoding", "") and local.suffix.lower() not in COMPRESSED:
            key = str(local)
            if key not in self.cache:
                self.cache[key] = gzip.compress(raw, compresslevel=6, mtime=0)
            return self._send(self.cache[key], kind, path, len(raw), encoding="gzip")
        return self._send(raw, kind, path, len(raw))

    def _send(self, body: bytes, kind: str, path: str, raw: int, encoding: str | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.log.append(Sent(path, len(body), raw))  # before the body: once a reader has it, the log does
        self.wfile.write(body)


@contextlib.contextmanager
def serve(site: Path) -> Iterator[Server]:
    log: list[Sent] = []
    handler = type("Handler", (_GzipHandler,), {"cache": {}, "log": log})
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", log)
    finally:
        httpd.shutdown()
        httpd.server_close()


# Measures --------------------------------------------------------------------------------
def kind_of(path: str) -> str:
    return KINDS.get(posixpath.splitext(path)[1].lower(), "other")


def weigh(sent: list[Sent]) -> dict:
    """Bytes on the wire by kind of file, and in all; the files, largest first."""
    by_kind: dict[str, int] = {}
    for s in sent:
        by_kind[kind_of(s.path)] = by_kind.get(kind_of(s.path), 0) + s.bytes
    files = sorted(sent, key=lambda s: -s.bytes)
    return {"kb": sum(s.bytes for s in sent) / 1024, "raw_kb": sum(s.raw for s in sent) / 1024,
            "requests": len(sent), "by_kind_kb": {k: v / 1024 for k, v in sorted(by_kind.items())},
            "files": [[s.path, round(s.bytes / 1024, 1)] for s in files[:12]]}


def cold_visit(browser, server: Server, path: str) -> dict:
    """Everything one visit with an empty cache transfers, and any request to another host."""
    context = browser.new_context()
    outside: list[str] = []
    try:
        # Another host is never asked: the site should load nothing from elsewhere.
        context.route(lambda url: not url.startswith(server.url), lambda route: (outside.append(route.request.url), route.abort()))
        tab = context.new_page()
        start = len(server.log)
        # The load event, quiet network, an idle main thread (a big page parses for
        # seconds before its scripts ask for more), then no request for a while.
        tab.goto(server.url + path, wait_until="load", timeout=300_000)
        tab.wait_for_load_state("networkidle", timeout=300_000)
        tab.evaluate("() => new Promise(done => requestIdleCallback(() => done(), {timeout: 30000}))")
        result = weigh(server.settle(start))
    finally:
        context.close()
    result["outside"] = sorted(set(outside))
    return result


FCP_JS = """() => new Promise(resolve => {
  const done = () => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    if (paint && nav && nav.loadEventEnd > 0) resolve({fcp: paint.startTime, load: nav.loadEventEnd});
    else setTimeout(done, 50);
  };
  done();
})"""


def first_render(browser, server: Server, path: str, runs: int = 3, throttle: dict = THROTTLE) -> dict:
    """Median first-contentful-paint and load event (ms) of `runs` cold throttled visits."""
    fcps, loads = [], []
    for _ in range(runs):
        context = browser.new_context()
        try:
            tab = context.new_page()
            cdp = context.new_cdp_session(tab)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": throttle["latency_ms"],
                "downloadThroughput": throttle["down_kbps"] * 1000 / 8, "uploadThroughput": throttle["up_kbps"] * 1000 / 8})
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle["cpu_rate"]})
            tab.goto(server.url + path, wait_until="load", timeout=120_000)
            timing = tab.evaluate(FCP_JS)
            fcps.append(timing["fcp"])
            loads.append(timing["load"])
        finally:
            context.close()
    return {"fcp_ms": statistics.median(fcps), "load_ms": statistics.median(loads),
            "fcp_runs": [round(x) for x in fcps]}


def launch(playwright):
    """Debian's Chromium with the flags the browser tests use (tests/browsing.py);
    missing, it stops the benchmark with the command that installs it."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browsing import CHROMIUM, CHROMIUM_ARGS, chromium_missing_message

    missing = chromium_missing_message()
    if missing:
        raise SystemExit(f"bench: {missing} (or pass --no-browser)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def study_path(site: Path) -> str:
    """A study page typical of the base: the synthetic one in the middle, else the
    largest real one (the page with the most outcomes weighs most)."""
    pages = sorted((site / "generated" / "studies").glob("*.html"))
    pages = [p for p in pages if p.name != "index.html"]
    synthetic = [p for p in pages if p.name.startswith("synth-study-")]
    chosen = synthetic[len(synthetic) // 2] if synthetic else max(pages, key=lambda p: p.stat().st_size)
    return "/" + chosen.relative_to(site).as_posix()


# The comparison's full table has a page of its own (render/all_outcomes.py); it is timed
# beside the comparison page, whose load it used to dominate.
FULL_TABLE = "/generated/all-outcomes.html"


def measure_site(site: Path, runs: int = 3) -> dict:
    """The cold-visit weight of a study page, the home page, the comparison page and the
    full table's page, and first render and load under throttling for the study page,
    the comparison page, the full table's page and the floor."""
    from playwright.sync_api import sync_playwright

    pages = {"study": study_path(site), "home": "/index.html", "comparison": "/generated/comparison.html"}
    if (site / FULL_TABLE.lstrip("/")).is_file():
        pages["full table"] = FULL_TABLE
    with serve(site) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            weight = {name: {"path": path, **cold_visit(browser, server, path)} for name, path in pages.items()}
            timed = ["study", "comparison"] + (["full table"] if "full table" in pages else [])
            timing = {name: first_render(browser, server, path, runs)
                      for name, path in [("floor", FLOOR_PATH)] + [(name, pages[name]) for name in timed]}
        finally:
            browser.close()
    return {"weight": weight, "first_render": timing, "throttle": THROTTLE}


SITE_SOURCES = ["mkdocs.yml", "docs", "overrides", "hooks", "evidence"]


def measure_own_site(root: Path, work: Path, runs: int = 3) -> dict:
    """measure_site for this repository's own records: the sources copied to `work`
    (generated pages left behind), rendered and built there, never in the checkout."""
    import shutil
    import subprocess

    dest = work / "own-site"
    dest.mkdir(parents=True)
    for name in SITE_SOURCES:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("generated", "__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    for cmd in ([sys.executable, "-m", "poemskb", "--root", str(dest), "render"],
                [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(dest / "mkdocs.yml")]):
        done = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    try:
        return measure_site(dest / "site", runs)
    finally:
        shutil.rmtree(dest)


# Report ----------------------------------------------------------------------------------
def _mark(ok: bool) -> str:
    return "ok  " if ok else "MISS"


def report_lines(results: list[dict]) -> list[str]:
    """One line per base and measure, each target marked; then the growth of the cold
    study-page weight from each base to the next. `results` are bench.py's per-size
    results; those without a "pages" entry are skipped."""
    measured = [r for r in results if r.get("pages")]
    lines = []
    for r in measured:
        name = f"N={r['studies']}" if isinstance(r["studies"], int) else str(r["studies"])
        weight, timing = r["pages"]["weight"], r["pages"]["first_render"]
        study = weight["study"]
        kinds = ", ".join(f"{k} {v:.0f}" for k, v in study["by_kind_kb"].items())
        lines.append(f"{name}: cold study page {study['kb']:.0f} KB gzip in {study['requests']} requests "
                     f"(target <= {TARGETS['cold_kb']:g}) {_mark(study['kb'] <= TARGETS['cold_kb'])}  [{kinds}]")
        for other in ("home", "comparison", "full table"):
            if other in weight:
                lines.append(f"{name}: cold {other} page {weight[other]['kb']:.0f} KB gzip in {weight[other]['requests']} requests")
        outside = sorted({u for w in weight.values() for u in w.get("outside", [])})
        lines.append(f"{name}: requests to other hosts: {len(outside)} {_mark(not outside)}" + (f"  {outside[:3]}" if outside else ""))
        floor = timing["floor"]["fcp_ms"]
        for page, target in (("study", TARGETS["fcp_record_ms"]), ("comparison", TARGETS["fcp_comparison_ms"]),
                             ("full table", TARGETS["fcp_comparison_ms"])):
            if page not in timing:
                continue
            t = timing[page]
            lines.append(f"{name}: first render ({page} page, throttled) {t['fcp_ms'] / 1000:.2f} s (target <= {target / 1000:g} s) "
                         f"{_mark(t['fcp_ms'] <= target)}  [load {t['load_ms'] / 1000:.2f} s; a one-line page "
                         f"{floor / 1000:.2f} s; x{t['fcp_ms'] / floor:.1f} the floor]")
        for page in ("comparison", "full table"):
            if page in timing:
                load, target = timing[page]["load_ms"], TARGETS["load_comparison_ms"]
                mark = f" (target <= {target / 1000:g} s) {_mark(load <= target)}" if page == "comparison" else ""
                lines.append(f"{name}: full load ({page} page, throttled) {load / 1000:.2f} s{mark}")
    numbered = [r for r in measured if isinstance(r["studies"], int)]
    for a, b in zip(numbered, numbered[1:]):
        growth = b["pages"]["weight"]["study"]["kb"] / a["pages"]["weight"]["study"]["kb"]
        lines.append(f"N {a['studies']} -> {b['studies']}: cold study page x{growth:.2f} "
                     f"(target: flat, <= x{TARGETS['growth']:g}) {_mark(growth <= TARGETS['growth'])}")
    return lines


if __name__ == "__main__":  # python scripts/bench_pages.py SITE_DIR: measure one built site
    import json

    print(json.dumps(measure_site(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"), indent=1))
