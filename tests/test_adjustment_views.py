"""目标调整 through its pages: who may start one, what the filler and the reviewer see."""
import pytest
from django.urls import reverse

from declarations.models import DepartmentDeclaration, ProjectDeclaration, Status
from public import services as publishing
from review import services
from review.models import Event

REASON = "预算调整：追加驻京工作经费"


def _fresh(declaration):
    return type(declaration).objects.get(pk=declaration.pk)


def _approve(declaration, filler, reviewer):
    declaration = services.declaration_submit(declaration=declaration, user=filler)
    return services.declaration_approve(declaration=declaration, user=reviewer)


@pytest.fixture
def approved(zunhua_project, filler, reviewer):
    return _approve(zunhua_project, filler, reviewer)


@pytest.fixture
def approved_department(zunhua_unit, filler, reviewer):
    return _approve(DepartmentDeclaration.objects.get(unit=zunhua_unit, year__year=2024), filler, reviewer)


def _post_adjust(client, declaration, kind="project", **data):
    payload = {"reason": REASON, "version": declaration.version, **data}
    return client.post(reverse(f"{kind}_adjust", args=[declaration.pk]), payload)


def test_the_filler_starts_an_adjustment_and_lands_in_the_wizard(client, filler, approved):
    client.force_login(filler)
    response = _post_adjust(client, approved)
    assert response.status_code == 302 and response.url == reverse("project_step", args=[approved.pk, "basic"])
    stored = _fresh(approved)
    assert stored.status == Status.ADJUSTING and stored.adjustment_reason == REASON


def test_the_filler_adjusts_a_department_declaration_too(client, filler, approved_department):
    client.force_login(filler)
    response = _post_adjust(client, approved_department, kind="department")
    assert response.url == reverse("department_step", args=[approved_department.pk, "profile"])
    assert _fresh(approved_department).status == Status.ADJUSTING


def test_an_adjustment_without_a_reason_is_refused_with_a_message(client, filler, approved):
    client.force_login(filler)
    response = _post_adjust(client, approved, reason="")
    assert response.url == reverse("project_detail", args=[approved.pk])
    page = client.get(response.url).text
    assert "请填写调整原因" in page
    assert _fresh(approved).status == Status.APPROVED


def test_an_adjustment_from_a_stale_page_is_refused_with_the_conflict_message(client, filler, approved):
    client.force_login(filler)
    response = _post_adjust(client, approved, version=approved.version - 1 or 99)
    assert "已被他人" in client.get(response.url).text
    assert _fresh(approved).status == Status.APPROVED


def test_another_units_filler_gets_404(client, other_filler, approved):
    client.force_login(other_filler)
    assert _post_adjust(client, approved).status_code == 404
    assert _fresh(approved).status == Status.APPROVED


def test_the_reviewer_cannot_start_an_adjustment(client, reviewer, approved):
    client.force_login(reviewer)
    response = _post_adjust(client, approved)
    assert response.status_code == 302
    assert "只有本单位的填报人可以调整" in client.get(response.url).text
    assert _fresh(approved).status == Status.APPROVED


def test_anonymous_visitors_are_sent_to_log_in(client, approved):
    response = _post_adjust(client, approved)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert _fresh(approved).status == Status.APPROVED


def test_the_detail_page_offers_the_adjustment_to_the_units_filler_only(client, filler, reviewer, approved):
    client.force_login(filler)
    assert 'data-testid="adjust"' in client.get(reverse("project_detail", args=[approved.pk])).text
    client.force_login(reviewer)
    assert 'data-testid="adjust"' not in client.get(reverse("project_detail", args=[approved.pk])).text


def test_a_draft_offers_no_adjustment(client, filler, zunhua_project):
    client.force_login(filler)
    assert 'data-testid="adjust"' not in client.get(reverse("project_detail", args=[zunhua_project.pk])).text


