"""Budget years: only administrators set them up; new declarations and copies go into open years,
and any other year input is a form error on a page, never a 500."""
import pytest
from django.urls import reverse

from declarations.models import BudgetYear, ProjectDeclaration
from declarations.services.copying import CopyError, project_copy_to_year

YEAR_FORMAT = "预算年度应为四位数字，如 2026"


@pytest.fixture
def laoting_project(db):
    return ProjectDeclaration.objects.get(code="13022525P00RERB10015T")  # 2025


@pytest.fixture
def laoting(client, db):
    from accounts.models import User

    client.force_login(User.objects.get(username="laoting-xfj"))
    return client


def _copy(client, project, year):
    return client.post(reverse("project_copy", args=[project.pk]), {"year": year, "keep_money": "0"})


@pytest.mark.parametrize("year", ["abc", "", "9" * 20])
def test_a_new_department_with_a_non_numeric_year_is_a_form_error(client, filler, year):
    client.force_login(filler)
    response = client.post(reverse("department_new"), {"year": year})
    assert response.status_code == 200
    expected = "请选择预算年度" if year == "" else "请选择开放填报的预算年度"
    assert expected in response.text


def test_a_new_department_in_a_closed_year_is_a_form_error(client, filler):
    client.force_login(filler)
    year = BudgetYear.objects.get(year=2025)
    BudgetYear.objects.filter(pk=year.pk).update(is_open=False)
    response = client.post(reverse("department_new"), {"year": year.pk})
    assert response.status_code == 200 and "请选择开放填报的预算年度" in response.text


@pytest.mark.parametrize("year, message", [
    ("abc", YEAR_FORMAT), ("9" * 20, YEAR_FORMAT), ("", "请选择要复制到的预算年度"),
    ("2025", "只能复制到 2025 年以后的预算年度"),
])
def test_copying_with_a_bad_year_is_a_form_error(laoting, laoting_project, year, message):
    response = _copy(laoting, laoting_project, year)
    assert response.status_code == 200 and message in response.text


def test_a_filler_cannot_create_a_budget_year_by_copying(laoting, laoting_project):
    response = _copy(laoting, laoting_project, "2999")
    assert response.status_code == 200 and "2999 年度尚未设立；预算年度由管理员设立" in response.text
    assert not BudgetYear.objects.filter(year=2999).exists()


def test_copying_into_a_closed_year_is_refused(laoting, laoting_project):
    BudgetYear.objects.filter(year=2026).update(is_open=False)
    response = _copy(laoting, laoting_project, "2026")
    assert response.status_code == 200 and "2026 年度已停止填报，不能复制到该年度" in response.text
    assert not ProjectDeclaration.objects.filter(code=laoting_project.code, year__year=2026).exists()


def test_the_copy_service_refuses_a_year_not_set_up(laoting_project):
    with pytest.raises(CopyError) as raised:
        project_copy_to_year(project=laoting_project, year=2031, keep_money=True)
    assert str(raised.value) == "2031 年度尚未设立；预算年度由管理员设立"
    assert not BudgetYear.objects.filter(year=2031).exists()


def test_the_copy_service_refuses_a_closed_year(laoting_project):
    BudgetYear.objects.filter(year=2026).update(is_open=False)
    with pytest.raises(CopyError) as raised:
        project_copy_to_year(project=laoting_project, year=2026, keep_money=True)
    assert str(raised.value) == "2026 年度已停止填报，不能复制到该年度"


def test_the_copy_button_offers_only_later_open_years(laoting, laoting_project):
    BudgetYear.objects.create(year=2027, is_open=False)
    page = laoting.get(reverse("project_detail", args=[laoting_project.pk])).text
    assert '<option value="2026">2026年度</option>' in page and 'value="2027"' not in page
