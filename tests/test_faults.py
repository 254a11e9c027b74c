"""Faults: a database error mid-save, a renderer that fails."""
from decimal import Decimal

import pytest
from django.db import DatabaseError
from django.urls import reverse

from accounts.models import User
from declarations.models import ProjectDeclaration, SpendingCheckpoint
from public import services as publishing
from review import services


@pytest.fixture
def laoting(client, db):
    client.force_login(User.objects.get(username="laoting-xfj"))
    return client


def test_a_database_error_in_the_middle_of_a_save_leaves_the_previous_state(laoting, monkeypatch):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(SpendingCheckpoint.objects, "bulk_create", fail)
    data = {"version": project.version, "budget": "200", "fiscal_funds": "200", "other_funds": "0",
            "purpose": "新用途", "plan_0": "10", "plan_1": "20", "plan_2": "30", "plan_3": "100"}
    laoting.raise_request_exception = False
    response = laoting.post(reverse("project_step", args=[project.pk, "funds"]), data)
    assert response.status_code == 500
    project.refresh_from_db()
    assert (project.budget, project.purpose, project.version) == (
        Decimal("185"), "减少进京访、赴省访、到市访量，化解各种疑难问题，维护社会稳定", 1)
    assert [p.percent for p in project.spending_plan.all()] == [25, 50, 75, 100]


def test_a_failing_export_shows_an_error_page_and_logs_it(client, db, monkeypatch, caplog):
    import declarations.exports.registry as registry

    def broken(document):
        raise OSError("no font 'Noto Serif CJK SC'")

    monkeypatch.setattr(registry, "render_pdf", broken)
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    client.force_login(User.objects.get(username="laoting-xfj"))
    response = client.get(reverse("project_download", args=[project.pk, "pdf"]))
    assert response.status_code == 500 and 'data-testid="export-failed"' in response.text
    assert any("export.failed" in record.getMessage() for record in caplog.records)


def test_a_publication_whose_files_fail_does_not_break_the_others(db, monkeypatch, caplog):
    import public.services as public_services

    filler, reviewer = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    first, second = ProjectDeclaration.objects.filter(unit__code="455").order_by("order")[:2]
    for project in (first, second):
        services.declaration_submit(declaration=project, user=filler)
        services.declaration_approve(declaration=ProjectDeclaration.objects.get(pk=project.pk), user=reviewer)
    real = public_services.render_pdf
    calls = {"n": 0}

    def once_broken(document):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("font missing")
        return real(document)

    monkeypatch.setattr(public_services, "render_pdf", once_broken)
    with pytest.raises(services.ReviewError, match="生成公开文件失败"):
        publishing.declaration_publish(declaration=ProjectDeclaration.objects.get(pk=first.pk), user=reviewer)
    assert ProjectDeclaration.objects.get(pk=first.pk).status == "approved"
    publishing.declaration_publish(declaration=ProjectDeclaration.objects.get(pk=second.pk), user=reviewer)
    assert ProjectDeclaration.objects.get(pk=second.pk).status == "published"
    assert any("publication.files_failed" in record.getMessage() for record in caplog.records)
