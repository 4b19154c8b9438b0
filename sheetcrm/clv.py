"""Customer value forecast: who is still buying, and how much they will buy next.

Fits BG/NBD (:mod:`sheetcrm.bgnbd`) for purchase counts and Gamma-Gamma
(:mod:`sheetcrm.gamma_gamma`) for spend per purchase on the per-customer metrics, and
says plainly when the shop's data are too thin for the numbers to mean anything::

    forecast = predict_customer_value(metrics)
    if forecast.reliable:
        metrics = metrics.join(forecast.customers)
    else:
        print(forecast.reason_for("ja"))

Time is in days from the as-of date, money in the shop's currency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheetcrm.bgnbd import (
    BGNBDFit,
    BGNBDParams,
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    p_alive,
)
from sheetcrm.gamma_gamma import (
    GammaGammaFit,
    GammaGammaParams,
    expected_average_value,
    fit_gamma_gamma,
    frequency_value_correlation,
    gamma_gamma_log_likelihood,
)

__all__ = [
    "FORECAST_COLUMNS",
    "MIN_CUSTOMERS",
    "MIN_REPEATERS",
    "BGNBDFit",
    "BGNBDParams",
    "GammaGammaFit",
    "GammaGammaParams",
    "ValueForecast",
    "bgnbd_log_likelihood",
    "expected_average_value",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "frequency_value_correlation",
    "gamma_gamma_log_likelihood",
    "p_alive",
    "predict_customer_value",
]

#: Below these, say "not reliable" rather than print numbers.  Repeat buyers are the
#: binding constraint: BG/NBD learns dropout (a, b) only from customers who came back
#: and then went quiet, and Gamma-Gamma learns spend from them alone.  On customer
#: bases simulated from the models (CDNOW-like parameters, two years of history,
#: 30–400 customers), the 90-day revenue forecast with fitted instead of true
#: parameters was, for the median customer / for the shop's total in 8 runs of 10:
#: 5–10 repeaters: 40 % off / −45 %…+37 %; 10–20: 27 % / −30 %…+33 %;
#: 20–40: 20 % / −19 %…+25 %; 40–80: 13 % / −15 %…+15 %.  20 is where the error
#: stops dwarfing the differences between customers.  100 customers is a conservative
#: floor that the simulations do not force: real data stray from the model, and a few
#: unusual customers sway a small base.
MIN_CUSTOMERS = 100
MIN_REPEATERS = 20

FORECAST_COLUMNS = [
    "p_alive",
    "expected_purchases_90d",
    "expected_revenue_90d",
    "expected_purchases_365d",
]
SUMMARY_COLUMNS = [
    "repeat_purchases",
    "tenure_days",
    "customer_age_days",
    "average_repeat_value",
]


@dataclass(frozen=True, eq=False)
class ValueForecast:
    """The forecast for every customer, and whether to show it.

    ``customers`` has FORECAST_COLUMNS, indexed like the input summary; all NaN when
    ``reliable`` is False, and NaN for rows whose history is unusable (missing or
    inconsistent numbers).  ``reason`` / ``reason_ja`` say why it is not reliable.
    The fits are kept whenever they were attempted, for diagnosis, even when rejected.
    """

    customers: pd.DataFrame
    reliable: bool
    reason: str | None
    reason_ja: str | None
    n_customers: int  # rows with a usable history
    n_repeaters: int  # of which bought again, with a known positive spend
    purchase_model: BGNBDFit | None = None
    spend_model: GammaGammaFit | None = None

    def reason_for(self, lang: str) -> str | None:
        """Why the forecast is not reliable, in the user's language (``"ja"`` or ``"en"``)."""
        return self.reason_ja if lang == "ja" else self.reason


