"""Maximum-likelihood fitting in log-parameter space, shared by the customer-value models.

The models' parameters are all positive, so we optimise their logarithms: no
constraints to violate, and a step means the same *relative* change whatever the scale.
Nelder–Mead finds the basin robustly from a rough start; L-BFGS-B then polishes it.
Convergence is judged by our own test (a near-zero gradient at the answer), not by the
optimisers' flags, which disagree on flat or ill-conditioned likelihoods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

#: Search box for log-parameters: e^±12 ≈ 6e-6 … 1.6e5.  Callers rescale their data
#: (time, money) so that sensible parameters sit well inside it; one that ends on the
#: edge means the likelihood kept improving towards a degenerate limit.
LOG_BOUND = 12.0
_EDGE = 1e-3
#: A vanishingly weak penalty, RIDGE · Σ log(param)², on the mean log-likelihood.
#: With few customers the likelihood often keeps rising, ever more slowly, along a
#: ridge to a limiting model (BG/NBD's a, b → ∞: everyone has the same dropout
#: probability; Gamma-Gamma's p → ∞: no spread within a customer's spends).  Those
#: limits predict as well as any interior fit, but an optimiser never "arrives" there.
#: The penalty puts a finite maximum on the ridge; on CDNOW it moves the estimates by
#: less than 0.05 %.  It is lifetimes' ``penalizer_coef`` idea, on log-parameters.
RIDGE = 1e-6
#: Largest |gradient| of the penalised mean log-likelihood (per log-parameter) that
#: still counts as a maximum.
GRADIENT_TOLERANCE = 1e-4
_INVALID = 1e10  # objective value where the likelihood is not finite


@dataclass(frozen=True)
class Optimum:
    """Where the search ended and whether it is a trustworthy maximum."""

    values: tuple[float, ...]
    converged: bool
    at_bound: tuple[str, ...]  # names of parameters that ended on the edge of the search box
    message: str


def maximise(
    log_likelihood: Callable[[np.ndarray], np.ndarray],
    start: Mapping[str, float],
    weights: np.ndarray | None = None,
) -> Optimum:
    """Maximise the total of ``log_likelihood(params)`` over positive ``params``.

    ``start`` names the parameters and where to start, in the order ``log_likelihood``
    takes them; ``log_likelihood`` returns one value per customer, or per distinct
    history with ``weights`` saying how many customers share it.  The objective is the
    *mean* negative log-likelihood (plus RIDGE), so tolerances do not depend on how
    many customers there are.
    """

    def objective(theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = -float(np.average(log_likelihood(np.exp(theta)), weights=weights))
        return value + RIDGE * float(theta @ theta) if np.isfinite(value) else _INVALID

    theta0 = np.clip(np.log(list(start.values())), -LOG_BOUND + 1, LOG_BOUND - 1)
    # scipy's default first simplex moves each coordinate by 5 % of its value, i.e. not
    # at all for a log-parameter at 0; half a unit in log space explores properly.
    simplex = np.vstack([theta0, theta0 + 0.5 * np.eye(len(theta0))])
    coarse = minimize(
        objective,
        theta0,
        method="Nelder-Mead",
        options={"initial_simplex": simplex, "xatol": 1e-7, "fatol": 1e-12, "maxfev": 4000},
    )
    theta1 = np.clip(coarse.x, -LOG_BOUND, LOG_BOUND)
    fine = minimize(
        objective,
        theta1,
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * len(theta0),
        options={"ftol": 1e-15},
    )
    theta = fine.x if fine.fun <= objective(theta1) else theta1
    at_bound = np.abs(theta) > LOG_BOUND - _EDGE
    gradient = _central_gradient(objective, theta)
    stationary = bool(np.all(np.abs(gradient[~at_bound]) < GRADIENT_TOLERANCE))
    return Optimum(
        values=tuple(float(v) for v in np.exp(theta)),
        converged=objective(theta) < _INVALID and stationary,
        at_bound=tuple(name for name, edge in zip(start, at_bound, strict=True) if edge),
        message=(
            f"Nelder-Mead: {coarse.message}; L-BFGS-B: {fine.message}; "
            f"max |gradient| {np.max(np.abs(gradient)):.1e}"
        ),
    )


def _central_gradient(f: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray:
    step = 1e-5
    shifts = step * np.eye(len(theta))
    return np.array([(f(theta + s) - f(theta - s)) / (2 * step) for s in shifts])
