"""Patient counts are never invented: an arm whose size no source printed is 'not given',
never zero, and a total that misses such arms says 'at least'."""
from __future__ import annotations

import re

from poemskb.render.context import MapCell


def cell(patients, unknown=()):
    return MapCell(studies=["s"], patients=patients, unknown_n=list(unknown), merged=[], possible=[])


def test_patient_totals_say_what_is_missing():
    assert cell(0, ["a"]).patients_text() == "number of patients not given"
    assert cell(25, ["a"]).patients_text() == "at least 25 patients"
    assert cell(1).patients_text() == "1 patient"
    assert cell(110).patients_text() == "110 patients"


def test_no_page_claims_zero_patients_for_unknown_sizes(built):
    for path, html in ((p, built.html(p)) for p in ("generated/regimens/prednisone.html", "patients.html")):
        assert not re.search(r"(?<![0-9])0 patients", html), path
