"""The BG/NBD model of repeat buying: who is still a customer, and how much they will buy.

Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
the Pareto/NBD Model", *Marketing Science* 24(2); the likelihood as in Hardie's note
https://brucehardie.com/notes/004/.  While alive a customer buys as a Poisson process
with rate λ ~ Gamma(r, α); after each repeat purchase they drop out with probability
p ~ Beta(a, b).  Per customer the data are ``x`` (repeat purchases), ``t_x`` (time of
the last purchase since the first) and ``T`` (time since the first purchase), in any
one time unit; α is in that unit too.

A known quirk of the model: a customer with no repeat purchase can not yet have
dropped out, so their ``p_alive`` is 1.  Their expected purchases still fall as they
age, because a long silence points to a low buying rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate
from scipy.special import betaincinv, betaln, expit, gammaln, hyp2f1

from sheetcrm.mle import maximise

# The conditional expectation divides by (a - 1).  At a = 1 it is a removable 0/0, so
# nearer than this we evaluate at 1 ± this: the value moves by about as much, relatively,
# while the cancellation error stays near 1e-16 / 1e-6.
_A_NEAR_ONE = 1e-6
# Slack, relative to the upper bound, before a hypergeometric result counts as wrong.
_BOUND_SLACK = 1e-8


@dataclass(frozen=True)
class BGNBDParams:
    """Population parameters: buying rate λ ~ Gamma(r, α), dropout p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class BGNBDFit:
    """A maximum-likelihood fit and the evidence for trusting it."""

    params: BGNBDParams
    log_likelihood: float
    n_customers: int
    converged: bool
    at_bound: tuple[str, ...]  # parameters that ran to the edge of the search box
    message: str


def bgnbd_log_likelihood(
    params: BGNBDParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Each customer's log-likelihood (Fader, Hardie & Lee 2005; Hardie's note 004).

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
        + [x > 0] · B(a+1, b+x-1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x)),
    summed in log space; the second term (dropped out after the last purchase) does
    not exist for x = 0.
    """
    return _LogLikelihood(*_as_arrays(x, t_x, T))(params)


class _LogLikelihood:
    """:func:`bgnbd_log_likelihood` on fixed data, for an optimiser that calls it hundreds
    of times: the special functions of ``x`` alone are evaluated once per distinct ``x``
    (a few dozen) rather than per customer, with the very same values."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
        self.xs, self.at = np.unique(x, return_inverse=True)
        self.t_x, self.T, self.bought = t_x, T, x > 0

    def __call__(self, params: BGNBDParams) -> np.ndarray:
        r, alpha, a, b = params.r, params.alpha, params.a, params.b
        xs, at = self.xs, self.at
        shared = (gammaln(r + xs) - gammaln(r) + r * np.log(alpha) - betaln(a, b))[at]
        r_x = (r + xs)[at]
        alive = betaln(a, b + xs)[at] - r_x * np.log(alpha + self.T)
        xs_pos = np.maximum(xs, 1)  # keeps b + x - 1 > 0 where the term is masked out anyway
        dropped = betaln(a + 1, b + xs_pos - 1)[at] - r_x * np.log(alpha + self.t_x)
        dropped = np.where(self.bought, dropped, -np.inf)
        return shared + np.logaddexp(alive, dropped)


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BGNBDFit:
    """Fit r, α, a, b by maximum likelihood; check ``converged`` and ``at_bound``.

    (Strictly, with :data:`sheetcrm.mle.RIDGE`'s vanishing penalty.)  Time is rescaled
    so that the oldest customer has T = 1 while fitting, so the result (α aside, which
    scales with the unit) is the same in days or in weeks.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    scale = float(T.max()) if T.size and T.max() > 0 else 1.0
    # Customers with the same history share a likelihood term, and in daily data many
    # do (one-time buyers of the same day): CDNOW's 2357 customers have 1016 histories.
    histories, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    hx, ht_x, hT = histories[:, 0], histories[:, 1] / scale, histories[:, 2] / scale
    # Start where the mean buying rate r/α matches the data's, with a vague Beta(1, 1).
    rate = max(float(x.sum()), 1.0) / max(float(T.sum()) / scale, 1e-9)
    start = {"r": 1.0, "alpha": 1.0 / rate, "a": 1.0, "b": 1.0}
    log_likelihood = _LogLikelihood(hx, ht_x, hT)
    optimum = maximise(lambda v: log_likelihood(BGNBDParams(*v)), start, weights=counts)
    r, alpha, a, b = optimum.values
    params = BGNBDParams(r, alpha * scale, a, b)
    return BGNBDFit(
        params=params,
        log_likelihood=float(bgnbd_log_likelihood(params, x, t_x, T).sum()),
        n_customers=int(x.size),
        converged=optimum.converged,
        at_bound=optimum.at_bound,
        message=optimum.message,
    )


def p_alive(params: BGNBDParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Probability that each customer has not dropped out by T (Hardie's note 021).

    1 / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)), computed as a logistic of
    the log-odds so that it neither overflows nor leaves [0, 1].
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = _as_arrays(x, t_x, T)
    x_pos = np.maximum(x, 1)
    log_odds_dropped = (
        np.log(a) - np.log(b + x_pos - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(x > 0, expit(-log_odds_dropped), 1.0)


def expected_purchases(
    params: BGNBDParams, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Expected purchases in the next ``t`` time units, given each customer's history.

    Eq. 10 of Fader, Hardie & Lee (2005): p_alive times

        (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))].

    scipy's ``hyp2f1`` overflows or returns NaN for large x with t ≫ α+T (z near 1,
    large parameters).  Each value is therefore checked: it must be finite and lie in
    [0, p_alive · t · (r+x)/(α+T)] (no more than buying at the posterior mean rate
    with no dropout).  A value that fails is retried with Euler's transformation
    2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z), then by numerical integration
    over the posterior dropout probability.  At a = 1 the formula is 0/0 (a removable
    singularity); a within ``_A_NEAR_ONE`` of 1 is evaluated just beside it.
    """
    t, x, t_x, T = _as_arrays(t, x, t_x, T)
    alive = p_alive(params, x, t_x, T)
    per_alive = _purchases_if_alive(params, t.ravel(), x.ravel(), T.ravel()).reshape(t.shape)
    # Where p_alive underflows to 0 the answer is 0, even if the rest failed (0 × NaN).
    return np.where(alive > 0, alive * per_alive, 0.0)


