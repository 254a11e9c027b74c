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


# --- item 2: paste anything into prose and goals ------------------------------------------------

@pytest.fixture
def laoting_draft(db):
    """A new 乐亭 project draft for 2026 (乐亭 numbers its 绩效目标 items when printing)."""
    source = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    return ProjectDeclaration.objects.create(
        unit_id=source.unit_id, year=BudgetYear.objects.get_or_create(year=2026)[0], name="新项目", budget=0,
    )


def test_pasted_numbering_is_removed_from_goal_items(client, laoting_draft):
    _login(client, "laoting-xfj").post(
        reverse("project_step", args=[laoting_draft.pk, "goals"]),
        {"version": laoting_draft.version, "goal_items_text": "1.1. 减少进京访\n（二）化解疑难问题\n3、维护稳定\n四、信访积案"},
    )
    assert [i.text for i in laoting_draft.goal_items.all()] == ["减少进京访", "化解疑难问题", "维护稳定", "信访积案"]


def test_a_goal_item_starting_with_a_decimal_number_keeps_it(client, laoting_draft):
    _login(client, "laoting-xfj").post(
        reverse("project_step", args=[laoting_draft.pk, "goals"]),
        {"version": laoting_draft.version, "goal_items_text": "1.5万人次接访\n2026年底前办结"},
    )
    assert [i.text for i in laoting_draft.goal_items.all()] == ["1.5万人次接访", "2026年底前办结"]


def _blocks(*blocks):
    """The 分项目标 formset's data: one (标题, 绩效目标, 绩效指标) per block."""
    data = {"subgoal-TOTAL_FORMS": str(len(blocks)), "subgoal-INITIAL_FORMS": "0"}
    for n, (title, goal, indicators) in enumerate(blocks):
        data.update({f"subgoal-{n}-title": title, f"subgoal-{n}-goal": goal, f"subgoal-{n}-indicators": indicators})
    return data


def _hebei_goals(client, *blocks, safeguards="", **extra):
    department = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    response = _login(client, "zunhua-xfj").post(
        reverse("department_step", args=[department.pk, "goals"]),
        {"version": department.version, "safeguards_text": safeguards, **_blocks(*blocks), **extra},
    )
    return department, response


def test_pasted_numbering_and_labels_are_removed_from_sub_goals(client, db):
    department, _ = _hebei_goals(client, ("（一）信访积案化解", "绩效目标：绩效目标：化解积案", "绩效指标：化解率≥90%"))
    goal = department.sub_goals.get()
    assert (goal.title, goal.goal, goal.indicators) == ("信访积案化解", "化解积案", "化解率≥90%")


def test_pasted_numbering_is_removed_from_safeguards(client, db):
    department, _ = _hebei_goals(client, ("标题", "目标", ""), safeguards="（一）加强组织领导\n2、强化督导")
    assert [s.text for s in department.safeguards.all()] == ["加强组织领导", "强化督导"]


def test_a_hebei_sub_goal_prints_its_number_once(client, db):
    department, _ = _hebei_goals(client, ("（一）信访积案化解", "绩效目标：化解积案", ""))
    response = client.get(reverse("department_step", args=[department.pk, "preview"]))
    assert "（一）信访积案化解" in response.text
    assert "（一）（一）" not in response.text and "绩效目标：绩效目标：" not in response.text


def test_the_hebei_goals_step_shows_each_sub_goal_as_a_block_and_two_empty_ones(client, db):
    department = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    response = _login(client, "zunhua-xfj").get(reverse("department_step", args=[department.pk, "goals"]))
    assert response.text.count('data-testid="sub-goal-block"') == department.sub_goals.count() + 2
    assert 'name="subgoal-0-title"' in response.text and "sub_goals_text" not in response.text


def test_sub_goal_blocks_left_empty_are_not_saved(client, db):
    department, _ = _hebei_goals(client, ("信访积案化解", "化解积案", ""), ("", "", ""))
    assert [g.title for g in department.sub_goals.all()] == ["信访积案化解"]


def test_a_sub_goal_block_without_its_goal_is_a_form_error(client, db):
    department, response = _hebei_goals(client, ("信访积案化解", "", "化解率≥90%"))
    assert response.status_code == 200
    assert "第1项分项目标需要填写标题和绩效目标" in response.text
    assert department.sub_goals.count() == 4


def test_saving_with_add_more_returns_to_the_goals_step(client, db):
    department, response = _hebei_goals(client, ("信访积案化解", "化解积案", ""), action="more")
    assert response.status_code == 302
    assert response.url == reverse("department_step", args=[department.pk, "goals"])


# --- item 5: duplicate codes are form errors; copying asks for the new code --------------------

DUPLICATE_CODE = "2025 年度已有项目编码为“13022525P00RERB10015T”的项目，请核对项目编码"


