"""axe-core in the browser tests: inject the vendored copy (tests/site/vendor/axe-core,
from npm, never a CDN) into an open page, run it, and word what it finds so a failing
test reads as a to-do list: page, width, scheme, rule, impact, element, what to fix."""
from __future__ import annotations

import functools
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# Impacts that fail a test; "moderate" and "minor" are best-practice advice.
BLOCKING = ("serious", "critical")

_RUN = """
async ([exclude]) => {
  const context = exclude.length ? {exclude: exclude.map(s => [s])} : document;
  const result = await axe.run(context, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' '),
                              impact: n.impact,
                              summary: (n.failureSummary || '').replace(/\\s+/g, ' ').trim()})),
  }));
}
"""


@functools.cache
def source() -> str:
    if not VENDOR.is_file():
        raise AssertionError(f"axe-core is missing at {VENDOR}: see tests/site/vendor/axe-core/README.md")
    return VENDOR.read_text(encoding="utf-8")


def version() -> str:
    match = re.match(r"/\*! axe v(\S+)", source())
    assert match, f"{VENDOR} does not start with axe-core's banner"
    return match.group(1)


def settle(tab) -> None:
    """Let the page's own scripts finish their first frame (accessibility.js marks boxes
    in an animation frame after Material has wrapped the tables)."""
    tab.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def violations(tab, exclude: tuple[str, ...] = ()) -> list[dict]:
    """Every serious or critical violation axe-core finds on the open page."""
    if not tab.evaluate("() => typeof window.axe === 'object'"):
        tab.add_script_tag(content=source())
    found = tab.evaluate(_RUN, [list(exclude)])
    return [v for v in found if v["impact"] in BLOCKING]


def describe(where: str, found: list[dict], nodes: int = 5) -> list[str]:
    """Readable lines: one per rule, then up to `nodes` elements with axe's summary."""
    lines = []
    for v in found:
        lines.append(f"{where}: {v['impact']} {v['id']} ({v['help']}), {len(v['nodes'])} element(s)")
        for node in v["nodes"][:nodes]:
            lines.append(f"    {node['target']}\n        {node['summary'][:300]}")
        if len(v["nodes"]) > nodes:
            lines.append(f"    ... and {len(v['nodes']) - nodes} more")
    return lines
