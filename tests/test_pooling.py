"""Pooled single-arm proportions (scripts/poemskb/pooling.py) and `poemskb meta`.

Reference values: Stijnen T, Hamza TH, Özdemir P. Random effects meta-analysis of event
outcome in the framework of the generalized linear mixed model with applications in
sparse data. Stat Med 2010;29:3046-3067, Table II (p. 3050): the normal-normal and the
binomial-normal model fitted to the catheter-related bloodstream infections in the
standard-catheter and anti-infective-catheter groups of 18 trials (Niel-Weise et al.,
Intensive Care Med 2007;33:2058-2068). The counts below are those of that data set as R's
metadat package ships it (dat.nielweise2007). Where R's metafor, checking itself against
the same table, notes that the paper's last digit differs from an exact refit (0.035 vs
0.0355, 0.056 vs 0.0554), both are accepted; every other figure must round to the printed one.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from poemskb.cli import main
from poemskb.pooling import PoolingError, pool

# study, events with a standard catheter (ci / n2i), events with an anti-infective one (ai / n1i)
NIEL_WEISE_2007 = [
    ("Bach 1996", 3, 117, 0, 116), ("George 1997", 3, 35, 1, 44), ("Maki 1997", 9, 195, 2, 208),
    ("Raad 1997", 7, 136, 0, 130), ("Heard 1998", 6, 157, 5, 151), ("Collin 1999", 4, 139, 1, 98),
    ("Hannan 1999", 3, 177, 1, 174), ("Marik 1999", 2, 39, 1, 74), ("Pierce 2000", 19, 103, 1, 97),
    ("Sheng 2000", 2, 122, 1, 113), ("Chatzinikolaou 2003", 7, 64, 0, 66), ("Corral 2003", 1, 58, 0, 70),
    ("Brun-Buisson 2004", 5, 175, 3, 188), ("Leon 2004", 11, 180, 6, 187), ("Yucel 2004", 0, 105, 0, 118),
    ("Moretti 2005", 1, 262, 0, 252), ("Rupp 2005", 3, 362, 1, 345), ("Osma 2006", 1, 69, 4, 64),
]
STANDARD = ([r[1] for r in NIEL_WEISE_2007], [r[2] for r in NIEL_WEISE_2007])
TREATED = ([r[3] for r in NIEL_WEISE_2007], [r[4] for r in NIEL_WEISE_2007])


def printed(value: float, expected: float | tuple[float, ...], places: int) -> bool:
    """True when value rounds to the printed figure (or to one of them)."""
    options = expected if isinstance(expected, tuple) else (expected,)
    return any(abs(value - e) <= 0.5 * 10 ** -places + 1e-12 for e in options)


# (group, model, log odds, se, tau2 (places), proportion, CI low, CI high), Table II
TABLE_II = [
    (STANDARD, "logit-reml", -3.30, 0.24, (0.663, 3), (0.035, 0.036), 0.023, (0.056, 0.055)),
    (TREATED, "logit-reml", -4.26, 0.26, (0.393, 3), 0.014, 0.008, 0.023),
    (STANDARD, "glmm-ml", -3.50, 0.26, (0.81, 2), 0.029, 0.018, 0.048),
    (TREATED, "glmm-ml", -4.81, 0.36, (0.83, 2), 0.008, 0.004, 0.016),
]


@pytest.mark.parametrize("group, model, logit, se, tau2, estimate, low, high", TABLE_II)
def test_matches_stijnen_2010_table_ii(group, model, logit, se, tau2, estimate, low, high):
    result = pool(*group, model=model)
    assert result.k == 18
    assert printed(result.logit, logit, 2)
    assert printed(result.se, se, 2)
    assert printed(result.tau2, tau2[0], tau2[1])
    assert printed(result.estimate, estimate, 3)
    assert printed(result.ci_low, low, 3)
    assert printed(result.ci_high, high, 3)


def test_binomial_normal_needs_no_correction_for_zero_events():
    # Bach, Raad, Chatzinikolaou, Corral, Yucel and Moretti have no events with the treated
    # catheter; the exact likelihood uses them as they are, so adding a series of 0/1000
    # must pull the estimate down, never fail or be dropped.
    events, totals = TREATED
    base = pool(events, totals, "glmm-ml")
    more = pool(events + [0], totals + [1000], "glmm-ml")
    assert more.k == 19 and more.estimate < base.estimate


def test_interval_ordering_and_scale():
    for model in ("glmm-ml", "logit-reml"):
        result = pool(*STANDARD, model=model)
        assert 0 < result.pi_low < result.ci_low < result.estimate < result.ci_high < result.pi_high < 1
        assert 0 <= result.i2 <= 100


def test_two_series_have_no_prediction_interval():
    result = pool([3, 9], [117, 195], "logit-reml")
    assert result.k == 2 and result.pi_low is None and result.pi_high is None


def test_one_series_is_refused():
    with pytest.raises(PoolingError, match="at least two series"):
        pool([3], [117])


def write(tmp_path, text: str):
    path = tmp_path / "series.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_json_has_the_documented_keys(tmp_path, capsys):
    rows = "".join(f"{name},{e},{n}\n" for name, e, n, _, _ in NIEL_WEISE_2007)
    assert main(["meta", write(tmp_path, "study,events,total\n" + rows), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["model", "k", "estimate", "ci_low", "ci_high", "tau2", "i2", "pi_low", "pi_high"]
    assert out["model"] == "glmm-ml" and out["k"] == 18 and printed(out["estimate"], 0.029, 3)


def test_cli_text_names_the_model_and_the_caveat(tmp_path, capsys):
    path = write(tmp_path, "study,events,total\nA,3,117\nB,9,195\nC,7,136\n")
    assert main(["meta", path, "--model", "logit-reml"]) == 0
    out = capsys.readouterr().out
    assert "3 series (normal-normal model on the logit scale, REML)" in out
    assert "not randomised comparisons" in out


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("study,events\nA,1\nB,2\n", "row 1: missing column(s) total"),
    ("study,events,total\nA,5,4\nB,1,2\n", "row 2: events: 5 events out of only 4 patients"),
    ("study,events,total\nA,1,4\nB,-1,2\n", "row 3: events: -1 is negative"),
    ("study,events,total\nA,1.5,4\nB,1,2\n", "row 2: events: '1.5' is not a whole number"),
    ("study,events,total\nA,1,4\n", "1 data row(s): pooling needs at least two series"),
    ("study,events,total\nA,1,0\nB,1,2\n", "row 2: total: 0 patients"),
    ("study,events,total\n,1,4\nB,1,\n", "row 2: study: empty"),
])
def test_cli_bad_input_exits_2_with_the_row(tmp_path, capsys, text, message):
    assert main(["meta", write(tmp_path, text)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_cli_reports_every_bad_row_at_once(tmp_path, capsys):
    assert main(["meta", write(tmp_path, "study,events,total\nA,x,4\nB,3,2\nC,1,1\n")]) == 2
    err = capsys.readouterr().err
    assert "row 2: events" in err and "row 3: events" in err


def test_cli_shows_control_characters_escaped(tmp_path, capsys):
    assert main(["meta", write(tmp_path, "study,events,total\nA,\x1b[2J9,4\nB,1,2\n")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J9" in err


def test_cli_missing_file_is_a_message_not_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "poemskb", "meta", str(tmp_path / "nope.csv")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "not a regular file" in done.stderr


# When pooling is defensible ------------------------------------------------------------
from poemskb.pooling import Figure, pool_if_defensible  # noqa: E402


def count(n: int, of: int) -> dict:
    return {"type": "count", "n": n, "of": of}


THREE = [Figure("a", count(3, 117)), Figure("b", count(9, 195)), Figure("c", count(7, 136))]


def test_three_independent_count_series_are_pooled():
    pooled, why = pool_if_defensible(THREE, "newly-diagnosed", {})
    assert why == "" and pooled.k == 3 and pooled.model == "glmm-ml"


@pytest.mark.parametrize("figures, line, overlaps, reason", [
    (THREE, "unknown", {}, "the series do not state one line of therapy"),
    (THREE[:2], "newly-diagnosed", {}, "2 series give counts (events out of patients); pooling needs at least 3"),
    (THREE[:2] + [Figure("c", {"type": "percentage", "percent": 5})], "newly-diagnosed", {}, "2 series give counts"),
    (THREE + [Figure("c", count(1, 50))], "newly-diagnosed", {}, "a study gives more than one whole-group figure"),
    (THREE, "newly-diagnosed", {"a": [("c", "possible", "same centre")]}, "a and c may share patients (declared overlap: possible)"),
    (THREE[:2] + [Figure("c", count(7, 136), months=36)], "newly-diagnosed", {}, "the figures are at different time points"),
])
def test_pooling_is_refused_with_the_reason(figures, line, overlaps, reason):
    pooled, why = pool_if_defensible(figures, line, overlaps)
    assert pooled is None and reason in why


def test_subgroup_figures_are_not_pooled_as_series():
    figures = THREE + [Figure("c", count(1, 10), subgroup="women")]
    pooled, why = pool_if_defensible(figures, "relapsed-refractory", {})
    assert why == "" and pooled.k == 3
