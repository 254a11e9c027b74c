import pytest
from django.urls import reverse

from declarations.models import DepartmentDeclaration, ProjectDeclaration


def test_the_login_page_is_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "用户名" in response.text and "密码" in response.text


def test_a_wrong_password_keeps_the_username_and_says_so(client, db):
    response = client.post(reverse("login"), {"username": "zunhua-xfj", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text
    assert 'value="zunhua-xfj"' in response.text


def test_a_filler_logs_in_and_lands_on_the_home_page(client, db):
    response = client.post(
        reverse("login"), {"username": "zunhua-xfj", "password": "xinfang-demo-2026"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "遵化市信访局的绩效目标申报" in response.text


def test_anonymous_visitors_are_sent_to_the_login_page(client, zunhua_project):
    for url in (reverse("home"), reverse("project_detail", args=[zunhua_project.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_filler_sees_only_their_units_declarations(client, filler):
    client.force_login(filler)
    response = client.get(reverse("home"))
    assert "驻京信访工作经费" in response.text
    assert "信访维稳专项工作经费" in response.text
    assert "联席会办信访资金" not in response.text
    assert "解决特殊疑难问题资金" not in response.text
    assert "2024年度" in response.text and "data-year=\"2025\"" not in response.text


def test_a_reviewer_sees_the_units_of_their_bureau_only(client, other_reviewer):
    client.force_login(other_reviewer)
    response = client.get(reverse("home"))
    assert "如皋市信访局部门整体绩效目标" in response.text
    assert "信访驻外应急小组费用" in response.text
    assert "驻京信访工作经费" not in response.text


def test_an_administrator_sees_every_document(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("home"))
    for year in (2021, 2024, 2025, 2026):
        assert f"{year}年度" in response.text


def test_the_home_page_query_count_does_not_grow_with_the_declarations(client, administrator, django_assert_max_num_queries):
    client.force_login(administrator)
    with django_assert_max_num_queries(8):
        client.get(reverse("home"))


def test_the_owner_reads_a_project_with_its_indicators(client, filler, zunhua_project):
    client.force_login(filler)
    response = client.get(reverse("project_detail", args=[zunhua_project.pk]))
    assert response.status_code == 200
    for text in ("13028124P00096710001G", "驻京信访工作经费", "216", "有效化解信访完成率", "≥95%", "遵办字[2019]28号", "30%"):
        assert text in response.text


def test_the_reviewer_of_the_bureau_reads_the_project(client, reviewer, zunhua_project):
    client.force_login(reviewer)
    assert client.get(reverse("project_detail", args=[zunhua_project.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["other_filler", "other_reviewer"])
def test_another_units_project_answers_404(client, request, persona, zunhua_project):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("project_detail", args=[zunhua_project.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["other_filler", "other_reviewer"])
def test_another_units_department_declaration_answers_404(client, db, request, persona):
    dept = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("department_detail", args=[dept.pk])).status_code == 404


def test_the_department_page_shows_goals_money_and_both_indicator_tables(client, administrator):
    dept = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")
    client.force_login(administrator)
    response = client.get(reverse("department_detail", args=[dept.pk]))
    assert response.status_code == 200
    for text in ("长期绩效指标", "年度绩效指标", "公用经费控制率", "83.99%", "徐子昂", "信访专项工作经费", "（截止2029年）"):
        assert text in response.text


def test_user_text_is_escaped_on_the_project_page(client, filler, zunhua_project):
    zunhua_project.purpose = '<script>alert("x")</script>'
    zunhua_project.save()
    client.force_login(filler)
    response = client.get(reverse("project_detail", args=[zunhua_project.pk]))
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert" in response.text


def test_a_missing_project_answers_404(client, administrator):
    client.force_login(administrator)
    missing = (ProjectDeclaration.objects.order_by("-pk").first().pk or 0) + 1000
    assert client.get(reverse("project_detail", args=[missing])).status_code == 404


def test_the_reviewer_sees_the_review_hints_on_the_project_page(client, db):
    from accounts.models import User

    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    client.force_login(User.objects.get(username="laoting-czj"))
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert 'data-testid="findings"' in response.text
    assert "预算资金执行率" in response.text and "〔相关性〕" in response.text


def test_the_owner_finds_edit_and_copy_buttons_on_the_project_page(client, filler, zunhua_project):
    client.force_login(filler)
    response = client.get(reverse("project_detail", args=[zunhua_project.pk]))
    assert reverse("project_step", args=[zunhua_project.pk, "basic"]) in response.text
    assert reverse("project_copy", args=[zunhua_project.pk]) in response.text
    assert '<option value="2025">2025年度</option>' in response.text and "复制到所选年度" in response.text


def test_a_reviewer_gets_no_edit_or_copy_buttons(client, reviewer, zunhua_project):
    client.force_login(reviewer)
    response = client.get(reverse("project_detail", args=[zunhua_project.pk]))
    assert reverse("project_step", args=[zunhua_project.pk, "basic"]) not in response.text
    assert "复制到" not in response.text
