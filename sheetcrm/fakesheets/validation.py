"""``setDataValidation``: drop-downs and other data validation rules on cells.

Per the API reference (``SetDataValidationRequest``, ``DataValidationRule``): the rule
is set on *every* cell of the range, replacing any rule there; a request without a rule
clears validation from the range.  The rule's ``condition`` must be one of the
``ConditionType`` values data validation supports, with the number of values that type
takes (``ONE_OF_LIST`` one or more, ``NUMBER_BETWEEN`` two, ``TEXT_IS_EMAIL`` none…).
The rule is stored in the cell's ``dataValidation`` and returned with the cell's grid
data.  Validation is not enforced on later writes (the API does not reject values
written through it either).
"""

from __future__ import annotations

import copy
from typing import Any

from sheetcrm.fakesheets.errors import invalid
from sheetcrm.fakesheets.store import Sheet, Spreadsheet

# ConditionType → (least, most) condition values, for the types data validation accepts.
_VALUE_COUNTS: dict[str, tuple[int, int | None]] = {
    **dict.fromkeys(
        ("NUMBER_GREATER", "NUMBER_GREATER_THAN_EQ", "NUMBER_LESS", "NUMBER_LESS_THAN_EQ"), (1, 1)
    ),
    **dict.fromkeys(("NUMBER_EQ", "NUMBER_NOT_EQ", "TEXT_CONTAINS", "TEXT_NOT_CONTAINS"), (1, 1)),
    **dict.fromkeys(("NUMBER_BETWEEN", "NUMBER_NOT_BETWEEN"), (2, 2)),
    **dict.fromkeys(("DATE_BETWEEN", "DATE_NOT_BETWEEN"), (2, 2)),
    **dict.fromkeys(
        ("DATE_EQ", "DATE_BEFORE", "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER"), (1, 1)
    ),
    **dict.fromkeys(("TEXT_EQ", "ONE_OF_RANGE", "CUSTOM_FORMULA"), (1, 1)),
    **dict.fromkeys(("TEXT_IS_EMAIL", "TEXT_IS_URL", "DATE_IS_VALID"), (0, 0)),
    "ONE_OF_LIST": (1, None),
    "BOOLEAN": (0, 2),
}
# Condition types that exist for conditional formatting but not for data validation.
_NOT_FOR_VALIDATION = frozenset(
    {"TEXT_STARTS_WITH", "TEXT_ENDS_WITH", "BLANK", "NOT_BLANK", "TEXT_NOT_EQ", "DATE_NOT_EQ"}
)


def check_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """The rule as stored (a copy), or Google's 400 when it cannot be a validation rule."""
    condition = rule.get("condition")
    if not isinstance(condition, dict) or not condition.get("type"):
        raise invalid("A data validation rule must have a condition with a type.")
    kind = condition["type"]
    if kind in _NOT_FOR_VALIDATION:
        raise invalid(f"The condition type {kind} is not supported in data validation.")
    if kind not in _VALUE_COUNTS:
        raise invalid(f"Invalid value at 'condition.type' ({kind!r}).")
    values = condition.get("values") or []
    least, most = _VALUE_COUNTS[kind]
    if len(values) < least or (most is not None and len(values) > most):
        wanted = (
            f"at least {least}"
            if most is None
            else f"{least}"
            if least == most
            else f"{least}-{most}"
        )
        raise invalid(f"Condition type {kind} requires {wanted} condition value(s).")
    for value in values:
        if not isinstance(value, dict) or not (
            isinstance(value.get("userEnteredValue"), str) or value.get("relativeDate")
        ):
            raise invalid("A condition value must set userEnteredValue or relativeDate.")
    if kind == "ONE_OF_LIST" and any(not v.get("userEnteredValue") for v in values):
        raise invalid("ONE_OF_LIST values must not be empty.")
    return copy.deepcopy(rule)


def set_validation(ss: Spreadsheet, p: dict[str, Any]) -> None:
    """Apply a ``SetDataValidationRequest`` body to the spreadsheet being edited."""
    sheet, bounds = ss.grid_range(p.get("range") or {})
    rule = p.get("rule")
    if rule:
        stored = check_rule(rule)
        for r in range(bounds.start_row, bounds.end_row):  # type: ignore[arg-type]
            for c in range(bounds.start_col, bounds.end_col):  # type: ignore[arg-type]
                cell = sheet.cells.get((r, c), {})
                cell["dataValidation"] = copy.deepcopy(stored)
                sheet.put(r, c, cell)
        return
    _clear(sheet, bounds)


def _clear(sheet: Sheet, bounds: Any) -> None:
    for r, c, cell in list(sheet.cells_in(bounds)):
        cell.pop("dataValidation", None)
        sheet.put(r, c, cell)
