"""The review workflow: transitions, snapshots, comments, publication, dashboard, notifications."""
import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from declarations.models import Indicator, ProjectDeclaration, Status
from declarations.services import drafts
from public import services as publishing
from review import services
from review.models import Event, Notification, Publication, Review, Snapshot

from .export_text import pdf_text


@pytest.fixture
def project(db):
    return ProjectDeclaration.objects.get(code="13028124P00096710001G")


@pytest.fixture
def submitted(project, filler):
    return services.declaration_submit(declaration=project, user=filler)


@pytest.fixture
def approved(submitted, reviewer):
    return services.declaration_approve(declaration=submitted, user=reviewer)


def test_submitting_stores_a_snapshot_logs_the_act_and_tells_the_reviewers(
    project, filler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.declaration_submit(declaration=project, user=filler)
    snapshot = Snapshot.objects.get(project=submitted)
    assert (snapshot.number, snapshot.data["name"], snapshot.created_by) == (1, "驻京信访工作经费", filler)
    assert [i["value"] for i in snapshot.data["indicators"]][:2] == ["≥95%", "≥90%"]
    event = Event.objects.get(project=submitted)
    assert (event.action, event.from_status, event.to_status, event.user) == (
        "declaration.submitted", "draft", "submitted", filler)
    notice = Notification.objects.get(user__username="zunhua-czj")
    assert "驻京信访工作经费" in notice.message and "待审核" in notice.message
    assert mail.outbox and mail.outbox[0].to == ["zunhua-czj@example.gov.cn"]


def test_a_submitted_declaration_cannot_be_edited(submitted, filler):
    with pytest.raises(drafts.NotEditable, match="已提交"):
        drafts.ensure_editable(filler, submitted)


def test_returning_needs_a_reason(submitted, reviewer):
    with pytest.raises(services.ReviewError, match="必须填写退回理由"):
        services.declaration_return(declaration=submitted, user=reviewer, reason=" ")
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_return_carries_comments_pinned_to_an_indicator_with_a_criterion(submitted, reviewer, filler):
    target = "indicator:annual/产出指标/数量指标/有效化解信访完成率"
    services.declaration_return(
        declaration=submitted, user=reviewer, reason="指标需量化",
        comments=[{"target": target, "target_label": "有效化解信访完成率", "criterion": "适当性", "text": "请说明95%的依据"}],
    )
    review = Review.objects.get(project=submitted)
    assert (review.result, review.result_short) == ("fair", "退回修改")
    assert [(c.target, c.criterion, c.text) for c in review.comments.all()] == [(target, "适当性", "请说明95%的依据")]
    assert Notification.objects.filter(user=filler, message__contains="被退回修改：指标需量化").exists()


def test_the_filler_sees_the_comment_beside_the_indicator_when_reopening_the_wizard(client, submitted, reviewer, filler):
    services.declaration_return(
        declaration=submitted, user=reviewer, reason="指标需量化",
        comments=[
            {"target": "indicator:annual/产出指标/数量指标/有效化解信访完成率", "criterion": "适当性", "text": "请说明95%的依据"},
            {"target": "purpose", "target_label": "资金用途", "criterion": "完整性", "text": "用途写得太笼统"},
        ],
    )
    client.force_login(filler)
    grid = client.get(reverse("project_step", args=[submitted.pk, "indicators"])).context["grid"]
    row = next(r for r in grid["rows"] if r["name"] == "有效化解信访完成率")
    assert row["comments"] == ["审核意见〔适当性〕：请说明95%的依据"]
    assert all("comments" not in r for r in grid["rows"] if r is not row)
    editor = client.get(reverse("project_step", args=[submitted.pk, "indicators"]) + "?form=1").text
    row = editor[editor.index('data-key="i'):]
    assert "审核意见〔适当性〕：请说明95%的依据" in row[: row.index('value="有效化解信访完成率"') + 2000]
    funds = client.get(reverse("project_step", args=[submitted.pk, "funds"])).text
    assert "审核意见〔完整性〕：用途写得太笼统" in funds
    assert 'data-testid="returned"' in funds and "指标需量化" in funds


@pytest.mark.parametrize(
    "act, state, message",
    [
        ("approve", "draft", "只有“已提交”的申报可以审核通过"),
        ("return", "draft", "只有“已提交、审核通过”的申报可以退回修改"),
        ("publish", "submitted", "只有“审核通过”的申报可以公开"),
        ("unpublish", "approved", "只有“已公开”的申报可以撤回公开"),
        ("approve", "published", "当前状态为“已公开”"),
        ("publish", "returned", "当前状态为“退回修改”"),
    ],
)
def test_an_illegal_transition_is_refused_with_a_clear_message(project, reviewer, act, state, message):
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=state)
    project.refresh_from_db()
    call = {
        "approve": lambda: services.declaration_approve(declaration=project, user=reviewer),
        "return": lambda: services.declaration_return(declaration=project, user=reviewer, reason="x"),
        "publish": lambda: publishing.declaration_publish(declaration=project, user=reviewer),
        "unpublish": lambda: publishing.declaration_unpublish(declaration=project, user=reviewer, reason="x"),
    }[act]
    with pytest.raises(services.ReviewError, match=message):
        call()
    project.refresh_from_db()
    assert project.status == state
    assert not Event.objects.filter(project=project).exists()


