"""The grammar of a printed target value (指标值), shared by forms, importers and the loader.

A value is either quantitative — an optional comparator, a number and a unit (`≥95%`,
`≤180万元`, `=12次`, `100%`, `0.5`) — or qualitative (定性): a text (`有效改善`,
`2026年6月底前`). Full-width digits and signs (`９５％`, `＞＝`) are normalised first.
"""
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

QUALITATIVE = "定性"
COMPARATORS = ["≥", "≤", "=", ">", "<"]
_COMPARATOR_ALIASES = {">=": "≥", "<=": "≤", "≧": "≥", "≦": "≤", "==": "="}
_NUMBER = re.compile(
    r"^(?P<cmp>>=|<=|==|[≥≤=><≧≦])?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[^\d]*?)\s*$"
)
MAX_NUMBER = Decimal("99999999999999")
UNIT_MAX_LENGTH = 20


class ValueSyntaxError(ValueError):
    """A value that cannot be read; the message is shown to the user."""


@dataclass(frozen=True)
class TargetValue:
    comparator: str  # one of COMPARATORS, "" for a bare number, or QUALITATIVE
    number: Decimal | None
    unit: str
    text: str

    @property
    def is_qualitative(self):
        return self.comparator == QUALITATIVE

    def display(self):
        return compose(self.comparator, self.number, self.unit, self.text)


def normalise(raw):
    """NFKC folds full-width digits, letters and ％; keep ≥ ≤ as they are."""
    return unicodedata.normalize("NFKC", raw or "").strip()


def parse(raw, *, strict=False):
    """Read a printed value. With strict=False anything not numeric is a qualitative text.

    With strict=True a value that starts like a number but does not parse is an error,
    so that a typo such as `≥9５%%1` is said plainly instead of silently becoming text.
    """
    text = normalise(raw)
    match = _NUMBER.match(text)
    if match:
        comparator = match["cmp"] or ""
        comparator = _COMPARATOR_ALIASES.get(comparator, comparator)
        number = Decimal(match["num"])
        if number > MAX_NUMBER:
            raise ValueSyntaxError(f"数值“{match['num']}”过大")
        unit = match["unit"].strip()
        if len(unit) <= UNIT_MAX_LENGTH:
            return TargetValue(comparator, number, unit, "")
    if strict and text and text[0] in "≥≤=><≧≦":
        raise ValueSyntaxError(f"“{raw}”无法识别：比较符号后应为数字和单位，例如“≥95%”")
    return TargetValue(QUALITATIVE, None, "", (raw or "").strip())


def format_number(number):
    """Decimal without trailing zeros and never in exponent form: 95.000000 → 95."""
    if number is None:
        return ""
    try:
        normalised = number.normalize()
    except InvalidOperation:  # pragma: no cover - Decimal('NaN') cannot be stored
        return str(number)
    return format(normalised, "f")


def compose(comparator, number, unit, text):
    if comparator == QUALITATIVE or number is None:
        return text
    return f"{comparator}{format_number(number)}{unit}"


def format_amount(amount, decimals=None):
    """An amount in 万元 for printing: fixed decimals, or as short as exact when decimals is None."""
    if amount is None:
        return ""
    if decimals is None:
        return format_number(Decimal(amount))
    return f"{Decimal(amount):.{decimals}f}"
