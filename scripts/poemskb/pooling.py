"""Random-effects pooling of single-arm proportions (events out of patients per series).

Two models, both on the logit scale, both returning numbers and never wording:

* ``logit-reml``: the normal-normal model. Each series' log odds with its large-sample
  variance, pooled with the between-series variance tau² estimated by restricted maximum
  likelihood (REML). A series with 0 or all events gets 1/2 added to both of its cells
  (the default of R's metafor ``escalc(measure="PLO")``), since its log odds is infinite.
* ``glmm-ml``: the binomial-normal model (a logistic-normal random-intercept GLMM), fitted
  by maximum likelihood with the exact binomial likelihood, so 0% and 100% need no
  correction. The random effect is integrated out by Gauss-Hermite quadrature. This is
  the default of metafor's ``rma.glmm(measure="PLO")`` and of R's ``meta::metaprop``.

Both report the pooled proportion with its 95% confidence interval (Wald, on the logit
scale), tau² (logit scale), I² (tau² over tau² plus the "typical" within-series
variance of Higgins & Thompson 2002, as metafor computes it) and a 95% prediction interval
for a new series using the t distribution with k - 2 degrees of freedom (Higgins,
Thompson & Spiegelhalter 2009, as the Cochrane Handbook recommends); with fewer than
three series there is no prediction interval.

The optimisers and the numerical Hessian are scipy's; nothing here is hand-rolled beyond
the two log-likelihoods themselves. Tests compare both models with the worked example of
Stijnen, Hamza & Özdemir (Stat Med 2010, Table II).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import differentiate, optimize, special, stats

MODELS = ("glmm-ml", "logit-reml")
LEVEL = 0.95
_QUADRATURE_NODES = 64  # enough for tau up to ~5 on the logit scale to agree to 1e-8


class PoolingError(ValueError):
    """The data cannot be pooled by this model (too few series, no convergence)."""


@dataclass(frozen=True)
class Pooled:
    model: str
    k: int
    estimate: float  # pooled proportion (0-1)
    ci_low: float
    ci_high: float
    tau2: float  # between-series variance, logit scale
    i2: float  # percent, 0-100
    pi_low: float | None  # prediction interval for a new series; None when k < 3
    pi_high: float | None
    logit: float  # pooled log odds
    se: float  # its standard error

    def as_dict(self) -> dict:
        return asdict(self)


def pool(events: list[int], totals: list[int], model: str = "glmm-ml") -> Pooled:
    """Pool k >= 2 series; counts must already be checked (0 <= events <= totals, totals > 0)."""
    e, n = np.asarray(events, dtype=float), np.asarray(totals, dtype=float)
    if len(e) < 2:
        raise PoolingError("pooling needs at least two series")
    if model == "logit-reml":
        mu, se, tau2 = _reml(*_log_odds(e, n))
    elif model == "glmm-ml":
        mu, se, tau2 = _glmm(e, n)
    else:
        raise PoolingError(f"unknown model '{model}' (choose {', '.join(MODELS)})")
    return _summarise(model, e, n, mu, se, tau2)


def _log_odds(e: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log odds and their sampling variances, with 1/2 added to both cells of a series
    that has no events or only events (metafor's escalc default, add=1/2, to="only0")."""
    zero = (e == 0) | (e == n)
    e = np.where(zero, e + 0.5, e)
    n = np.where(zero, n + 1.0, n)
    return np.log(e / (n - e)), 1.0 / e + 1.0 / (n - e)


def _reml(y: np.ndarray, v: np.ndarray) -> tuple[float, float, float]:
    def negative_restricted_loglik(tau2: float) -> float:
        w = 1.0 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        return 0.5 * (np.sum(np.log(v + tau2)) + math.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))

    upper = 10.0 * (float(np.var(y)) + float(np.max(v))) + 1.0
    found = optimize.minimize_scalar(negative_restricted_loglik, bounds=(0.0, upper), method="bounded",
                                     options={"xatol": 1e-10})
    if not found.success:
        raise PoolingError(f"REML did not converge: {found.message}")
    tau2 = float(found.x)
    if negative_restricted_loglik(0.0) <= found.fun:  # the maximum lies on the boundary
        tau2 = 0.0
    w = 1.0 / (v + tau2)
    return float(np.sum(w * y) / np.sum(w)), float(1.0 / math.sqrt(np.sum(w))), tau2


