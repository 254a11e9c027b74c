"""Long work as jobs: publication from the review page and exports that are not kept yet run on a
worker; the request answers a progress page (docs/tasks.md)."""
import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from declarations.exports.registry import export_document
from declarations.models import ProjectDeclaration
from jobs.models import Job
from review import services
from review.models import Publication

from .export_text import pdf_text


@pytest.fixture
def approved(filler, reviewer):
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    project = services.declaration_submit(declaration=project, user=filler)
    return services.declaration_approve(declaration=project, user=reviewer)


@pytest.fixture
def worker(monkeypatch):
    """Tasks wait in the queue until `worker()` runs them, as a separate worker process would."""
    monkeypatch.setattr(HUEY, "immediate", False)
    # A real worker closes its database connection around each task; here the task runs inside the
    # test's transaction, which closing would end (PostgreSQL answers "connection already closed").
    monkeypatch.setattr("huey.contrib.djhuey.close_old_connections", lambda: None)

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


def test_an_uncached_download_answers_the_progress_page_then_offers_the_file(client, filler, zunhua_unit, worker):
    client.force_login(filler)
    response = client.get(reverse("document_download", args=[zunhua_unit.pk, 2024, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1 class=\"h4\">导出：遵化市信访局 2024年度整体文档（PDF）</h1>" in response.text
    assert '<p data-testid="job-state">排队中</p>' in response.text
    worker()
    job = Job.objects.get(kind="export")
    page = client.get(reverse("job", args=[job.pk]))
    assert f'href="{reverse("job_file", args=[job.pk])}" data-testid="job-file">下载 ' in page.text
    download = client.get(reverse("job_file", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf" and "attachment" in download["Content-Disposition"]
    assert "驻京信访工作经费" in pdf_text(b"".join(download.streaming_content))


def test_a_second_uncached_download_while_the_first_waits_joins_its_job(client, filler, zunhua_unit, worker):
    client.force_login(filler)
    url = reverse("document_download", args=[zunhua_unit.pk, 2024, "xlsx"])
    client.get(url)
    client.get(url)
    assert Job.objects.filter(kind="export").count() == 1


def test_a_kept_download_answers_the_file_at_once(client, filler, zunhua_unit, worker):
    export_document(unit=zunhua_unit, year=2024, fmt="pdf")
    client.force_login(filler)
    response = client.get(reverse("document_download", args=[zunhua_unit.pk, 2024, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not Job.objects.exists()


def test_an_export_job_that_fails_says_so_on_its_page(client, filler, zunhua_project, worker, monkeypatch):
    import declarations.exports.registry as registry

    def broken(document):
        raise OSError("no font 'Noto Serif CJK SC'")

    monkeypatch.setattr(registry, "render_pdf", broken)
    client.force_login(filler)
    client.get(reverse("project_download", args=[zunhua_project.pk, "pdf"]))
    worker()
    job = Job.objects.get(kind="export")
    page = client.get(reverse("job", args=[job.pk]))
    assert '<div class="alert alert-danger" data-testid="job-failed">处理失败，错误已记录，请联系管理员后重试</div>' in page.text
    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404


def test_withdrawing_from_the_review_page_is_a_job_that_makes_the_units_document_anew(client, reviewer, filler,
                                                                                       approved):
    """撤回公开 remakes the unit's document (its PDF) without the table: a worker's work too."""
    from public import services as publishing
    from public.models import DocumentRelease

    other = ProjectDeclaration.objects.filter(unit=approved.unit, year=approved.year).exclude(pk=approved.pk).first()
    other = services.declaration_approve(declaration=services.declaration_submit(declaration=other, user=filler),
                                         user=reviewer)
    publishing.declaration_publish(declaration=approved, user=reviewer)
    publishing.declaration_publish(declaration=other, user=reviewer)
    client.force_login(reviewer)
    response = client.post(reverse("publication_act", args=["project", approved.pk, "unpublish"]), {"reason": "数据有误"})
    job = Job.objects.get(title__startswith="撤回公开后重新生成公开文档：")
    assert response.url == reverse("job", args=[job.pk])
    page = client.get(response.url)
    assert '<p data-testid="job-state">已完成</p>' in page.text and "单位的公开文档已重新生成" in page.text
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "approved"
    newest = DocumentRelease.objects.filter(unit=approved.unit, year=approved.year).first()
    pdf = newest.files.get(format="pdf")
    text = pdf_text(pdf.file.read())
    assert other.name in text and approved.name not in text


def test_a_withdrawal_without_a_reason_is_refused_at_once_and_starts_no_job(client, reviewer, approved):
    from public import services as publishing

    publishing.declaration_publish(declaration=approved, user=reviewer)
    client.force_login(reviewer)
    client.post(reverse("publication_act", args=["project", approved.pk, "unpublish"]), {"reason": ""})
    assert not Job.objects.exists()
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "published"


def test_a_withdrawal_takes_the_table_off_the_portal_before_any_worker_runs(
    client, reviewer, filler, approved, monkeypatch
):
    """A worker busy elsewhere never delays a withdrawal: the table and its files leave at once;
    only the unit's document without it waits for the worker."""
    from public import services as publishing
    from public.models import PublishedFile

    other = ProjectDeclaration.objects.filter(unit=approved.unit, year=approved.year).exclude(pk=approved.pk).first()
    other = services.declaration_approve(declaration=services.declaration_submit(declaration=other, user=filler),
                                         user=reviewer)
    publishing.declaration_publish(declaration=approved, user=reviewer)
    publishing.declaration_publish(declaration=other, user=reviewer)
    pdf = PublishedFile.objects.get(publication__project=approved, format="pdf")
    file_url = reverse("public_file", args=[pdf.pk, pdf.sha256, pdf.filename])
    unit_url = reverse("public_unit_year", args=[approved.unit_id, approved.year.year])
    assert client.get(file_url).status_code == 200 and approved.name in client.get(unit_url).text
    def no_worker(job_id):  # the job stays queued: no worker runs it
        pass

    no_worker.func = no_worker  # what jobs.services.task_path reads of a huey task
    monkeypatch.setattr("public.tasks.refresh_release", no_worker)
    client.force_login(reviewer)
    response = client.post(reverse("publication_act", args=["project", approved.pk, "unpublish"]), {"reason": "数据有误"})
    job = Job.objects.get(title__startswith="撤回公开后重新生成公开文档：")
    assert response.url == reverse("job", args=[job.pk]) and job.state == Job.QUEUED
    client.logout()
    assert client.get(file_url).status_code == 404
    assert approved.name not in client.get(unit_url).text
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "approved"


def test_withdrawing_a_units_only_table_starts_no_job(client, reviewer, approved):
    from public import services as publishing

    publishing.declaration_publish(declaration=approved, user=reviewer)
    client.force_login(reviewer)
    response = client.post(reverse("publication_act", args=["project", approved.pk, "unpublish"]), {"reason": "数据有误"})
    assert response.url == reverse("review_declaration", args=["project", approved.pk])
    assert not Job.objects.exists() and ProjectDeclaration.objects.get(pk=approved.pk).status == "approved"
    assert "已撤回公开：公众已看不到该表及其文件。" in client.get(response.url).text


def test_a_job_whose_queue_is_unreachable_waits_queued_in_the_database(reviewer, caplog):
    """Redis away when the job is asked for: the request goes on; requeue_jobs queues it later."""
    from jobs.services import job_start

    def unreachable(job_id):
        raise ConnectionError("redis down")

    unreachable.func = unreachable
    job = job_start(kind=Job.EXPORT, user=reviewer, title="导出", params={"n": 1}, back_url="/", task=unreachable)
    assert job.state == Job.QUEUED and job.task.endswith(".unreachable")
    assert "job.enqueue_failed" in caplog.text
