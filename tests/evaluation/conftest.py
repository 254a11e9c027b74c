import pytest

from evaluation import services
from review.services import declaration_approve, declaration_submit


@pytest.fixture
def approved_project(zunhua_project, filler, reviewer):
    declaration_submit(declaration=zunhua_project, user=filler)
    declaration_approve(declaration=zunhua_project, user=reviewer)
    zunhua_project.refresh_from_db()
    return zunhua_project


@pytest.fixture
def monitoring_round(reviewer, zunhua_project):
    return services.round_open(user=reviewer, bureau=reviewer.bureau, year=zunhua_project.year,
                               period_label="1-7月", checkpoint_month=7)


@pytest.fixture
def report(monitoring_round, approved_project, filler):
    return services.monitoring_report_start(monitoring_round=monitoring_round, project=approved_project, user=filler)


@pytest.fixture
def evaluation(approved_project, filler):
    return services.self_evaluation_start(project=approved_project, user=filler)


def values_by_name(obj):
    return {value.indicator.name: value for value in obj.values.select_related("indicator")}


def fill_self_evaluation(evaluation, user, reached=None, executed="216"):
    """Fill every indicator (the declared value unless `reached` names another) and save."""
    from decimal import Decimal

    reached = reached or {}
    rows = {value.pk: {"reached_value": reached.get(name, value.indicator.value_display.lstrip("≥≤=")),
                       "analysis": ""}
            for name, value in values_by_name(evaluation).items()}
    evaluation.refresh_from_db()
    services.self_evaluation_save(evaluation=evaluation, user=user, version=evaluation.version,
                                  fields={"executed_amount": Decimal(executed)}, rows=rows)
    evaluation.refresh_from_db()
    return evaluation
