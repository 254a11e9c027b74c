"""The fill-in wizards through Django's test client: steps, errors that keep input, scope."""
from decimal import Decimal

import pytest
from django.urls import reverse

from declarations.models import BudgetYear, DepartmentDeclaration, Indicator, ProjectDeclaration, Status


@pytest.fixture
def laoting(db, client):
    from accounts.models import User

    client.force_login(User.objects.get(username="laoting-xfj"))
    return client


@pytest.fixture
def draft(db):
    """A new 乐亭 project for 2026, created as the wizard's first step would."""
    project = ProjectDeclaration.objects.create(
        unit_id=ProjectDeclaration.objects.get(code="13022525P00RERB10015T").unit_id,
        year=BudgetYear.objects.get_or_create(year=2026)[0],
        name="信访专项资金",
        code="13022525P00RERB10015T",
        budget=Decimal("0"),
    )
    return project


def _funds(project, **changes):
    data = {
        "version": project.version, "budget": "185", "fiscal_funds": "185", "other_funds": "0",
        "purpose": "减少进京访、赴省访、到市访量，化解各种疑难问题，维护社会稳定",
        "plan_0": "25", "plan_1": "50", "plan_2": "75", "plan_3": "100",
    }
    data.update(changes)
    return data


def test_a_filler_creates_a_project_draft_from_the_first_step(laoting):
    response = laoting.post(
        reverse("project_new"),
        {"year": BudgetYear.objects.get_or_create(year=2026)[0].pk, "code": "X-1", "name": "新项目", "title_name": ""},
    )
    project = ProjectDeclaration.objects.get(name="新项目")
    assert response.status_code == 302 and response.url == reverse("project_step", args=[project.pk, "funds"])
    assert (project.status, project.year.year, project.unit.code) == (Status.DRAFT, 2026, "482001")


def test_a_project_needs_a_name(laoting):
    response = laoting.post(reverse("project_new"), {"year": BudgetYear.objects.get(year=2025).pk, "code": "X-2"})
    assert response.status_code == 200
    assert "项目名称" in response.text and "这个字段是必填项" in response.text
    assert 'value="X-2"' in response.text
    assert not ProjectDeclaration.objects.filter(code="X-2").exists()