def _glmm(e: np.ndarray, n: np.ndarray) -> tuple[float, float, float]:
    nodes, weights = np.polynomial.hermite.hermgauss(_QUADRATURE_NODES)
    log_weights = np.log(weights / math.sqrt(math.pi))
    log_choose = special.gammaln(n + 1) - special.gammaln(e + 1) - special.gammaln(n - e + 1)

    def negative_loglik(params: np.ndarray) -> np.ndarray:
        # params has shape (2, ...): scipy's Hessian asks for many points at once.
        mu, tau = (np.asarray(p, dtype=float)[..., None, None] for p in params)
        eta = mu + math.sqrt(2.0) * tau * nodes  # (..., series, nodes)
        log_p, log_q = -np.logaddexp(0.0, -eta), -np.logaddexp(0.0, eta)
        log_f = log_choose[:, None] + e[:, None] * log_p + (n - e)[:, None] * log_q
        return -np.sum(special.logsumexp(log_f + log_weights, axis=-1), axis=-1)

    y, v = _log_odds(e, n)
    start = np.array([float(np.average(y, weights=1 / v)), max(float(np.std(y)), 0.1)])
    found = optimize.minimize(lambda x: float(negative_loglik(x)), start, method="L-BFGS-B", bounds=[(-30.0, 30.0), (0.0, 20.0)],
                              options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000})
    if not found.success:
        raise PoolingError(f"the binomial-normal model did not converge: {found.message}")
    mu, tau = (float(x) for x in found.x)
    return mu, _glmm_se(negative_loglik, e, n, mu, tau), tau * tau


def _glmm_se(negative_loglik, e: np.ndarray, n: np.ndarray, mu: float, tau: float) -> float:
    """Standard error of the pooled log odds from the observed information at the
    maximum (scipy's numerical Hessian over mu and tau). With tau on its boundary (0) the
    model is a plain logistic one, whose information about mu is sum(n p (1 - p))."""
    if tau < 1e-6:
        p = float(special.expit(mu))
        return float(1.0 / math.sqrt(np.sum(n) * p * (1.0 - p)))
    hessian = differentiate.hessian(negative_loglik, np.array([mu, tau])).ddf
    covariance = np.linalg.inv(hessian)
    if covariance[0, 0] <= 0:
        raise PoolingError("the binomial-normal model's information matrix is not positive definite")
    return float(math.sqrt(covariance[0, 0]))


def _summarise(model: str, e: np.ndarray, n: np.ndarray, mu: float, se: float, tau2: float) -> Pooled:
    k = len(e)
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    _, v = _log_odds(e, n)
    w = 1.0 / v
    typical = (k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w ** 2))
    i2 = 100.0 * tau2 / (tau2 + typical)
    pi_low = pi_high = None
    if k >= 3:
        half = stats.t.ppf(0.5 + LEVEL / 2, k - 2) * math.sqrt(se ** 2 + tau2)
        pi_low, pi_high = float(special.expit(mu - half)), float(special.expit(mu + half))
    return Pooled(model, k, float(special.expit(mu)), float(special.expit(mu - z * se)), float(special.expit(mu + z * se)),
                  float(tau2), float(i2), pi_low, pi_high, float(mu), float(se))


# Reading a reviewer's own data --------------------------------------------------------
MAX_INPUT_BYTES = 5 * 1024 * 1024
MAX_SERIES = 10_000
COLUMNS = ("study", "events", "total")


class InputError(ValueError):
    """A located problem with a pooling CSV: the row (1 = header) and what is wrong."""


