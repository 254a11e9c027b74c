"""项目实施进度计划 in the project wizard: a step only where the layout prints milestones,
repeatable rows added and removed, saved with the version claim, errors keep everything typed."""
import pytest
from django.urls import reverse

from accounts.models import User
from declarations.models import BudgetYear, FinanceBureau, ProjectDeclaration, ProjectMilestone, Status, Unit
from declarations.services import drafts
from indicators.models import Layout

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    """A new 乐亭 project for 2026, its finance bureau printing in 宁乡's layout (which prints milestones)."""
    unit = Unit.objects.get(code="482001")
    FinanceBureau.objects.filter(pk=unit.bureau_id).update(layout=Layout.objects.get(code="hunan-ningxiang"))
    return ProjectDeclaration.objects.create(unit=unit, year=BudgetYear.objects.get_or_create(year=2026)[0], name="镇域基础设施")


@pytest.fixture
def laoting(client):
    client.force_login(User.objects.get(username="laoting-xfj"))
    return client


def _url(project):
    return reverse("project_step", args=[project.pk, "milestones"])


def _rows(project, rows, total=None, **extra):
    data = {"version": project.version, "milestone-TOTAL_FORMS": str(total or len(rows)),
            "milestone-INITIAL_FORMS": "0", **extra}
    for n, row in enumerate(rows):
        data.update({f"milestone-{n}-{key}": value for key, value in row.items()})
    return data


TWO = [{"content": "总体概念规划", "start": "2016", "end": "2020"}, {"content": "核心区规划", "start": "2021", "end": "2021.07"}]


def test_the_step_is_offered_only_where_the_layout_prints_milestones(laoting, project):
    page = laoting.get(reverse("project_step", args=[project.pk, "basic"])).text
    assert _url(project) in page and "实施进度计划" in page


def test_a_layout_that_prints_no_milestones_has_no_such_step(client):
    hebei = ProjectDeclaration.objects.get(unit__name="遵化市信访局", code="13028124P00096710001G")
    client.force_login(User.objects.get(username="zunhua-xfj"))
    assert client.get(_url(hebei)).status_code == 404
    assert _url(hebei) not in client.get(reverse("project_step", args=[hebei.pk, "basic"])).text


def test_two_milestones_are_saved_in_order_and_the_preview_prints_them(laoting, project):
    response = laoting.post(_url(project), _rows(project, TWO + [{"content": "", "start": "", "end": ""}]))
    assert response.status_code == 302
    assert response.url == reverse("project_step", args=[project.pk, "indicators"])
    assert [(m.order, m.content, m.start, m.end) for m in project.milestones.all()] == [
        (1, "总体概念规划", "2016", "2020"), (2, "核心区规划", "2021", "2021.07"),
    ]
    project.refresh_from_db()
    assert project.version == 2
    preview = laoting.get(reverse("project_step", args=[project.pk, "preview"])).text
    assert preview.index("总体概念规划") < preview.index("2020") < preview.index("核心区规划") < preview.index("2021.07")


def test_the_step_shows_the_saved_rows_and_two_empty_ones(laoting, project):
    laoting.post(_url(project), _rows(project, TWO))
    page = laoting.get(_url(project)).text
    assert page.count('data-testid="milestone-row"') == 4 + 1  # two saved, two empty, the template's
    assert 'value="核心区规划"' in page


def test_save_and_add_more_comes_back_with_two_more_empty_rows(laoting, project):
    response = laoting.post(_url(project), _rows(project, TWO, action="more"))
    assert response.status_code == 302 and response.url == _url(project)


def test_a_ticked_row_is_removed_on_save(laoting, project):
    laoting.post(_url(project), _rows(project, TWO))
    project.refresh_from_db()
    rows = [dict(TWO[0], DELETE="on"), TWO[1]]
    laoting.post(_url(project), _rows(project, rows))
    assert [m.content for m in project.milestones.all()] == ["核心区规划"]


def test_a_row_with_times_but_no_content_is_refused_and_everything_typed_stays(laoting, project):
    rows = [TWO[0], {"content": "", "start": "2022", "end": "2023"}]
    response = laoting.post(_url(project), _rows(project, rows))
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in response.text and "第2行：填写了时间时，实施内容不能为空" in response.text
    for typed in ('value="总体概念规划"', 'value="2022"', 'value="2023"'):
        assert typed in response.text
    assert not project.milestones.exists()


def test_a_content_too_long_is_a_form_error_not_a_500(laoting, project):
    response = laoting.post(_url(project), _rows(project, [{"content": "规" * 301, "start": "", "end": ""}]))
    assert response.status_code == 200 and "第1行项目实施内容" in response.text
    assert not project.milestones.exists()


def test_a_stale_save_gets_the_conflict_page_with_what_was_typed(laoting, project):
    laoting.post(_url(project), _rows(project, TWO))  # carries version 1
    stale = _rows(project, [{"content": "另一个窗口里写的内容", "start": "", "end": ""}])  # still version 1
    response = laoting.post(_url(project), stale)
    assert response.status_code == 409 and "另一个窗口里写的内容" in response.text
    assert [m.content for m in project.milestones.all()] == ["总体概念规划", "核心区规划"]


def test_a_save_without_a_version_saves_nothing(laoting, project):
    data = _rows(project, TWO)
    del data["version"]
    response = laoting.post(_url(project), data)
    assert response.status_code == 200 and drafts.MISSING_VERSION in response.text
    assert not project.milestones.exists()


@pytest.mark.parametrize("username", ["rugao-xfj", "laoting-czj", "rugao-czj"])
def test_people_who_may_not_edit_the_project_get_404(client, project, username):
    client.force_login(User.objects.get(username=username))
    assert client.get(_url(project)).status_code == 404
    assert client.post(_url(project), _rows(project, TWO)).status_code == 404
    assert not project.milestones.exists()


def test_a_submitted_project_shows_its_milestones_read_only_and_saves_nothing(laoting, project):
    ProjectMilestone.objects.create(project=project, order=1, content="已有内容")
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=Status.SUBMITTED)
    response = laoting.get(_url(project))
    assert "只能查看，不能修改" in response.text and 'value="已有内容"' in response.text
    assert "保存并继续" not in response.text
    laoting.post(_url(project), _rows(project, TWO))
    assert [m.content for m in project.milestones.all()] == ["已有内容"]


def test_the_service_refuses_a_submitted_project(project):
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=Status.SUBMITTED)
    project.refresh_from_db()
    with pytest.raises(drafts.NotEditable):
        drafts.project_milestones_save(user=User.objects.get(username="laoting-xfj"), project=project,
                                       version=project.version, milestones=TWO)
    assert not project.milestones.exists()