@pytest.mark.parametrize("state", ["submitted", "approved", "published"])
def test_submitting_again_is_refused_unless_returned(project, filler, state):
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=state)
    project.refresh_from_db()
    with pytest.raises(services.ReviewError, match="不能提交"):
        services.declaration_submit(declaration=project, user=filler)


def test_a_filler_cannot_approve_and_a_reviewer_of_another_bureau_cannot_either(submitted, filler):
    with pytest.raises(services.ReviewError, match="所属财政局的审核人"):
        services.declaration_approve(declaration=submitted, user=filler)
    with pytest.raises(services.ReviewError, match="所属财政局的审核人"):
        services.declaration_approve(declaration=submitted, user=User.objects.get(username="rugao-czj"))


def test_a_reviewer_cannot_submit_for_the_unit(project, reviewer):
    with pytest.raises(services.ReviewError, match="本单位的填报人"):
        services.declaration_submit(declaration=project, user=reviewer)


def test_resubmission_makes_a_second_snapshot_and_the_reviewer_sees_the_difference(client, submitted, reviewer, filler):
    services.declaration_return(declaration=submitted, user=reviewer, reason="请修改")
    ProjectDeclaration.objects.filter(pk=submitted.pk).update(purpose="新的资金用途")
    indicator = submitted.indicators.get(name="有效化解信访完成率")
    Indicator.objects.filter(pk=indicator.pk).update(number=98)
    Indicator.objects.create(project=submitted, subcategory=indicator.subcategory, order=9, name="新增的数量指标",
                             comparator="定性", text_value="全部完成")
    services.declaration_submit(declaration=submitted, user=filler)
    assert list(Snapshot.objects.filter(project=submitted).values_list("number", flat=True)) == [2, 1]
    assert Event.objects.filter(project=submitted, action="declaration.resubmitted").exists()
    client.force_login(reviewer)
    page = client.get(reverse("review_declaration", args=["project", submitted.pk])).text
    diff = page[page.index('data-testid="diff"'):]
    assert "资金用途" in diff and "新的资金用途" in diff
    assert "≥95%" in diff and "≥98%" in diff
    assert "新增" in diff and "新增的数量指标" in diff


def test_publishing_publishes_the_approved_snapshot(approved, reviewer):
    publishing.declaration_publish(declaration=approved, user=reviewer)
    publication = Publication.objects.get(project=approved)
    assert publication.snapshot == Snapshot.objects.get(project=approved, number=1)
    assert publication.snapshot.data == services.serialize(approved)
    approved.refresh_from_db()
    assert approved.status == Status.PUBLISHED


def test_a_declaration_changed_after_approval_is_not_published(approved, reviewer):
    ProjectDeclaration.objects.filter(pk=approved.pk).update(purpose="审核后偷偷改的用途")
    with pytest.raises(services.ReviewError, match="与审核通过的版本不一致"):
        publishing.declaration_publish(declaration=approved, user=reviewer)
    assert not Publication.objects.exists()