def test_during_the_adjustment_the_filler_sees_the_reason_and_can_edit(client, filler, approved):
    services.adjustment_start(declaration=approved, user=filler, reason=REASON, version=approved.version)
    client.force_login(filler)
    page = client.get(reverse("project_detail", args=[approved.pk])).text
    assert 'data-testid="adjusting"' in page and REASON in page and "填报 / 修改" in page
    assert "开始调整" in page  # the transition log
    assert client.get(reverse("project_step", args=[approved.pk, "funds"])).status_code == 200
    home = client.get(reverse("home")).text
    assert "调整中，修改后预览并提交审核" in home


def test_the_wizard_saves_during_the_adjustment(client, filler, approved):
    adjusting = services.adjustment_start(declaration=approved, user=filler, reason=REASON, version=approved.version)
    client.force_login(filler)
    page = client.get(reverse("project_step", args=[adjusting.pk, "funds"]))
    form = page.context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(version=adjusting.version, purpose="调整后的资金用途")
    for name, field in form.fields.items():
        data.setdefault(name, field.initial or "")
    response = client.post(reverse("project_step", args=[adjusting.pk, "funds"]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert _fresh(adjusting).purpose == "调整后的资金用途"


def test_the_reviewer_sees_the_reason_and_the_diff_against_the_approved_version(client, filler, reviewer, approved):
    adjusting = services.adjustment_start(declaration=approved, user=filler, reason=REASON, version=approved.version)
    ProjectDeclaration.objects.filter(pk=adjusting.pk).update(purpose="调整后的资金用途")
    services.declaration_submit(declaration=_fresh(adjusting), user=filler)
    client.force_login(reviewer)
    page = client.get(reverse("review_declaration", args=["project", approved.pk])).text
    assert 'data-testid="adjustment"' in page and REASON in page
    assert "与审核通过的版本相比（第1次 → 第2次）" in page
    assert "调整后的资金用途" in page and "资金用途" in page
    assert "审核通过" in page and "退回修改" in page  # both acts offered


def test_the_reviewer_returns_the_adjustment_with_comments_and_approves_it_after(client, filler, reviewer, approved):
    adjusting = services.adjustment_start(declaration=approved, user=filler, reason=REASON, version=approved.version)
    submitted = services.declaration_submit(declaration=adjusting, user=filler)
    client.force_login(reviewer)
    response = client.post(reverse("review_act", args=["project", submitted.pk, "return"]),
                           {"result": "fair", "reason": "调整幅度需说明", "target_0": "purpose",
                            "criterion_0": "相关性", "text_0": "请写明追加经费用途"})
    assert response.status_code == 302 and _fresh(submitted).status == Status.RETURNED
    services.declaration_submit(declaration=_fresh(submitted), user=filler)
    client.post(reverse("review_act", args=["project", submitted.pk, "approve"]), {"result": "excellent"})
    assert _fresh(submitted).status == Status.APPROVED
    assert [e.action for e in Event.objects.filter(project=submitted)][:5] == [
        "declaration.approved", "declaration.resubmitted", "declaration.returned",
        "declaration.adjustment_submitted", "declaration.adjusted"]


def test_while_the_unit_adjusts_the_reviewer_is_told_to_wait(client, filler, reviewer, approved):
    services.adjustment_start(declaration=approved, user=filler, reason=REASON, version=approved.version)
    client.force_login(reviewer)
    page = client.get(reverse("review_declaration", args=["project", approved.pk])).text
    assert "单位正在调整这份申报，提交后才能审核" in page


def test_the_dashboard_counts_declarations_under_adjustment(client, filler, reviewer, approved):
    services.adjustment_start(declaration=approved, user=filler, reason=REASON, version=approved.version)
    client.force_login(reviewer)
    page = client.get(reverse("review_dashboard"), {"year": 2024, "status": "adjusting"})
    assert page.status_code == 200 and "驻京信访工作经费" in page.text


def test_a_published_declaration_is_adjusted_through_the_page_and_stays_public(client, filler, reviewer, approved):
    published = publishing.declaration_publish(declaration=approved, user=reviewer)
    client.force_login(filler)
    _post_adjust(client, published)
    client.logout()
    page = client.get(reverse("public_unit_year", args=[published.unit_id, 2024]))
    assert page.status_code == 200 and "驻京信访工作经费" in page.text
