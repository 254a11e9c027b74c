"""Random and hostile input to every form of both wizards and the review acts: the answer is a
page with a clear error or a saved value that reads back identical, never a 500, never a
partial write. Each example runs in a transaction that is rolled back afterwards."""
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from declarations.models import DepartmentDeclaration, ProjectDeclaration
from declarations.pasting import pasted_lines

HOSTILE_TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from([
        "", " ", "x" * 20000, "\u202e\u202dRTL", "😀🚀" * 40, "'; DROP TABLE declarations_indicator; --",
        "<script>alert(1)</script>", "{{ 7*7 }}", "=HYPERLINK(\"http://x\",\"y\")", "\x00", "\x07bell", "\r\n\t",
        "９５％", "≥９５％", "1,5", "1.5.5", "1e400", "-1", "99999999999999999999", "NaN", "Infinity", "０.５",
    ]),
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CASES = {"count": 0}


def _run(client, url, data, check):
    CASES["count"] += 1
    with transaction.atomic():
        response = client.post(url, data)
        assert response.status_code in (200, 302, 409), response.status_code
        check(response)
        transaction.set_rollback(True)


@pytest.fixture
def laoting(client, db):
    client.force_login(User.objects.get(username="laoting-xfj"))
    return client


@pytest.fixture
def project(db):
    return ProjectDeclaration.objects.get(code="13022525P00RERB10015T")


@SETTINGS
@given(name=HOSTILE_TEXT, code=HOSTILE_TEXT, title=HOSTILE_TEXT)
def test_the_basic_step_takes_any_text_or_says_why_not(laoting, project, name, code, title):
    def check(response):
        saved = ProjectDeclaration.objects.get(pk=project.pk)
        if response.status_code == 302:
            assert (saved.name, saved.code, saved.title_name) == (name.strip(), code.strip(), title.strip())
        else:
            assert saved.name == "信访专项资金"  # nothing written

    _run(laoting, reverse("project_step", args=[project.pk, "basic"]),
         {"version": project.version, "name": name, "code": code, "title_name": title}, check)


@SETTINGS
@given(budget=HOSTILE_TEXT, fiscal=HOSTILE_TEXT, other=HOSTILE_TEXT, purpose=HOSTILE_TEXT,
       plan=st.lists(HOSTILE_TEXT, min_size=4, max_size=4))
def test_the_funds_step_saves_only_money_that_adds_up(laoting, project, budget, fiscal, other, purpose, plan):
    data = {"version": project.version, "budget": budget, "fiscal_funds": fiscal, "other_funds": other,
            "purpose": purpose, **{f"plan_{n}": p for n, p in enumerate(plan)}}

    def check(response):
        saved = ProjectDeclaration.objects.get(pk=project.pk)
        if response.status_code == 302:
            assert saved.fiscal_funds + saved.other_funds == saved.budget
            assert saved.purpose == purpose.strip()
            percents = [p.percent for p in saved.spending_plan.all()]
            assert percents == sorted(percents) and percents[-1] == 100
        else:
            assert (saved.budget, saved.spending_plan.count()) == (Decimal("185"), 4)

    _run(laoting, reverse("project_step", args=[project.pk, "funds"]), data, check)


@SETTINGS
@given(goals=HOSTILE_TEXT)
def test_the_goals_step_keeps_goal_items_as_typed(laoting, project, goals):
    def check(response):
        if response.status_code == 302:
            expected = [line.strip() for line in goals.splitlines() if line.strip()]
            assert [g.text for g in ProjectDeclaration.objects.get(pk=project.pk).goal_items.all()] == expected

    _run(laoting, reverse("project_step", args=[project.pk, "goals"]),
         {"version": project.version, "goal_items_text": goals}, check)


@SETTINGS
@given(name=HOSTILE_TEXT, number=HOSTILE_TEXT, unit=HOSTILE_TEXT, text=HOSTILE_TEXT, quick=HOSTILE_TEXT,
       comparator=st.sampled_from(["≥", "≤", "=", ">", "<", "", "定性", "bogus"]),
       subcategory=st.one_of(st.just("own"), st.integers(min_value=-5, max_value=10**6).map(str), HOSTILE_TEXT))
def test_the_indicator_editor_never_saves_a_broken_row(laoting, project, name, number, unit, text, quick,
                                                     comparator, subcategory):
    own = project.indicators.first().subcategory_id
    data = {"version": project.version, "action": "save", "row": ["k1"], "k1-id": "",
            "k1-subcategory": str(own) if subcategory == "own" else subcategory, "k1-term": "annual",
            "k1-name": name, "k1-comparator": comparator, "k1-number": number, "k1-unit": unit, "k1-text": text,
            "k1-quick": quick}

    def check(response):
        indicators = list(ProjectDeclaration.objects.get(pk=project.pk).indicators.all())
        if response.status_code == 302:
            assert all(i.name for i in indicators)
            for indicator in indicators:
                assert (indicator.number is None) == (indicator.comparator == "定性")
        else:
            assert len(indicators) == 7  # the seed's rows, untouched

    _run(laoting, reverse("project_step", args=[project.pk, "indicators"]), data, check)


