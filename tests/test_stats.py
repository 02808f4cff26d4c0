"""stats.py against values worked out by hand or published, never against its own output.

Clopper-Pearson bounds (Clopper & Pearson, Biometrika 1934;26:404-413) solve two tail
equations: the lower bound pL gives P(X >= x | n, pL) = a/2 and the upper bound pU gives
P(X <= x | n, pU) = a/2. At x = 0 and x = n they have closed forms (pU = 1 - (a/2)^(1/n),
pL = (a/2)^(1/n)), which is how the 0/10 and 10/10 values below were worked out by hand.
"""
from __future__ import annotations

import math

import pytest

from poemskb import stats
from poemskb.stats import Interval, PatientRange, count_patients, independent_patients, outcome_interval, proportion_ci

# Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
# seven methods. Stat Med 1998;17:857-872, Table II, method 5 (exact, Clopper-Pearson).
# The four examples are the paper's; the printed limits were not re-read against the
# table when this test was written (no copy of the table could be opened), so they also
# stand checked by the binomial tail sums below and by the Conover value, which was.
NEWCOMBE_TABLE_II = {(81, 263): (0.2527, 0.3676), (15, 148): (0.0578, 0.1617), (0, 20): (0.0, 0.1684), (1, 29): (0.0009, 0.1776)}
# Conover WJ. Practical Nonparametric Statistics, 3rd ed. (1999), binomial confidence
# limits table: 5 of 25 -> 0.068 to 0.407 (as quoted in a worked example on
# influentialpoints.com, "Confidence intervals of proportions").
CONOVER = {(5, 25): (0.068, 0.407)}
# Worked by hand from the closed forms in the module docstring (a = 0.05):
# 1 - 0.025 ** (1 / 10) = 0.30850; 0.025 ** (1 / 10) = 0.69150. 5/10 is symmetric about 0.5,
# and 0.1871 solves P(X >= 5 | 10, p) = 0.025 (checked below by summing binomial terms).
BY_HAND = {(0, 10): (0.0, 0.3085), (10, 10): (0.6915, 1.0), (5, 10): (0.1871, 0.8129)}


@pytest.mark.parametrize("counts, expected", sorted({**NEWCOMBE_TABLE_II, **BY_HAND}.items()))
def test_clopper_pearson_matches_published_and_hand_computed_values(counts, expected):
    low, high = proportion_ci(*counts)
    assert (round(low, 4), round(high, 4)) == expected


def test_clopper_pearson_matches_conovers_table():
    for counts, expected in CONOVER.items():
        assert tuple(round(b, 3) for b in proportion_ci(*counts)) == expected


def _tail_at_least(x: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(x, n + 1))


@pytest.mark.parametrize("x, n", [(1, 7), (3, 12), (5, 10), (26, 34), (6, 31), (11, 12)])
def test_bounds_solve_the_defining_tail_equations(x, n):
    # Independent of scipy: the bounds must make each binomial tail exactly a/2.
    low, high = proportion_ci(x, n)
    assert _tail_at_least(x, n, low) == pytest.approx(0.025, abs=1e-9)
    assert 1 - _tail_at_least(x + 1, n, high) == pytest.approx(0.025, abs=1e-9)


@pytest.mark.parametrize("total", [1, 2, 5, 12, 31, 138])
def test_same_interval_as_scipys_exact_binomial_test(total):
    # Two routes through scipy must agree: beta quantiles (ours) and binomtest's inversion.
    from scipy.stats import binomtest

    for events in range(total + 1):
        expected = binomtest(events, total).proportion_ci(0.95, method="exact")
        assert proportion_ci(events, total) == pytest.approx((expected.low, expected.high), abs=1e-9)


def test_a_wider_level_gives_a_wider_interval():
    narrow, wide = proportion_ci(5, 10, level=0.90), proportion_ci(5, 10, level=0.99)
    assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]


@pytest.mark.parametrize("events, total, level", [(0, 0, 0.95), (3, 2, 0.95), (-1, 5, 0.95), (1.5, 4, 0.95), (1, 4, 95)])
def test_impossible_counts_are_refused(events, total, level):
    with pytest.raises(ValueError):
        proportion_ci(events, total, level)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="wilson"):
        proportion_ci(1, 2, method="wilson")


