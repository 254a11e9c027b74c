"""Threats of docs/security.md that no other test file covers."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from declarations.models import DepartmentDeclaration, ProjectDeclaration


def _editor_form(html):
    """Every input and selected option of the indicator editor, as the browser would post them."""
    data = []
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data.append((name, value))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data.append((name, chosen[1] if chosen else ""))
    return data


def test_the_largest_seed_declaration_saves_from_its_editor(client, db):
    """Hubei's 部门整体 has 81 indicator rows: well over Django's default limit of posted fields."""
    from html import unescape

    client.force_login(User.objects.get(username="yangxin-xfj"))
    dept = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")
    url = reverse("department_step", args=[dept.pk, "indicators"])
    form = [(n, unescape(v)) for n, v in _editor_form(client.get(url + "?form=1").text) if n != "csrfmiddlewaretoken"]
    data = {}
    for name, value in form:
        data.setdefault(name, []).append(value)
    data["action"] = ["save"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert dept.indicators.count() == 81


def test_an_oversized_editor_post_is_capped_not_crashed(client, db):
    client.force_login(User.objects.get(username="laoting-xfj"))
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    sub = project.indicators.first().subcategory_id
    data = {"version": project.version, "action": "save", "row": [f"k{n}" for n in range(600)]}
    for n in range(600):
        data.update({f"k{n}-subcategory": sub, f"k{n}-term": "annual", f"k{n}-name": f"指标{n}",
                     f"k{n}-comparator": "定性", f"k{n}-text": "有效"})
    response = client.post(reverse("project_step", args=[project.pk, "indicators"]), data)
    assert response.status_code in (302, 400)
    assert project.indicators.count() <= 400


def test_a_post_without_the_csrf_token_is_refused(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="laoting-xfj"))
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    response = client.post(reverse("project_submit", args=[project.pk]))
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.status == "draft"


def test_public_pages_send_the_content_security_policy_too(client, db):
    response = client.get(reverse("public_index"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("payload", ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>'])
def test_user_text_is_escaped_in_the_wizard_and_the_review_page(client, db, payload):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    ProjectDeclaration.objects.filter(pk=project.pk).update(name=payload, purpose=payload)
    client.force_login(User.objects.get(username="laoting-xfj"))
    for step in ("basic", "funds", "preview"):
        assert payload not in client.get(reverse("project_step", args=[project.pk, step])).text
    client.force_login(User.objects.get(username="laoting-czj"))
    assert payload not in client.get(reverse("review_declaration", args=["project", project.pk])).text
