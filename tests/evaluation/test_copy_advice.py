"""Copy to next year learns from the 自评: missed and far exceeded targets are flagged."""
import pytest
from django.urls import reverse

from declarations.models import ProjectDeclaration
from evaluation import services

from .conftest import fill_self_evaluation

pytestmark = pytest.mark.django_db


def test_missed_and_far_exceeded_indicators_are_flagged(evaluation, filler):
    fill_self_evaluation(evaluation, filler, reached={"信访事项按期结案率": "72%", "信访事项受理及时率": "99%"})
    warnings = services.copy_advice(evaluation.project)
    assert warnings == ["上年绩效自评未达到目标值的指标，请核实本年度目标是否可行：信访事项按期结案率（目标 ≥90%，实际 72%）"]


def test_far_exceeded_means_more_than_150_percent_of_the_target(evaluation, filler, approved_project):
    indicator = approved_project.indicators.get(name="按预算资金完成率")
    indicator.number, indicator.unit = 10, "次"
    indicator.save()
    fill_self_evaluation(evaluation, filler, reached={"按预算资金完成率": "16次"})
    assert services.copy_advice(evaluation.project) == [
        "上年绩效自评大幅超过目标值（超过 150%）的指标，请考虑提高本年度目标：按预算资金完成率（目标 ≥10次，实际 16次）"]


def test_a_project_without_self_evaluation_copies_without_warnings(zunhua_project):
    assert services.copy_advice(zunhua_project) == []


def test_the_copy_page_shows_the_warnings(client, evaluation, filler):
    fill_self_evaluation(evaluation, filler, reached={"信访事项按期结案率": "72%"})
    client.force_login(filler)
    response = client.post(reverse("project_copy", args=[evaluation.project.pk]),
                           {"year": "2025", "keep_money": "1", "code": "13028124P00096710001H"}, follow=True)
    body = response.content.decode()
    assert ProjectDeclaration.objects.filter(year__year=2025, name=evaluation.project.name).exists(), body[-3000:]
    assert "信访事项按期结案率（目标 ≥90%，实际 72%）" in body