def _purchases_if_alive(
    params: BGNBDParams, t: np.ndarray, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Expected purchases in (T, T+t] for a customer known to be alive at T."""
    r, alpha, b = params.r, params.alpha, params.b
    a = params.a
    if abs(a - 1) < _A_NEAR_ONE:
        a = 1 + np.copysign(_A_NEAR_ONE, a - 1)
    c = a + b + x - 1
    z = t / (alpha + T + t)
    log_1mz = np.log(alpha + T) - np.log(alpha + T + t)
    ceiling = t * (r + x) / (alpha + T)
    with np.errstate(all="ignore"):
        direct = hyp2f1(r + x, b + x, c, z) * np.exp((r + x) * log_1mz)
        value = _accept(c / (a - 1) * (1 - direct), ceiling)
        retry = np.isnan(value)
        if retry.any():
            # Euler: (1-z)^(r+x) 2F1(r+x, b+x; c; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z)
            euler = hyp2f1(a + b - 1 - r, a - 1, c[retry], z[retry]) * np.exp(
                (a - 1) * log_1mz[retry]
            )
            value[retry] = _accept(c[retry] / (a - 1) * (1 - euler), ceiling[retry])
    for i in np.flatnonzero(np.isnan(value)):
        value[i] = _purchases_if_alive_by_quadrature(params, t[i], x[i], T[i])
    return value


def _accept(value: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """``value`` clipped into [0, ceiling], or NaN where it is clearly wrong."""
    slack = _BOUND_SLACK * ceiling
    ok = np.isfinite(value) & (value >= -slack) & (value <= ceiling + slack)
    return np.where(ok, np.clip(value, 0.0, ceiling), np.nan)


def _purchases_if_alive_by_quadrature(params: BGNBDParams, t: float, x: float, T: float) -> float:
    """The same expectation as an integral: E over p ~ Beta(a, b+x) of (1 - (1+pk)^-(r+x))/p.

    Given alive at T, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x) independently, and a
    customer with (λ, p) buys (1 - e^(-λpt))/p times on average; integrating out λ
    leaves this one-dimensional integral (k = t/(α+T)).  Substituting p = F⁻¹(u) for
    the Beta quantile function makes the integrand bounded and monotone on [0, 1].
    """
    k = t / (params.alpha + T)
    m = params.r + x

    def integrand(u: float) -> float:
        p = betaincinv(params.a, params.b + x, u)
        return m * k if p <= 0 else -np.expm1(-m * np.log1p(p * k)) / p

    # full_output keeps QUADPACK's accuracy notes out of the user's warnings; at
    # worst they mean a relative error near 1e-6, far below the model's own.
    value, *_ = integrate.quad(
        integrand, 0.0, 1.0, epsabs=0.0, epsrel=1e-10, limit=200, full_output=1
    )
    return float(value)


def _as_arrays(*values: ArrayLike) -> list[np.ndarray]:
    return [np.array(v, dtype=float) for v in np.broadcast_arrays(*values)]