def predict_customer_value(
    summary: pd.DataFrame,
    *,
    min_customers: int = MIN_CUSTOMERS,
    min_repeaters: int = MIN_REPEATERS,
) -> ValueForecast:
    """Forecast p_alive, purchases and revenue per customer from their purchase summary.

    ``summary`` is one row per customer (indexed by customer_id) with SUMMARY_COLUMNS,
    as :func:`sheetcrm.metrics.customer_metrics` defines them plus
    ``average_repeat_value`` (mean spend of the repeat purchase days, NaN when
    ``repeat_purchases`` is 0).  Degenerate data never raise: they come back as
    ``reliable=False`` with a reason.  A missing column is a programming error and does.

    ``expected_revenue_90d`` is expected purchases times the Gamma-Gamma expected spend
    per purchase (the population mean for customers without repeat purchases).  A
    negative average spend (refunds) counts as 0.  The Gamma-Gamma independence check
    is ``spend_model.frequency_value_correlation``; it does not decide ``reliable``:
    the purchase forecasts do not depend on it, and the literature gives no cut-off.
    """
    missing = [c for c in SUMMARY_COLUMNS if c not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks columns: {', '.join(missing)}")
    x, t_x, T, m = (_floats(summary[c]) for c in SUMMARY_COLUMNS)
    usable = (
        np.isfinite(x)
        & np.isfinite(T)
        & (x >= 0)
        & (x == np.round(x))
        & (T >= 0)
        & ((x == 0) | (np.isfinite(t_x) & (t_x >= 0) & (t_x <= T)))
    )
    t_x = np.where(x == 0, 0.0, t_x)  # unused by the model when there is no repeat
    m = np.where(x > 0, np.maximum(m, 0.0), np.nan)
    spend_known = usable & (x > 0) & (m > 0)  # NaN compares False
    n_customers, n_repeaters = int(usable.sum()), int(spend_known.sum())

    def unreliable(
        en: str,
        ja: str,
        purchases: BGNBDFit | None = None,
        spend: GammaGammaFit | None = None,
    ) -> ValueForecast:
        return ValueForecast(
            customers=_blank(summary.index),
            reliable=False,
            reason=en,
            reason_ja=ja,
            n_customers=n_customers,
            n_repeaters=n_repeaters,
            purchase_model=purchases,
            spend_model=spend,
        )

    if n_customers < min_customers:
        return unreliable(
            f"Only {n_customers} customers have a usable purchase history; a forecast "
            f"needs at least {min_customers}.",
            f"購入履歴を使える顧客が{n_customers}人しかいません。"
            f"予測には{min_customers}人以上が必要です。",
        )
    if n_repeaters < min_repeaters:
        return unreliable(
            f"Only {n_repeaters} customers bought again (with a known amount); a forecast "
            f"needs at least {min_repeaters} repeat buyers.",
            f"金額の分かるリピート購入のある顧客が{n_repeaters}人しかいません。"
            f"予測にはリピーターが{min_repeaters}人以上必要です。",
        )

    x, t_x, T = x[usable], t_x[usable], T[usable]
    purchases = fit_bgnbd(x, t_x, T)
    spend = fit_gamma_gamma(x[spend_known[usable]], m[spend_known])
    problem = _fit_problem(purchases, spend)
    if problem:
        return unreliable(*problem, purchases, spend)

    params = purchases.params
    buys_90 = expected_purchases(params, 90.0, x, t_x, T)
    values = np.column_stack(  # in FORECAST_COLUMNS order
        [
            p_alive(params, x, t_x, T),
            buys_90,
            buys_90 * expected_average_value(spend.params, x, m[usable]),
            expected_purchases(params, 365.0, x, t_x, T),
        ]
    )
    if not (np.isfinite(values).all() and (values >= 0).all()):
        return unreliable(
            "The model produced invalid numbers for some customers.",
            "一部の顧客で予測値が正しく計算できませんでした。",
            purchases,
            spend,
        )
    forecast = _blank(summary.index)
    forecast.loc[usable] = values
    return ValueForecast(
        customers=forecast,
        reliable=True,
        reason=None,
        reason_ja=None,
        n_customers=n_customers,
        n_repeaters=n_repeaters,
        purchase_model=purchases,
        spend_model=spend,
    )


def _fit_problem(purchases: BGNBDFit, spend: GammaGammaFit) -> tuple[str, str] | None:
    """Why the fitted models should not be trusted (English, Japanese), or None."""
    for fit, name, name_ja in (
        (purchases, "purchase model", "購入回数モデル"),
        (spend, "spend model", "購入金額モデル"),
    ):
        if fit.at_bound:
            return (
                f"The {name} could not pin down its parameters ({', '.join(fit.at_bound)}) "
                "from this data: the customers are too alike.",
                f"顧客の購入履歴が似通っていて、{name_ja}のパラメータが定まりません。",
            )
        if not fit.converged:
            return (
                f"The {name} did not converge on this data.",
                f"{name_ja}の推定が収束しませんでした。",
            )
    if spend.params.q <= 1:
        return (
            "The spend model implies an unbounded average spend (q ≤ 1): a few very "
            "large amounts dominate.",
            "ごく一部の高額購入の影響が大きく、平均購入金額を推定できません。",
        )
    return None


def _blank(index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(np.nan, index=index, columns=FORECAST_COLUMNS)


def _floats(column: pd.Series) -> np.ndarray:
    """The column as float64, with anything non-numeric (text, NA) as NaN."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