def test_a_new_project_with_a_duplicate_code_is_a_form_error(client, db):
    year = BudgetYear.objects.get(year=2025)
    response = _login(client, "laoting-xfj").post(
        reverse("project_new"), {"year": year.pk, "code": "13022525P00RERB10015T", "name": "另一个项目"},
    )
    assert response.status_code == 200
    assert DUPLICATE_CODE in response.text


def test_changing_a_project_code_to_a_duplicate_is_a_form_error(client, db):
    project = ProjectDeclaration.objects.filter(unit__name="乐亭县信访局本级", year__year=2025).exclude(
        code="13022525P00RERB10015T").first()
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=Status.DRAFT)
    response = _login(client, "laoting-xfj").post(
        reverse("project_step", args=[project.pk, "basic"]),
        {"version": project.version, "code": "13022525P00RERB10015T", "name": project.name},
    )
    assert response.status_code == 200
    assert DUPLICATE_CODE in response.text


def _copy(client, project, **data):
    return _login(client, "zunhua-xfj").post(
        reverse("project_copy", args=[project.pk]), {"year": "2025", "keep_money": "0", **data}
    )


def test_the_project_page_asks_for_the_new_project_code_when_copying(client, zunhua_project):
    response = _login(client, "zunhua-xfj").get(reverse("project_detail", args=[zunhua_project.pk]))
    assert 'name="code" maxlength="40" aria-label="新年度项目编码"' in response.text


def test_a_copied_project_takes_the_new_project_code(client, zunhua_project):
    _copy(client, zunhua_project, code="13028125P00096710001G")
    copy = ProjectDeclaration.objects.get(copied_from=zunhua_project)
    assert copy.code == "13028125P00096710001G"


def test_a_copied_project_without_a_new_code_does_not_keep_last_years(client, zunhua_project):
    _copy(client, zunhua_project)
    assert ProjectDeclaration.objects.get(copied_from=zunhua_project).code == ""


def test_copying_with_a_code_taken_in_the_target_year_is_a_form_error(client, zunhua_project):
    taken = ProjectDeclaration.objects.create(
        unit=zunhua_project.unit, year=BudgetYear.objects.get(year=2025), name="已有项目", code="X-2025", budget=0,
    )
    response = _copy(client, zunhua_project, code=taken.code)
    assert response.status_code == 200
    assert "2025 年度已有项目编码为“X-2025”的项目，请核对项目编码" in response.text
    assert not ProjectDeclaration.objects.filter(copied_from=zunhua_project).exists()


# --- item 5: the home page says what to do next -------------------------------------------------

def _home(client, username):
    return _login(client, username).get(reverse("home")).text


def test_a_returned_project_shows_the_reviewers_reason_on_the_home_page(client, zunhua_project, filler, reviewer):
    from review import services

    ProjectDeclaration.objects.filter(pk=zunhua_project.pk).update(status=Status.DRAFT)
    zunhua_project.refresh_from_db()
    services.declaration_submit(declaration=zunhua_project, user=filler)
    services.declaration_return(declaration=zunhua_project, user=reviewer, reason="指标需量化")
    text = _home(client, "zunhua-xfj")
    assert "退回理由：指标需量化" in text
    assert f'<a href="{reverse("project_step", args=[zunhua_project.pk, "basic"])}#returned">查看审核意见</a>' in text


def test_a_draft_offers_to_go_on_filling_on_the_home_page(client, db):
    department = _new_department(client, "laoting-xfj")
    text = _home(client, "laoting-xfj")
    assert (
        "草稿，继续填写后预览并提交 "
        f'<a href="{reverse("department_step", args=[department.pk, "profile"])}">去填写</a>'
    ) in text


def test_the_home_page_offers_to_copy_last_years_department_for_an_open_year_without_one(client, db):
    BudgetYear.objects.get_or_create(year=2026, defaults={"is_open": True})
    BudgetYear.objects.filter(year=2026).update(is_open=True)
    last = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    text = _home(client, "zunhua-xfj")
    assert f'action="{reverse("department_copy", args=[last.pk])}"' in text
    assert f"复制{last.year.year}年度的部门整体绩效目标" in text


def test_the_copy_button_on_the_home_page_makes_the_new_years_department(client, db):
    BudgetYear.objects.get_or_create(year=2026, defaults={"is_open": True})
    BudgetYear.objects.filter(year=2026).update(is_open=True)
    last = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    _login(client, "zunhua-xfj").post(reverse("department_copy", args=[last.pk]), {"year": "2026", "keep_money": "0"})
    assert DepartmentDeclaration.objects.filter(unit=last.unit, year__year=2026, copied_from=last).exists()


def test_the_home_page_offers_no_department_start_for_a_year_that_has_one(client, db):
    last = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    BudgetYear.objects.exclude(pk=last.year_id).update(is_open=False)
    BudgetYear.objects.filter(pk=last.year_id).update(is_open=True)
    assert 'data-testid="department-missing"' not in _home(client, "zunhua-xfj")
