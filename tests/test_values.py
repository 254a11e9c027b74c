from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declarations import values


@pytest.mark.parametrize(
    "raw, comparator, number, unit",
    [
        ("≥95%", "≥", Decimal("95"), "%"),
        ("≤180 万元", "≤", Decimal("180"), "万元"),
        ("=12次", "=", Decimal("12"), "次"),
        ("100%", "", Decimal("100"), "%"),
        ("0.5", "", Decimal("0.5"), ""),
        ("≥1500件/年", "≥", Decimal("1500"), "件/年"),
        ("29.41%", "", Decimal("29.41"), "%"),
        ("９５％", "", Decimal("95"), "%"),
        (">=90%", "≥", Decimal("90"), "%"),
    ],
)
def test_quantitative_values_are_split_into_comparator_number_and_unit(raw, comparator, number, unit):
    parsed = values.parse(raw)
    assert (parsed.comparator, parsed.number, parsed.unit) == (comparator, number, unit)


@pytest.mark.parametrize("raw", ["有效改善", "保持平稳可控", "群众满意率达 95%以上", "2026年6月底前", "无", ""])
def test_texts_are_qualitative_and_kept_verbatim(raw):
    parsed = values.parse(raw)
    assert parsed.is_qualitative
    assert parsed.display() == raw


def test_printed_value_is_composed_without_exponent_or_trailing_zeros():
    assert values.compose("≥", Decimal("10000.000000"), "份", "") == "≥10000份"
    assert values.compose("", Decimal("0.500000"), "", "") == "0.5"


def test_a_broken_comparator_value_is_an_error_in_strict_mode():
    with pytest.raises(values.ValueSyntaxError, match="比较符号后应为数字"):
        values.parse("≥九十五", strict=True)


def test_amounts_print_with_the_layouts_decimals():
    assert values.format_amount(Decimal("2.000000"), 6) == "2.000000"
    assert values.format_amount(Decimal("16.000000"), 2) == "16.00"
    assert values.format_amount(Decimal("92.500000")) == "92.5"


@given(
    comparator=st.sampled_from(values.COMPARATORS + [""]),
    number=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    unit=st.sampled_from(["%", "万元", "次", "件/年", "批次", ""]),
)
def test_composing_then_parsing_gives_the_same_parts(comparator, number, unit):
    printed = values.compose(comparator, number, unit, "")
    parsed = values.parse(printed)
    assert (parsed.comparator, parsed.number, parsed.unit) == (comparator, number, unit)


def test_an_empty_value_is_an_empty_text_even_in_strict_mode():
    parsed = values.parse("", strict=True)
    assert parsed.is_qualitative and parsed.display() == ""
