"""Summary-of-findings pages against the records they summarise (render/sof.py)."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from poemskb import pooling
from poemskb.kb import load
from poemskb.render import render_files
from poemskb.render.context import Site
from poemskb.render.sof import rating_rows, sof_regimens

LEVEL_WORDS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}


def sof_rows(files: dict, rid: str) -> list[str]:
    """The text of each body row of every SoF table on a regimen's page."""
    text = files[f"sof/{rid}.md"]
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row))).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", text, flags=re.S) if "<td" in row]


def test_every_rated_regimen_has_a_page_linked_from_its_regimen_page(kb):
    files = render_files(kb)
    rated = sof_regimens(Site(kb))
    assert {"asct-hdm", "mdex", "ldex", "thal-dex", "radiotherapy"} <= set(rated)
    for rid in rated:
        assert f"sof/{rid}.md" in files
        assert f'href="../sof/{rid}.html"' in files[f"regimens/{rid}.md"]


def test_each_row_states_the_records_it_summarises(kb):
    site, files = Site(kb), render_files(kb)
    for rid in sof_regimens(site):
        rows = iter(sof_rows(files, rid))
        for rating in kb.regimens[rid]["certainty"]:
            for outcome in rating["outcomes"]:
                row = next(rows)
                figures = rating_rows(site, rid, outcome)
                studies = {f.study for f in figures}
                assert row.startswith(site.measure_name(outcome["measure"]))
                assert f"({len(studies)} stud" in row, row
                assert LEVEL_WORDS[outcome["level"]] in row
                for f in figures:
                    assert site.study_label(f.study) in row
                assert all(f.role == "treatment" for f in figures)
        assert next(rows, None) is None


def test_associations_never_reach_a_summary_of_findings(kb):
    site = Site(kb)
    for rid in sof_regimens(site):
        for rating in kb.regimens[rid]["certainty"]:
            for outcome in rating["outcomes"]:
                assert not any(row.role == "association" for row in rating_rows(site, rid, outcome))


def test_refusal_reason_is_shown(kb):
    rows = sof_rows(render_files(kb), "ldex")
    assert any("Not pooled: 1 series gives counts" in row for row in rows), rows


def test_defensible_series_are_pooled_with_the_pooling_module(scratch):
    # Three transplant series with counts and no declared overlap; in this scratch copy
    # (only) their line of therapy is set to newly diagnosed, which makes pooling defensible.
    studies = {"ann-hematol-2012-hdm-absct": "unknown", "zhonghua-xue-ye-2010-auto-pbsct": "unknown", "blood-2004-mayo-pbsct": "mixed"}
    for sid, status in studies.items():
        path = scratch / "evidence" / "studies" / f"{sid}.yaml"
        path.write_text(path.read_text().replace(f"population:\n  status: {status}\n", "population:\n  status: newly-diagnosed\n"))
    regimen = scratch / "evidence" / "regimens" / "asct-hdm.yaml"
    extra = """      - measure: treatment-related-mortality
        studies: [ann-hematol-2012-hdm-absct, zhonghua-xue-ye-2010-auto-pbsct, blood-2004-mayo-pbsct]
        start: low
        risk_of_bias: {decision: serious, reason: Observational series without a control group.}
        inconsistency: {decision: not-serious, reason: Deaths were rare in every series.}
        indirectness: {decision: not-serious, reason: "As the question asks, for this test."}
        imprecision: {decision: serious, reason: Thirty patients in all.}
        publication_bias: {decision: undetected, reason: No sign of missing series.}
        level: very-low
"""
    text = regimen.read_text()
    anchor = "  - population: unknown\n"
    regimen.write_text(text.replace(anchor, extra + anchor, 1))
    kb, report = load(scratch)
    assert not report.errors, report.format("text")
    files = render_files(kb)
    row = next(r for r in sof_rows(files, "asct-hdm") if r.startswith("Treatment-related mortality") and "30" in r)
    counts = {"ann-hematol-2012-hdm-absct": (0, 5), "zhonghua-xue-ye-2010-auto-pbsct": (1, 9), "blood-2004-mayo-pbsct": (1, 16)}
    site = Site(kb)
    outcome = kb.regimens["asct-hdm"]["certainty"][0]["outcomes"][-1]
    seen = {f.study: (f.outcome["value"]["n"], f.outcome["value"]["of"]) for f in rating_rows(site, "asct-hdm", outcome)}
    assert seen == counts
    expected = pooling.pool([0, 1, 1], [5, 9, 16])
    assert f"Pooled {round(100 * expected.estimate, 1):g}% (95% CI {round(100 * expected.ci_low, 1):g}% to {round(100 * expected.ci_high, 1):g}%) from 3 non-randomised series" in row, row
