"""Long work as jobs: publication from the review page runs on a worker; the request answers a
progress page (docs/tasks.md)."""
import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from declarations.models import ProjectDeclaration
from jobs.models import Job
from review import services
from review.models import Publication


@pytest.fixture
def approved(filler, reviewer):
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    project = services.declaration_submit(declaration=project, user=filler)
    return services.declaration_approve(declaration=project, user=reviewer)


@pytest.fixture
def worker(monkeypatch):
    """Tasks wait in the queue until `worker()` runs them, as a separate worker process would."""
    monkeypatch.setattr(HUEY, "immediate", False)

    def run_pending():
        while (task := HUEY.dequeue()) is not None:
            HUEY.execute(task)

    return run_pending


def _publish(client, project):
    return client.post(reverse("publication_act", args=["project", project.pk, "publish"]))


def test_publishing_from_the_review_page_answers_the_jobs_progress_page(client, reviewer, approved):
    client.force_login(reviewer)
    response = _publish(client, approved)
    job = Job.objects.get(kind="publish")
    assert response.status_code == 302 and response.url == reverse("job", args=[job.pk])
    assert job.user == reviewer and job.title == "公开：2024年 遵化市信访局「驻京信访工作经费」"


def test_the_finished_publication_job_says_done_and_links_back_to_the_review_page(client, reviewer, approved):
    client.force_login(reviewer)
    page = client.get(_publish(client, approved).url)
    assert '<p data-testid="job-state">已完成</p>' in page.text and "已公开。" in page.text
    assert f'href="{reverse("review_declaration", args=["project", approved.pk])}" data-testid="job-back">返回审核页面' in page.text
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "published"


def test_a_publication_waits_for_the_worker_and_its_page_polls_meanwhile(client, reviewer, approved, worker):
    client.force_login(reviewer)
    page = client.get(_publish(client, approved).url)
    assert '<p data-testid="job-state">排队中</p>' in page.text
    assert 'hx-trigger="every 2s"' in page.text and '<noscript><meta http-equiv="refresh"' in page.text
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "approved"
    worker()
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "published"


def test_a_failing_publication_shows_its_message_and_publishes_nothing(client, reviewer, approved, monkeypatch):
    import public.services as public_services

    def broken(document):
        raise OSError("no font 'Noto Serif CJK SC'")

    monkeypatch.setattr(public_services, "render_pdf", broken)
    client.force_login(reviewer)
    page = client.get(_publish(client, approved).url)
    assert '<p data-testid="job-state">失败</p>' in page.text
    assert '<div class="alert alert-danger" data-testid="job-failed">生成公开文件失败，未公开；已记录错误，请联系管理员后重试</div>' in page.text
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "approved"
    assert not Publication.objects.filter(project=approved).exists()


def test_the_progress_page_is_shown_to_the_user_who_asked_only(client, reviewer, approved, administrator):
    client.force_login(reviewer)
    url = _publish(client, approved).url
    client.force_login(administrator)
    assert client.get(url).status_code == 404