def test_withdrawing_a_publication_keeps_it_listed(approved, reviewer):
    publishing.declaration_publish(declaration=approved, user=reviewer)
    publishing.declaration_unpublish(declaration=approved, user=reviewer, reason="数据有误")
    publication = Publication.objects.get(project=approved)
    assert publication.withdrawn_at is not None
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


def test_the_declaration_page_shows_its_history(client, approved, filler):
    client.force_login(filler)
    page = client.get(reverse("project_detail", args=[approved.pk])).text
    history = page[page.index('data-testid="history"'):]
    assert history.index("审核通过") < history.index("提交")
    assert "遵化市财政局审核人" in history


def test_the_review_sheet_prints_criteria_comments_result_reviewer_and_date(client, submitted, reviewer):
    services.declaration_return(
        declaration=submitted, user=reviewer, reason="指标需量化",
        comments=[{"target": "purpose", "target_label": "资金用途", "criterion": "相关性", "text": "用途与目标不对应"}],
    )
    client.force_login(reviewer)
    response = client.get(reverse("review_sheet", args=["project", submitted.pk]))
    text = pdf_text(response.content).replace(" ", "")
    for expected in ("绩效目标审核表", "完整性", "相关性", "适当性", "可行性", "资金用途：用途与目标不对应",
                     "中（退回修改）", "退回修改", "遵化市财政局审核人", "指标需量化"):
        assert expected in text


def test_the_reviewer_returns_through_the_page_with_a_comment(client, submitted, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("review_act", args=["project", submitted.pk, "return"]),
        {"result": "fair", "reason": "请补充", "target_0": "indicator:annual/产出指标/数量指标/有效化解信访完成率",
         "criterion_0": "可行性", "text_0": "依据文件过旧"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert Review.objects.get(project=submitted).comments.get().target_label.endswith("有效化解信访完成率")


def test_a_comment_without_a_criterion_is_refused_and_nothing_changes(client, submitted, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("review_act", args=["project", submitted.pk, "return"]),
        {"result": "fair", "reason": "请补充", "target_0": "purpose", "text_0": "没有审核要点"}, follow=True,
    )
    assert "请为这条意见选择审核要点" in response.text
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_the_dashboard_counts_filters_and_approves_several_at_once(client, reviewer, filler):
    projects = list(ProjectDeclaration.objects.filter(unit__code="455"))
    for p in projects:
        services.declaration_submit(declaration=p, user=filler)
    client.force_login(reviewer)
    page = client.get(reverse("review_dashboard"), {"year": 2024}).text
    assert "已提交 <strong>3</strong>" in page
    assert 'id="dashboard-data"' in page and "chart.umd.min.js" in page
    filtered = client.get(reverse("review_dashboard"), {"year": 2024, "kind": "department"}).text
    assert "驻京信访工作经费" not in filtered
    client.post(reverse("review_approve_selected"), {"selected": [f"project:{p.pk}" for p in projects]})
    assert set(ProjectDeclaration.objects.filter(unit__code="455").values_list("status", flat=True)) == {"approved"}


def test_the_notification_badge_counts_unread_and_the_list_marks_them_read(client, submitted, reviewer):
    client.force_login(reviewer)
    home = client.get(reverse("home")).text
    assert 'data-testid="notifications">通知 <span class="badge text-bg-warning">1</span>' in home
    listing = client.get(reverse("notifications")).text
    assert "驻京信访工作经费" in listing
    assert not Notification.objects.filter(user=reviewer, read_at__isnull=True).exists()


def test_every_change_to_declaration_data_is_audited(project, filler):
    project.purpose = "审计测试"
    project.save()
    record = project.history.first()
    assert record.purpose == "审计测试" and record.history_type == "~"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "abc"])
def test_approve_selected_ignores_a_foreign_next(client, reviewer, target):
    client.force_login(reviewer)
    response = client.post(reverse("review_approve_selected"), {"next": target})
    assert response.status_code == 302 and response.url == reverse("review_dashboard")


def test_approve_selected_follows_a_local_next(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("review_approve_selected"), {"next": "/review/?year=2024"})
    assert response.status_code == 302 and response.url == "/review/?year=2024"
