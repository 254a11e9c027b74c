"""The admin reads in the users' language: names, labels, amounts and snapshots as printed; fast pages."""
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from declarations.models import DepartmentDeclaration, Indicator, ProjectDeclaration
from public import services as publishing
from review import services
from review.models import Event, Publication, Snapshot

APPS = ["accounts", "declarations", "indicators", "review", "public", "evaluation"]


@pytest.fixture
def published(db, filler, reviewer, zunhua_project):
    project = services.declaration_submit(declaration=zunhua_project, user=filler)
    project = services.declaration_approve(declaration=project, user=reviewer)
    return publishing.declaration_publish(declaration=project, user=reviewer)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_every_app_has_its_own_name():
    nameless = [
        model.__name__ for app in APPS for model in apps.get_app_config(app).get_models()
        if model.__str__ is models.Model.__str__ and not model.__name__.startswith("Historical")
    ]
    assert nameless == []


def test_a_publication_is_named_by_its_unit_and_table(client, administrator, published):
    client.force_login(administrator)
    page = client.get(_url(Publication, "changelist"))
    assert "Publication object" not in page.text
    assert str(Publication.objects.get()).startswith("遵化市信访局 ")


def test_the_transition_log_shows_actions_and_states_by_their_labels(client, administrator, published):
    client.force_login(administrator)
    page = client.get(_url(Event, "changelist"))
    assert ">declaration.published<" not in page.text and ">approved<" not in page.text
    assert '<td class="field-action_label">公开</td>' in page.text
    assert '<td class="field-from_label">审核通过</td><td class="field-to_label">已公开</td>' in page.text
    event = Event.objects.filter(action="declaration.submitted").get()
    assert "提交" in client.get(_url(Event, "change", event.pk)).text


def test_a_snapshot_reads_as_labelled_fields_and_an_indicator_table(client, administrator, published):
    client.force_login(administrator)
    page = client.get(_url(Snapshot, "change", Snapshot.objects.get().pk)).text
    assert "<th scope=\"row\">项目名称</th>" in page and "<th>指标值确定依据</th>" in page
    assert '"goal_items"' not in page and "long_term_goal" not in page


def test_project_budgets_are_listed_as_printed(client, administrator, zunhua_project):
    client.force_login(administrator)
    ProjectDeclaration.objects.filter(pk=zunhua_project.pk).update(budget="20")
    page = client.get(_url(ProjectDeclaration, "changelist")).text
    assert '<td class="field-budget_display">20</td>' in page and "20.000000" not in page


def test_amounts_are_edited_as_printed(client, administrator, zunhua_project):
    client.force_login(administrator)
    ProjectDeclaration.objects.filter(pk=zunhua_project.pk).update(budget="20")
    page = client.get(_url(ProjectDeclaration, "change", zunhua_project.pk)).text
    assert 'name="budget" value="20"' in page and "20.000000" not in page


def test_the_department_change_page_links_to_its_indicators_instead_of_inlining_them(client, administrator, zunhua_unit):
    client.force_login(administrator)
    department = DepartmentDeclaration.objects.get(unit=zunhua_unit, year__year=2024)
    page = client.get(_url(DepartmentDeclaration, "change", department.pk)).text
    assert 'name="indicators-TOTAL_FORMS"' not in page
    assert reverse("department_step", args=[department.pk, "indicators"]) in page
    assert f'{_url(Indicator, "changelist")}?department={department.pk}' in page


def test_the_indicator_list_filtered_by_a_declaration_shows_only_its_indicators(client, administrator, zunhua_project):
    client.force_login(administrator)
    page = client.get(_url(Indicator, "changelist"), {"project": zunhua_project.pk})
    assert page.status_code == 200
    assert page.context["cl"].result_count == zunhua_project.indicators.count() > 0


def test_the_largest_declaration_change_page_runs_a_fixed_number_of_queries(client, administrator, django_assert_max_num_queries):
    client.force_login(administrator)
    department = max(DepartmentDeclaration.objects.all(), key=lambda d: d.indicators.count())
    with django_assert_max_num_queries(40):
        assert client.get(_url(DepartmentDeclaration, "change", department.pk)).status_code == 200
