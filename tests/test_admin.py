"""The admin looks at state and the audit trail but cannot change them: only the services can."""
import pytest
from django.urls import reverse

from declarations.models import DepartmentDeclaration, ProjectDeclaration
from public import services as publishing
from review import services
from review.models import Event, Publication, Review, Snapshot

AUDIT = [Event, Snapshot, Publication, Review]


@pytest.fixture
def published(db, filler, reviewer, zunhua_project):
    project = services.declaration_submit(declaration=zunhua_project, user=filler)
    project = services.declaration_approve(declaration=project, user=reviewer)
    return publishing.declaration_publish(declaration=project, user=reviewer)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_admin_shows_status_read_only_and_offers_no_add_or_change_for_audit_tables(client, administrator, published):
    client.force_login(administrator)
    page = client.get(_url(ProjectDeclaration, "change", published.pk))
    assert page.status_code == 200 and 'name="status"' not in page.text and "已公开" in page.text
    for model in AUDIT:
        obj = model.objects.first()
        assert client.get(_url(model, "add")).status_code == 403
        assert client.get(_url(model, "change", obj.pk)).status_code == 200
        assert client.post(_url(model, "change", obj.pk), {}).status_code == 403
        assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert _url(model, "add") not in client.get(_url(model, "changelist")).text


def test_saving_a_declaration_in_the_admin_keeps_its_status(client, administrator, zunhua_project):
    client.force_login(administrator)
    page = client.get(_url(ProjectDeclaration, "change", zunhua_project.pk))
    form = page.context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data = {**data, "status": "published"}
    for prefix, formset in ((f.formset.prefix, f) for f in page.context["inline_admin_formsets"]):
        management = formset.formset.management_form
        data.update({f"{prefix}-{name}": management[name].value() for name in management.fields})
        for n, inline in enumerate(formset.formset.forms):
            data.update({f"{prefix}-{n}-{name}": inline[name].value() if inline[name].value() is not None else ""
                         for name in inline.fields})
    response = client.post(_url(ProjectDeclaration, "change", zunhua_project.pk), data)
    assert response.status_code == 302
    zunhua_project.refresh_from_db()
    assert zunhua_project.status == "draft"


def test_the_admin_cannot_revert_a_declaration_to_an_old_version(client, administrator, published):
    client.force_login(administrator)
    version = published.history.order_by("history_id").first()
    url = reverse("admin:declarations_projectdeclaration_simple_history", args=[published.pk, version.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "x"}).status_code == 403
    published.refresh_from_db()
    assert published.status == "published"


@pytest.mark.parametrize("model", [ProjectDeclaration, DepartmentDeclaration, *AUDIT])
def test_the_admin_lists_still_answer_200(client, administrator, published, model):
    client.force_login(administrator)
    assert client.get(_url(model, "changelist")).status_code == 200