def test_the_funds_step_saves_money_and_spending_plan(laoting, draft):
    response = laoting.post(reverse("project_step", args=[draft.pk, "funds"]), _funds(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.budget, draft.fiscal_funds, draft.version) == (Decimal("185"), Decimal("185"), 2)
    assert [(p.label, p.percent) for p in draft.spending_plan.all()] == [
        ("3月底", 25), ("6月底", 50), ("10月底", 75), ("12月底", 100),
    ]


def test_money_that_does_not_add_up_is_refused_and_everything_typed_stays(laoting, draft):
    response = laoting.post(reverse("project_step", args=[draft.pk, "funds"]), _funds(draft, fiscal_funds="180"))
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in response.text
    assert "≠ 预算数 185 万元" in response.text
    for typed in ('value="180"', 'value="185"', "减少进京访、赴省访、到市访量", 'value="75"'):
        assert typed in response.text
    draft.refresh_from_db()
    assert (draft.budget, draft.version, draft.spending_plan.count()) == (Decimal("0"), 1, 0)


def test_a_spending_plan_that_goes_down_is_refused(laoting, draft):
    response = laoting.post(reverse("project_step", args=[draft.pk, "funds"]), _funds(draft, plan_2="40"))
    assert response.status_code == 200
    assert "资金支出计划" in response.text or "累计" in response.text
    assert draft.spending_plan.count() == 0


def test_a_stale_save_shows_a_conflict_page_with_what_was_typed(laoting, draft):
    laoting.post(reverse("project_step", args=[draft.pk, "funds"]), _funds(draft))
    stale = _funds(draft, purpose="另一个窗口里写的用途")  # still carries version 1
    response = laoting.post(reverse("project_step", args=[draft.pk, "funds"]), stale)
    assert response.status_code == 409
    assert "另一个窗口里写的用途" in response.text
    saved = response.text[response.text.index("另一个窗口里写的用途"):]
    assert "减少进京访、赴省访、到市访量" in saved  # what is saved now, beside it
    draft.refresh_from_db()
    assert draft.purpose.startswith("减少进京访")


def test_the_goals_step_saves_numbered_goal_items(laoting, draft):
    response = laoting.post(
        reverse("project_step", args=[draft.pk, "goals"]),
        {"version": draft.version, "goal_items_text": "减少进京访、赴省访、到市访量\n\n化解各种疑难问题，维护社会稳定\n"},
    )
    assert response.status_code == 302
    assert [i.text for i in draft.goal_items.all()] == ["减少进京访、赴省访、到市访量", "化解各种疑难问题，维护社会稳定"]


def test_steps_can_be_visited_in_any_order_and_show_progress(laoting, draft):
    response = laoting.get(reverse("project_step", args=[draft.pk, "indicators"]))
    assert response.status_code == 200
    assert 'data-testid="progress"' in response.text
    for label in ("基本信息", "资金", "目标", "绩效指标", "预览与提交"):
        assert label in response.text


@pytest.mark.parametrize("username", ["rugao-xfj", "rugao-czj", "laoting-czj"])
def test_people_who_may_not_edit_the_draft_get_404(client, draft, username):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    for step in ("basic", "funds", "indicators", "preview"):
        assert client.get(reverse("project_step", args=[draft.pk, step])).status_code == 404


def test_a_submitted_project_is_read_only_for_its_filler(laoting, draft):
    ProjectDeclaration.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    response = laoting.get(reverse("project_step", args=[draft.pk, "funds"]))
    assert response.status_code == 200 and "只能查看，不能修改" in response.text
    laoting.post(reverse("project_step", args=[draft.pk, "funds"]), _funds(draft))
    draft.refresh_from_db()
    assert draft.budget == 0


# --- indicators ---------------------------------------------------------------------------

def _subcategory(project, name):
    framework = project.unit.bureau.layout.frameworks.get(table_kind="project")
    return next(s for c in framework.categories.all() for s in c.subcategories.all() if s.name == name)


def _row(key, sub, **fields):
    data = {"row": key, f"{key}-subcategory": str(sub.pk), f"{key}-term": "annual", f"{key}-id": ""}
    data.update({f"{key}-{name}": value for name, value in fields.items()})
    return data


def _post_rows(client, project, rows, action="save"):
    data = {"version": project.version, "action": action, "row": []}
    for row in rows:
        data["row"].append(row.pop("row"))
        data.update(row)
    return client.post(reverse("project_step", args=[project.pk, "indicators"]), data)


def test_the_editor_adds_a_row_without_saving(laoting, draft):
    sub = _subcategory(draft, "数量指标")
    response = _post_rows(laoting, draft, [], action=f"add:annual:{sub.pk}")
    assert response.status_code == 200
    assert response.text.count('name="row"') == 1
    assert draft.indicators.count() == 0


def test_a_whole_value_typed_in_one_box_is_split_into_its_parts(laoting, draft):
    sub = _subcategory(draft, "服务对象满意度指标")
    response = _post_rows(laoting, draft, [_row("k1", sub, name="信访群众及相关单位满意度", quick="≥９０％")], action="parse:k1")
    assert 'value="≥"' in response.text or '<option value="≥" selected' in response.text
    assert 'name="k1-number" value="90"' in response.text
    assert "<strong>≥90%</strong>" in response.text


def test_a_value_that_does_not_parse_is_said_plainly(laoting, draft):
    sub = _subcategory(draft, "数量指标")
    response = _post_rows(laoting, draft, [_row("k1", sub, name="重点地区访量", quick="≤十批次")])
    assert "比较符号后应为数字和单位" in response.text
    assert draft.indicators.count() == 0


def test_saving_indicators_stores_them_in_page_order(laoting, draft):
    quantity, quality = _subcategory(draft, "数量指标"), _subcategory(draft, "质量指标")
    response = _post_rows(laoting, draft, [
        _row("a", quantity, name="重点地区访量", description="重点地区访量", comparator="≤", number="10", unit="批次"),
        _row("b", quality, name="上级交办案件按期结案率", quick="≤100%"),
        _row("c", quantity, name="第二个数量指标", comparator="定性", text="有效改善"),
    ])
    assert response.status_code == 302
    saved = [(i.subcategory.name, i.name, i.value_display, i.order) for i in draft.indicators.order_by("order")]
    assert saved == [
        ("数量指标", "重点地区访量", "≤10批次", 1),
        ("质量指标", "上级交办案件按期结案率", "≤100%", 2),
        ("数量指标", "第二个数量指标", "有效改善", 3),
    ]


def test_an_invalid_row_saves_nothing_and_keeps_every_row(laoting, draft):
    sub = _subcategory(draft, "数量指标")
    response = _post_rows(laoting, draft, [
        _row("a", sub, name="重点地区访量", comparator="≤", number="10", unit="批次"),
        _row("b", sub, name="", comparator="定性", text="有效改善"),
    ])
    assert response.status_code == 200
    assert "请填写三级指标名称" in response.text
    assert 'value="重点地区访量"' in response.text and 'value="有效改善"' in response.text
    assert draft.indicators.count() == 0


def test_moving_a_row_up_changes_its_place_within_its_subcategory(laoting, draft):
    sub = _subcategory(draft, "数量指标")
    response = _post_rows(laoting, draft, [
        _row("a", sub, name="第一", comparator="定性", text="甲"), _row("b", sub, name="第二", comparator="定性", text="乙"),
    ], action="up:b")
    assert response.text.index('value="第二"') < response.text.index('value="第一"')


def test_removing_a_row_drops_it_from_the_form(laoting, draft):
    sub = _subcategory(draft, "数量指标")
    response = _post_rows(laoting, draft, [
        _row("a", sub, name="留下", comparator="定性", text="甲"), _row("b", sub, name="删掉", comparator="定性", text="乙"),
    ], action="remove:b")
    assert 'value="留下"' in response.text and 'value="删掉"' not in response.text


def test_a_library_indicator_fills_name_description_value_and_basis(laoting, draft):
    from indicators.models import LibraryIndicator

    entry = LibraryIndicator.objects.get(subcategory_name="成本指标", name="信访费用支出")
    sub = _subcategory(draft, "成本指标")
    response = _post_rows(laoting, draft, [_row("a", sub, library=str(entry.pk))], action="library:a")
    assert 'value="信访费用支出"' in response.text
    assert "<strong>≤185万元</strong>" in response.text


def _publish_the_zunhua_project_with(indicator_name):
    from accounts.models import User
    from public.services import declaration_publish
    from review.services import declaration_approve, declaration_submit

    project = ProjectDeclaration.objects.filter(unit__code="455", indicators__name=indicator_name).first()
    filler, reviewer = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    project = declaration_approve(declaration=declaration_submit(declaration=project, user=filler), user=reviewer)
    return declaration_publish(declaration=project, user=reviewer)


def test_published_declarations_of_other_units_show_as_reference_values(laoting, draft):
    _publish_the_zunhua_project_with("信访事项受理及时率")
    sub = _subcategory(draft, "时效指标")
    response = _post_rows(laoting, draft, [_row("a", sub, name="信访事项受理及时率", quick="≥95%")], action="parse:a")
    assert 'data-testid="references"' in response.text
    assert "遵化市信访局 2024年：≥95%（遵办字[2019]28号）" in response.text


def test_approved_but_unpublished_declarations_give_no_reference_values(laoting, draft, reviewer):
    ProjectDeclaration.objects.filter(unit__code="455").update(status=Status.APPROVED)
    sub = _subcategory(draft, "时效指标")
    response = _post_rows(laoting, draft, [_row("a", sub, name="信访事项受理及时率", quick="≥95%")], action="parse:a")
    assert "遵化市信访局 2024年" not in response.text


def test_a_withdrawn_table_gives_no_reference_values(laoting, draft, reviewer):
    from public.services import declaration_unpublish

    published = _publish_the_zunhua_project_with("信访事项受理及时率")
    declaration_unpublish(declaration=published, user=reviewer, reason="数据有误")
    sub = _subcategory(draft, "时效指标")
    response = _post_rows(laoting, draft, [_row("a", sub, name="信访事项受理及时率", quick="≥95%")], action="parse:a")
    assert "遵化市信访局 2024年" not in response.text


def test_the_live_preview_composes_the_printed_value(laoting):
    response = laoting.get(reverse("value_preview"), {"key": "k", "k-comparator": "≤", "k-number": "180", "k-unit": "万元"})
    assert response.text == "<strong>≤180万元</strong>"


def test_the_editor_answers_htmx_with_the_editor_alone(laoting, draft):
    sub = _subcategory(draft, "数量指标")
    data = {"version": draft.version, "action": f"add:annual:{sub.pk}"}
    response = laoting.post(reverse("project_step", args=[draft.pk, "indicators"]), data, HTTP_HX_REQUEST="true")
    assert response.text.lstrip().startswith("<div id=\"indicator-editor\">")


# --- preview, submit, copy ----------------------------------------------------------------

def test_the_preview_prints_the_layout_table_and_lists_errors_and_hints(laoting):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    response = laoting.get(reverse("project_step", args=[project.pk, "preview"]))
    assert response.status_code == 200
    assert "2.信访专项资金绩效目标表" in response.text
    assert 'data-testid="hints"' in response.text and "预算资金执行率" in response.text
    assert 'data-testid="errors"' not in response.text


def test_a_valid_project_is_submitted_and_then_locked(laoting):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    response = laoting.post(reverse("project_submit", args=[project.pk]))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.SUBMITTED
    response = laoting.get(reverse("project_step", args=[project.pk, "funds"]))
    assert "只能查看，不能修改" in response.text


def test_a_project_with_errors_cannot_be_submitted(laoting, draft):
    response = laoting.post(reverse("project_submit", args=[draft.pk]), follow=True)
    assert "需要修改后才能提交" in response.text
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_copying_a_project_to_next_year_opens_the_new_draft(laoting):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    response = laoting.post(reverse("project_copy", args=[project.pk]), {"year": "2026", "keep_money": "0"})
    copy = ProjectDeclaration.objects.get(copied_from=project, year__year=2026)
    assert response.url == reverse("project_step", args=[copy.pk, "basic"])
    assert (copy.budget, copy.indicators.count(), copy.copied_from_id) == (None, 7, project.pk)


# --- department ---------------------------------------------------------------------------

def test_the_department_wizard_saves_income_and_expense_lines(client, db):
    from accounts.models import User

    client.force_login(User.objects.get(username="rugao-xfj"))
    dept = DepartmentDeclaration.objects.get(unit__name="如皋市信访局")
    data = {"version": dept.version, "income-fiscal_general-amount": "1051.92",
            "expense-basic-amount": "866.92", "expense-basic-half_year_amount": "433.46",
            "expense-project-amount": "185", "expense-project-half_year_amount": "92.5"}
    response = client.post(reverse("department_step", args=[dept.pk, "money"]), data)
    assert response.status_code == 302
    assert sorted((l.kind, l.amount) for l in dept.money_lines.all()) == [
        ("basic", Decimal("866.92")), ("fiscal_general", Decimal("1051.92")), ("project", Decimal("185")),
    ]


def test_a_department_whose_income_and_expense_differ_cannot_be_submitted(client, db):
    from accounts.models import User

    client.force_login(User.objects.get(username="rugao-xfj"))
    dept = DepartmentDeclaration.objects.get(unit__name="如皋市信访局")
    dept.money_lines.filter(kind="basic").update(amount=Decimal("800"))
    response = client.get(reverse("department_step", args=[dept.pk, "preview"]))
    assert 'data-testid="errors"' in response.text
    client.post(reverse("department_submit", args=[dept.pk]))
    dept.refresh_from_db()
    assert dept.status == Status.DRAFT


def test_the_project_summary_step_sums_the_units_projects(client, db):
    from accounts.models import User

    client.force_login(User.objects.get(username="yangxin-xfj"))
    dept = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")
    response = client.get(reverse("department_step", args=[dept.pk, "projects"]))
    assert '<td class="text-end" data-testid="projects-total">33</td>' in response.text


def test_the_hubei_department_edits_long_term_and_annual_indicators(client, db):
    from accounts.models import User

    client.force_login(User.objects.get(username="yangxin-xfj"))
    dept = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")
    grid = client.get(reverse("department_step", args=[dept.pk, "indicators"])).context["grid"]
    assert [t["label"] for t in grid["terms"]] == ["长期", "年度"]
    assert {r["term"] for r in grid["rows"]} == {"long", "annual"}
    assert len(grid["rows"]) == Indicator.objects.filter(department=dept).count() == 81
    response = client.get(reverse("department_step", args=[dept.pk, "indicators"]) + "?form=1")
    assert "长期绩效指标" in response.text and "年度绩效指标" in response.text
    assert response.text.count('name="row"') == 81


def test_a_filler_starts_a_department_declaration_for_an_open_year(client, db):
    from accounts.models import User

    client.force_login(User.objects.get(username="guyuan-xfj"))
    year = BudgetYear.objects.get_or_create(year=2026)[0]
    response = client.post(reverse("department_new"), {"year": year.pk})
    dept = DepartmentDeclaration.objects.get(unit__name="固原市信访局", year=year)
    assert response.url == reverse("department_step", args=[dept.pk, "profile"])


def test_a_wizard_step_reads_a_bounded_number_of_queries(laoting, django_assert_max_num_queries):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    with django_assert_max_num_queries(20):
        laoting.get(reverse("project_step", args=[project.pk, "indicators"]))


# --- versions: every step says which version it was made from ------------------------------

MISSING_VERSION = "页面没有带上有效的版本号，无法确认您是在最新内容上修改的，本次没有保存。请刷新页面后重新填写。"
STEPS = [
    ("laoting-xfj", "project", "basic"), ("laoting-xfj", "project", "funds"), ("laoting-xfj", "project", "goals"),
    ("laoting-xfj", "project", "indicators"), ("rugao-xfj", "department", "profile"),
    ("rugao-xfj", "department", "money"), ("rugao-xfj", "department", "goals"),
    ("rugao-xfj", "department", "indicators"),
]


def _opened_step(client, username, kind, step):
    """Log in, open the step and return (declaration, url, the form's data as the page would post it)."""
    from accounts.models import User

    user = User.objects.get(username=username)
    client.force_login(user)
    model = ProjectDeclaration if kind == "project" else DepartmentDeclaration
    declaration = model.objects.filter(unit=user.unit, status=Status.DRAFT).first()
    url = reverse(f"{kind}_step", args=[declaration.pk, step])
    context = client.get(url + ("?form=1" if step == "indicators" else "")).context  # the form, not the grid
    if step == "indicators":
        data = {"action": "save", "row": [], "version": context["version"]}
        for _label, _term, groups in context["term_groups"]:
            for group in groups:
                for row in group.rows:
                    data["row"].append(row.key)
                    data.update({f"{row.key}-subcategory": row.subcategory_id, f"{row.key}-term": row.term,
                                 f"{row.key}-id": row.id, f"{row.key}-name": row.name,
                                 f"{row.key}-comparator": row.comparator, f"{row.key}-number": row.number,
                                 f"{row.key}-unit": row.unit, f"{row.key}-text": row.text})
    else:
        data = {bound.html_name: bound.value() for bound in context["form"] if bound.value() is not None}
    return declaration, url, data


@pytest.mark.parametrize("username,kind,step", STEPS)
@pytest.mark.parametrize("version", [None, "", "abc", "-1", "99999999999999999999"])
def test_a_step_posted_without_a_usable_version_saves_nothing_and_says_why(client, db, username, kind, step, version):
    declaration, url, data = _opened_step(client, username, kind, step)
    assert data["version"] == declaration.version  # the page carries it
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = client.post(url, data)
    assert response.status_code == 200
    assert MISSING_VERSION in response.text
    declaration.refresh_from_db()
    assert declaration.version == 1


@pytest.mark.parametrize("username,kind,step", STEPS)
def test_a_step_posted_from_a_stale_version_gets_the_conflict_page(client, db, username, kind, step):
    declaration, url, data = _opened_step(client, username, kind, step)
    type(declaration).objects.filter(pk=declaration.pk).update(version=2)  # saved in another window meanwhile
    response = client.post(url, data)
    assert response.status_code == 409
    assert "这份申报已被他人（或您在另一个窗口）修改并保存" in response.text
    declaration.refresh_from_db()
    assert declaration.version == 2


def test_an_editor_action_keeps_the_version_the_rows_were_made_from(laoting, draft):
    sub = _subcategory(draft, "数量指标")
    ProjectDeclaration.objects.filter(pk=draft.pk).update(version=2)  # saved in another window meanwhile
    response = _post_rows(laoting, draft, [], action=f"add:annual:{sub.pk}")  # the page still says version 1
    assert '<input type="hidden" name="version" value="1">' in response.text


# --- the admin site writes declarations too -------------------------------------------------

def _admin_opened(client, administrator, obj):
    """Log in as administrator, open the change page of `obj`; (url, the data the page would post)."""
    client.force_login(administrator)
    url = reverse(f"admin:declarations_{obj._meta.model_name}_change", args=[obj.pk])
    context = client.get(url).context
    forms = [context["adminform"].form]
    data = {}
    for inline in context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is not None:
                data[bound.html_name] = value
    return url, data


def _admin_targets():
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    return {
        "project": (project, project),
        "department": (DepartmentDeclaration.objects.get(unit__name="如皋市信访局"),) * 2,
        "indicator": (project.indicators.first(), project),
    }


@pytest.mark.parametrize("target", ["project", "department", "indicator"])
@pytest.mark.parametrize("version", [None, "x"])
def test_an_admin_change_without_a_usable_version_saves_nothing(client, administrator, target, version):
    obj, declaration = _admin_targets()[target]
    url, data = _admin_opened(client, administrator, obj)
    assert data["declaration_version"] == declaration.version
    if version is None:
        del data["declaration_version"]
    else:
        data["declaration_version"] = version
    response = client.post(url, data)
    assert response.status_code == 200 and MISSING_VERSION in response.text
    declaration.refresh_from_db()
    assert declaration.version == 1


@pytest.mark.parametrize("target", ["project", "department", "indicator"])
def test_an_admin_change_from_a_stale_version_saves_nothing(client, administrator, target):
    obj, declaration = _admin_targets()[target]
    url, data = _admin_opened(client, administrator, obj)
    type(declaration).objects.filter(pk=declaration.pk).update(version=2)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "这份申报在您打开本页之后已被修改并保存，本次没有保存。" in response.text
    declaration.refresh_from_db()
    assert declaration.version == 2


@pytest.mark.parametrize("target", ["project", "department", "indicator"])
def test_an_admin_change_from_the_current_version_is_saved_and_bumps_it(client, administrator, target):
    obj, declaration = _admin_targets()[target]
    url, data = _admin_opened(client, administrator, obj)
    response = client.post(url, data)
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.version == 2
