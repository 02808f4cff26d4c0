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
                             "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in ("N=20: validation / parse floor = ", "N=20: build / MkDocs floor = ", "N=20: peak memory validate "):
        assert line in result.stdout, result.stdout
    saved = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    [run] = saved["results"]
    assert run["studies"] == 20 and run["validation"]["errors"] == 0
    assert run["parse_floor"]["files"] == run["record_files"]
    assert run["study_page_kb"]["mean"] > 0 and run["search_index_kb"] > 0