def read_series(path) -> tuple[list[str], list[int], list[int]]:
    """Studies, events and totals from a CSV with the header study,events,total; every
    problem found is reported, one per line, before anything is computed."""
    import csv
    import io
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{_shown(str(path))}: not a regular file")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(f"{_shown(str(path))}: larger than {MAX_INPUT_BYTES} bytes")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{_shown(str(path))}: not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError("the file is empty: expected a header 'study,events,total' and at least two rows")
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(f"row 1: missing column(s) {', '.join(missing)}; the header must name study, events and total")
    index = {c: header.index(c) for c in COLUMNS}
    studies, events, totals, problems = [], [], [], []
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(cell.strip() for cell in row)]
    if len(body) > MAX_SERIES:
        raise InputError(f"{len(body)} rows: at most {MAX_SERIES} series can be pooled")
    for number, row in body:
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        found = [f"row {number}: {c}: {why}" for c, why in _row_problems(cells)]
        problems += found
        if not found:
            studies.append(cells["study"])
            events.append(int(cells["events"]))
            totals.append(int(cells["total"]))
    if not problems and len(body) < 2:
        problems.append(f"{len(body)} data row(s): pooling needs at least two series")
    if problems:
        raise InputError("\n".join(problems))
    return studies, events, totals


def _row_problems(cells: dict[str, str]):
    if not cells["study"]:
        yield "study", "empty; name the series"
    counts = {}
    for column in ("events", "total"):
        value = cells[column]
        if not value:
            yield column, "empty; give a whole number"
        elif not value.isascii() or not value.lstrip("-").isdigit() or len(value) > 9:
            yield column, f"{_shown(value)} is not a whole number of patients (no decimals, at most 9 digits)"
        elif int(value) < 0:
            yield column, f"{value} is negative"
        else:
            counts[column] = int(value)
    if "total" in counts and counts["total"] == 0:
        yield "total", "0 patients: a series needs at least one"
    if len(counts) == 2 and counts["events"] > counts["total"]:
        yield "events", f"{counts['events']} events out of only {counts['total']} patients"


def _shown(text: str) -> str:
    """Text from the file as the terminal may show it: control and format characters as
    escapes, so a crafted cell cannot move the cursor or forge a line."""
    import unicodedata

    shown = "".join(ch if ch.isprintable() and unicodedata.category(ch) != "Cf" else ch.encode("unicode_escape").decode("ascii")
                    for ch in text[:80])
    return f"'{shown}'" + ("..." if len(text) > 80 else "")


# When pooling is defensible -----------------------------------------------------------
MIN_SERIES = 3
UNKNOWN_LINES = {"unknown", "mixed", "not-applicable"}


@dataclass(frozen=True)
class Figure:
    """One reported figure offered for pooling: its study, its value as recorded, and
    what could make it incomparable with the others."""

    study: str
    value: dict
    subgroup: str | None = None
    months: float | None = None


def pool_if_defensible(figures: list[Figure], line: str, overlaps: dict[str, list[tuple[str, str, str]]],
                       model: str = "glmm-ml") -> tuple[Pooled | None, str]:
    """(pooled result, '') when the figures may be pooled, else (None, why not).

    Pooled only when: the population's line of therapy is stated; at least three
    independent series give counts (not percentages alone); one whole-group figure per
    series; no declared or possible overlap between any two of them; the same time point."""
    if line in UNKNOWN_LINES:
        return None, "the series do not state one line of therapy, so they may not describe one population"
    whole = [f for f in figures if not f.subgroup]
    counted = [f for f in whole if f.value.get("type") == "count"]
    studies = sorted({f.study for f in counted})
    if len(studies) < MIN_SERIES:
        given = {0: "no series gives", 1: "1 series gives"}.get(len(studies), f"{len(studies)} series give")
        return None, (f"{given} counts (events out of patients); pooling needs at least {MIN_SERIES}, "
                      "and percentages without counts cannot be pooled")
    if len(studies) < len(counted):
        return None, "a study gives more than one whole-group figure for this outcome"
    for sid in studies:
        shared = sorted((other, relation) for other, relation, _ in overlaps.get(sid, []) if other in studies)
        if shared:
            other, relation = shared[0]
            return None, f"{sid} and {other} may share patients (declared overlap: {relation})"
    if len({f.months for f in counted}) > 1:
        return None, "the figures are at different time points"
    events = [int(f.value["n"]) for f in counted]
    totals = [int(f.value["of"]) for f in counted]
    try:
        return pool(events, totals, model), ""
    except PoolingError as exc:
        return None, str(exc)
