"""The admin lists the evaluation tables; states and the log are not changed there."""
import pytest
from django.urls import reverse

from evaluation.models import (
    EvaluationEvent, MonitoringReport, MonitoringRound, SelfEvaluation, SelfEvaluationPublication,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [MonitoringRound, MonitoringReport, SelfEvaluation, EvaluationEvent,
                                   SelfEvaluationPublication])
def test_the_admin_lists_answer_200(client, administrator, report, evaluation, model):
    client.force_login(administrator)
    url = reverse(f"admin:evaluation_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_the_report_status_is_read_only_in_the_admin(client, administrator, report):
    client.force_login(administrator)
    page = client.get(reverse("admin:evaluation_monitoringreport_change", args=[report.pk]))
    assert "status" not in page.context["adminform"].form.fields


def test_the_event_log_cannot_be_changed_in_the_admin(client, administrator, report):
    client.force_login(administrator)
    event = EvaluationEvent.objects.filter(report=report).first()
    page = client.get(reverse("admin:evaluation_evaluationevent_change", args=[event.pk]))
    assert b'type="submit"' not in page.content or b'name="_save"' not in page.content