def test_counts_get_a_computed_interval_in_percent():
    interval, note = outcome_interval({"type": "count", "n": 5, "of": 10, "percent": 50})
    assert note is None
    assert interval.source == "computed" and interval.method == "clopper-pearson" and interval.level == 0.95
    assert (round(interval.low, 2), round(interval.high, 2)) == (18.71, 81.29)


def test_printed_intervals_are_kept_as_printed():
    # Leukemia 2017's 5-year PFS: 76% (95% CI 64-84), printed without counts.
    interval, note = outcome_interval({"type": "percentage", "percent": 76, "ci": [64, 84]})
    assert interval == Interval(64.0, 84.0, 0.95, "reported", None) and note is None
    ratio, _ = outcome_interval({"type": "hazard-ratio", "value": 7.5, "ci": [2.3, 28.3]})
    assert (ratio.low, ratio.high, ratio.source) == (2.3, 28.3, "reported")


def test_a_percentage_without_counts_gets_no_invented_interval():
    assert outcome_interval({"type": "percentage", "percent": 50}) == (None, stats.NO_COUNTS)
    assert "without counts" in stats.NO_COUNTS
    assert outcome_interval({"type": "count", "n": 0, "of": 0}) == (None, stats.NO_EVALUABLE)
    assert outcome_interval({"type": "median", "value": 12, "unit": "months"}) == (None, stats.NOT_PRINTED)
    assert outcome_interval({"type": "qualitative", "statement": "improved"}) == (None, None)


# Independent patients ---------------------------------------------------------------------

def _both(pairs):
    overlaps: dict[str, list] = {}
    inverse = {"subset-of": "superset-of", "superset-of": "subset-of"}
    for a, b, relation in pairs:
        overlaps.setdefault(a, []).append((b, relation, "test"))
        overlaps.setdefault(b, []).append((a, inverse.get(relation, relation), "test"))
    return overlaps


def test_same_cohort_counts_once_and_needs_no_range():
    result = independent_patients({"a": 138, "b": 138, "c": 20}, _both([("a", "b", "same-cohort")]))
    assert result == PatientRange(158, 158, [])


def test_a_subset_adds_nothing():
    result = independent_patients({"long": 59, "early": 16}, _both([("early", "long", "subset-of")]))
    assert result == PatientRange(59, 59, [])


def test_possible_overlap_makes_a_range_never_a_sum_below_the_largest():
    # a ~ b possible: at most 165 + 138 patients, at least the larger cohort.
    result = independent_patients({"a": 165, "b": 138, "c": 12}, _both([("a", "b", "possible")]))
    assert result == PatientRange(165 + 12, 165 + 138 + 12, [])


def test_partial_overlap_chains_and_merged_groups_combine():
    # a = b (same cohort, 30); that group partially overlaps c (50); d is separate (7).
    pairs = [("a", "b", "same-cohort"), ("b", "c", "partial")]
    result = independent_patients({"a": 30, "b": 25, "c": 50, "d": 7}, _both(pairs))
    assert result == PatientRange(50 + 7, 30 + 50 + 7, [])


def test_unknown_sizes_are_listed_not_counted_as_zero_patients():
    result = independent_patients({"a": 10, "b": None}, {})
    assert (result.low, result.high, result.unknown) == (10, 10, ["b"])


def test_high_end_equals_the_evidence_map_count():
    uses = {"a": 41, "b": 41, "c": 100, "d": 20, "e": None}
    overlaps = _both([("a", "b", "same-cohort"), ("c", "d", "possible")])
    assert independent_patients(uses, overlaps).high == count_patients(uses, overlaps).patients == 161


def test_patients_within_one_study():
    # Figures on one arm share its patients; different arms add up; a whole-study figure covers all.
    assert stats.study_patients([("x", 10), ("x", 8), ("y", 5)]) == 15
    assert stats.study_patients([(None, 138), ("x", 32)]) == 138
    assert stats.study_patients([("x", None)]) is None
