"""The Gamma-Gamma model of spend per purchase, to turn expected purchases into money.

Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", *Journal of Marketing Research* 42(4); the likelihood as in Hardie's note
https://brucehardie.com/notes/025/.  Each purchase's value is Gamma(p, ν) and each
customer's ν is Gamma(q, v) across customers, so a customer's expected spend per
purchase is a credibility-weighted blend of their own average and the population's.

The model assumes spend per purchase does not depend on how often a customer buys;
:func:`frequency_value_correlation` is the usual check (near 0 is good).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln

from sheetcrm.mle import maximise


@dataclass(frozen=True)
class GammaGammaParams:
    """Spend per purchase ~ Gamma(p, ν) with ν ~ Gamma(q, v); v is in money units."""

    p: float
    q: float
    v: float

    @property
    def population_mean(self) -> float:
        """Mean spend per purchase across customers, p·v/(q-1); infinite when q ≤ 1."""
        return self.p * self.v / (self.q - 1) if self.q > 1 else float("inf")


@dataclass(frozen=True)
class GammaGammaFit:
    """A maximum-likelihood fit on repeat buyers and the evidence for trusting it."""

    params: GammaGammaParams
    log_likelihood: float
    n_customers: int
    converged: bool
    at_bound: tuple[str, ...]  # parameters that ran to the edge of the search box
    message: str
    frequency_value_correlation: float  # the independence check; see the module docstring


def gamma_gamma_log_likelihood(params: GammaGammaParams, x: ArrayLike, m: ArrayLike) -> np.ndarray:
    """Each repeat buyer's log-likelihood of their average spend ``m`` over ``x`` purchases.

    f(m | x) = Γ(px+q) / (Γ(px) Γ(q)) · v^q · m^(px-1) · x^(px) / (v + x·m)^(px+q),
    the density of a mean of x Gamma(p, ν) values with ν integrated out.  Needs x ≥ 1
    and m > 0.
    """
    x, m = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(x, m))
    return _LogLikelihood(x, m)(params)


class _LogLikelihood:
    """:func:`gamma_gamma_log_likelihood` on fixed data, for an optimiser: the logs of the
    data are taken once and the Gamma functions once per distinct ``x``, with the very
    same values."""

    def __init__(self, x: np.ndarray, m: np.ndarray) -> None:
        self.x, self.m = x, m
        self.xs, self.at = np.unique(x, return_inverse=True)
        self.log_m, self.log_x = np.log(m), np.log(x)

    def __call__(self, params: GammaGammaParams) -> np.ndarray:
        p, q, v = params.p, params.q, params.v
        px, pxs = p * self.x, p * self.xs
        return (
            (gammaln(pxs + q) - gammaln(pxs))[self.at]
            - gammaln(q)
            + q * np.log(v)
            + (px - 1) * self.log_m
            + px * self.log_x
            - (px + q) * np.log(v + self.x * self.m)
        )


def fit_gamma_gamma(x: ArrayLike, m: ArrayLike) -> GammaGammaFit:
    """Fit p, q, v on repeat buyers (x ≥ 1) with positive average spend m.

    Money is rescaled so that the average of m is 1 while fitting, so the result (v
    aside, which carries the currency) is the same in yen or in dollars.
    """
    x, m = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(x, m))
    scale = float(m.mean()) if m.size and m.mean() > 0 else 1.0
    m_s = m / scale
    # A start with the right population mean: p·v/(q-1) = 1 in scaled money.
    log_likelihood = _LogLikelihood(x, m_s)
    optimum = maximise(
        lambda params: log_likelihood(GammaGammaParams(*params)), {"p": 2.0, "q": 3.0, "v": 1.0}
    )
    p, q, v = optimum.values
    params = GammaGammaParams(p, q, v * scale)
    return GammaGammaFit(
        params=params,
        log_likelihood=float(gamma_gamma_log_likelihood(params, x, m).sum()),
        n_customers=int(x.size),
        converged=optimum.converged,
        at_bound=optimum.at_bound,
        message=optimum.message,
        frequency_value_correlation=frequency_value_correlation(x, m),
    )


def expected_average_value(params: GammaGammaParams, x: ArrayLike, m: ArrayLike) -> np.ndarray:
    """Each customer's expected spend per purchase, given x repeat purchases averaging m.

    E(M | x, m) = (q-1)/(px+q-1) · p·v/(q-1) + px/(px+q-1) · m  =  p(v + x·m)/(px+q-1):
    the more purchases, the more weight on the customer's own average.  With x = 0
    (or m unknown, passed as NaN) it is the population mean, as in the literature.
    """
    p, q, v = params.p, params.q, params.v
    x, m = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(x, m))
    known = (x > 0) & np.isfinite(m)
    x = np.where(known, x, 0.0)
    m = np.where(known, m, 0.0)
    return p * (v + x * m) / (p * x + q - 1)


def frequency_value_correlation(x: ArrayLike, m: ArrayLike) -> float:
    """Pearson correlation of purchase count and average spend; NaN if undefined."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(m) == 0:
        return float("nan")
    return float(np.corrcoef(x, m)[0, 1])