@SETTINGS
@given(values=st.lists(HOSTILE_TEXT, min_size=5, max_size=5))
def test_the_department_money_step_saves_numbers_or_says_why_not(client, db, values):
    client.force_login(User.objects.get(username="rugao-xfj"))
    dept = DepartmentDeclaration.objects.get(unit__name="如皋市信访局")
    keys = ["income-fiscal_general-amount", "expense-basic-amount", "expense-basic-half_year_amount",
            "expense-project-amount", "expense-project-half_year_amount"]

    def check(response):
        lines = list(DepartmentDeclaration.objects.get(pk=dept.pk).money_lines.all())
        if response.status_code != 302:
            assert len(lines) == 3 and sum(line.amount for line in lines) == Decimal("2103.84")
        assert all(line.amount >= 0 for line in lines)

    _run(client, reverse("department_step", args=[dept.pk, "money"]),
         {"version": dept.version, **dict(zip(keys, values))}, check)


@SETTINGS
@given(reason=HOSTILE_TEXT, text=HOSTILE_TEXT, target=HOSTILE_TEXT,
       criterion=st.sampled_from(["完整性", "相关性", "适当性", "可行性", "", "bogus"]),
       result=st.sampled_from(["fair", "poor", "excellent", "bogus", ""]))
def test_the_review_return_saves_a_whole_review_or_nothing(client, db, reason, text, target, criterion, result):
    from review import services
    from review.models import Review

    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    with transaction.atomic():
        services.declaration_submit(declaration=project, user=User.objects.get(username="zunhua-xfj"))
        client.force_login(User.objects.get(username="zunhua-czj"))
        CASES["count"] += 1
        response = client.post(reverse("review_act", args=["project", project.pk, "return"]),
                               {"reason": reason, "result": result, "target_0": target, "criterion_0": criterion,
                                "text_0": text})
        assert response.status_code == 302
        project.refresh_from_db()
        reviews = list(Review.objects.filter(project=project))
        if project.status == "returned":
            assert len(reviews) == 1 and reviews[0].reason == reason.strip()
        else:
            assert project.status == "submitted" and reviews == []
        transaction.set_rollback(True)


@SETTINGS
@given(name=HOSTILE_TEXT, functions=HOSTILE_TEXT, organisation=HOSTILE_TEXT, overall=HOSTILE_TEXT,
       sub_goals=HOSTILE_TEXT, safeguards=HOSTILE_TEXT, end_year=HOSTILE_TEXT)
def test_the_department_profile_and_goals_steps_save_or_say_why(client, db, name, functions, organisation, overall,
                                                                sub_goals, safeguards, end_year):
    client.force_login(User.objects.get(username="zunhua-xfj"))
    dept = DepartmentDeclaration.objects.get(unit__code="455")

    def check_profile(response):
        saved = DepartmentDeclaration.objects.get(pk=dept.pk)
        if response.status_code == 302:
            assert saved.department_name == name.strip()
        else:
            assert saved.department_name == "遵化市信访局"

    def check_goals(response):
        saved = DepartmentDeclaration.objects.get(pk=dept.pk)
        if response.status_code == 302:
            assert saved.overall_goal == overall.strip()
            assert [m.text for m in saved.safeguards.all()] == pasted_lines(safeguards)
        else:
            assert saved.sub_goals.count() == 4 and saved.safeguards.count() == 9

    _run(client, reverse("department_step", args=[dept.pk, "profile"]),
         {"version": dept.version, "department_name": name, "compiled_by": organisation}, check_profile)
    _run(client, reverse("department_step", args=[dept.pk, "goals"]),
         {"version": dept.version, "overall_goal": overall, "subgoal-TOTAL_FORMS": "1", "subgoal-INITIAL_FORMS": "0",
          "subgoal-0-title": sub_goals, "subgoal-0-goal": sub_goals, "safeguards_text": safeguards}, check_goals)


@SETTINGS
@given(functions=HOSTILE_TEXT, tasks=HOSTILE_TEXT, end_year=HOSTILE_TEXT, phone=HOSTILE_TEXT, day=HOSTILE_TEXT)
def test_the_hubei_department_steps_save_or_say_why(client, db, functions, tasks, end_year, phone, day):
    client.force_login(User.objects.get(username="yangxin-xfj"))
    dept = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")

    def check(response):
        saved = DepartmentDeclaration.objects.get(pk=dept.pk)
        if response.status_code == 302:
            assert saved.filler_phone == phone.strip() and saved.functions == functions.strip()
        else:
            assert saved.filler_phone == "18772357812"

    _run(client, reverse("department_step", args=[dept.pk, "profile"]),
         {"version": dept.version, "department_name": "阳新县信访局", "filler_name": "徐子昂", "filler_phone": phone,
          "fill_date": day, "functions": functions}, check)
    _run(client, reverse("department_step", args=[dept.pk, "goals"]),
         {"version": dept.version, "annual_tasks": tasks, "long_term_end_year": end_year}, lambda response: None)


def test_zz_report_the_number_of_fuzz_cases(capsys):
    with capsys.disabled():
        print(f"\nfuzzed form submissions: {CASES['count']}")
    assert CASES["count"] >= 400
