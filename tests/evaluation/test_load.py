"""generate_load --monitoring --self-evaluation: rounds, reports and self-evaluations in bulk."""
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from declarations.models import ProjectDeclaration
from evaluation import tables
from evaluation.models import MonitoringReport, MonitoringRound, SelfEvaluation

pytestmark = pytest.mark.django_db


def test_generate_load_makes_monitoring_and_self_evaluation_data(client):
    out = io.StringIO()
    call_command("generate_load", "--bureaus", "2", "--units", "4", "--projects", "5", "--indicators", "8",
                 "--year", "2030", "--monitoring", "--self-evaluation", stdout=out)
    eligible = ProjectDeclaration.objects.filter(year__year=2030, status__in=["approved", "published"])
    assert eligible.exists()
    assert MonitoringRound.objects.filter(year__year=2030).count() == 2
    assert MonitoringReport.objects.filter(round__year__year=2030).count() == eligible.count()
    assert SelfEvaluation.objects.filter(project__year__year=2030).count() == eligible.count()
    assert "运行监控与绩效自评：rounds 2，reports" in out.getvalue()
    report = MonitoringReport.objects.filter(round__year__year=2030).first()
    assert all(row["reached_value"] for row in tables.monitoring_data(report)["values"])
    evaluation = SelfEvaluation.objects.filter(project__year__year=2030).first()
    assert tables.self_evaluation_data(evaluation)["evaluation"]["grade"] in "优良中差"
    monitoring_round = report.round
    client.force_login(User.objects.filter(role="reviewer", bureau=monitoring_round.bureau).first())
    assert client.get(reverse("monitoring_round", args=[monitoring_round.pk])).status_code == 200
