from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from declarations.models import Indicator, MoneyLine, ProjectDeclaration, SpendingCheckpoint


def _copy(project, **changes):
    project.pk = None
    project.id = None
    for key, value in changes.items():
        setattr(project, key, value)
    return project


def test_a_project_code_is_unique_within_a_unit_and_year(zunhua_project):
    duplicate = _copy(zunhua_project, name="另一个项目")
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_projects_without_a_code_do_not_clash(db):
    project = ProjectDeclaration.objects.get(name="信访救助资金")
    assert project.code == ""
    _copy(project, name="另一个无编码项目").save()


def test_a_spending_checkpoint_above_100_percent_is_refused_by_the_database(zunhua_project):
    with pytest.raises(IntegrityError), transaction.atomic():
        SpendingCheckpoint.objects.create(project=zunhua_project, label="13月底", percent=Decimal("101"))


def test_a_quantitative_indicator_needs_a_number(zunhua_project):
    indicator = zunhua_project.indicators.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(number=None)


def test_a_money_line_belongs_to_exactly_one_declaration(zunhua_project):
    with pytest.raises(IntegrityError), transaction.atomic():
        MoneyLine.objects.create(direction="income", kind="fiscal_general", amount=Decimal("1"))


def test_an_income_line_cannot_have_an_expense_kind(zunhua_project):
    with pytest.raises(IntegrityError), transaction.atomic():
        MoneyLine.objects.create(project=zunhua_project, direction="income", kind="basic", amount=Decimal("1"))


def test_money_keeps_six_decimals(zunhua_project):
    zunhua_project.budget = Decimal("216.123456")
    zunhua_project.save()
    zunhua_project.refresh_from_db()
    assert zunhua_project.budget == Decimal("216.123456")


def test_an_indicator_prints_its_composed_value(zunhua_project):
    indicator = zunhua_project.indicators.get(name="有效化解信访完成率")
    assert (indicator.comparator, indicator.number, indicator.unit) == ("≥", Decimal("95"), "%")
    assert indicator.value_display == "≥95%"
    assert indicator.comparator_display == "数值"


def test_edits_to_a_declaration_are_recorded_in_its_history(zunhua_project):
    zunhua_project.purpose = "新的用途"
    zunhua_project.save()
    assert zunhua_project.history.first().purpose == "新的用途"
