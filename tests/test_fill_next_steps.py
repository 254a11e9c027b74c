"""Fill-in without traps (issue 14): complete declarations before submission, pasted numbering,
codes that are form errors, and a home page that says what to do next."""
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import User
from declarations.models import BudgetYear, DepartmentDeclaration, ProjectDeclaration, Status
from declarations.services.validation import validate_department


def _login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _new_department(client, username):
    year = BudgetYear.objects.get_or_create(year=2026, defaults={"is_open": True})[0]
    BudgetYear.objects.filter(pk=year.pk).update(is_open=True)
    _login(client, username).post(reverse("department_new"), {"year": year.pk})
    return DepartmentDeclaration.objects.get(unit=User.objects.get(username=username).unit, year=year)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- item 4: submission needs a complete declaration; hints correct for every layout -------------

def test_an_empty_hebei_department_declaration_is_not_submitted(client, db):
    department = _new_department(client, "laoting-xfj")
    response = client.post(reverse("department_submit", args=[department.pk]))
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.status == Status.DRAFT


def test_refusing_an_empty_department_declaration_names_the_missing_parts(client, db):
    department = _new_department(client, "rugao-xfj")
    response = client.post(reverse("department_submit", args=[department.pk]))
    message = _messages(response)[0]
    assert "尚未填写部门职能与机构人员情况" in message
    assert "尚未填写收支预算（收入构成、支出构成）" in message
    assert "尚未填写绩效目标" in message


def test_an_empty_hebei_department_declaration_is_refused_for_its_prose_goals(client, db):
    department = _new_department(client, "laoting-xfj")
    messages = [f.message for f in validate_department(department) if f.level == "error"]
    assert "尚未填写绩效目标" in messages


def test_a_hebei_department_declaration_has_no_indicator_hint(db):
    department = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    assert [f.message for f in validate_department(department) if "必填二级指标" in f.message] == []


def test_the_hebei_department_wizard_shows_no_indicator_hint(client, db):
    department = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    _login(client, "zunhua-xfj")
    response = client.get(reverse("department_step", args=[department.pk, "preview"]))
    assert response.status_code == 200
    assert "必填二级指标" not in response.text
