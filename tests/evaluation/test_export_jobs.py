"""A logged-in download of a 监控表 or 自评表 goes the declarations' way: the file kept for the same
content at once, else a worker renders it as a job and the progress page answers (issue 16: no
PDF in a web request)."""
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.urls import reverse

from evaluation import services
from jobs.models import Job

from ..export_text import flat, pdf_text
from ..test_jobs import worker  # noqa: F401 - the fixture: a queue run by hand
from .conftest import fill_self_evaluation, values_by_name

pytestmark = pytest.mark.django_db


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def filled_report(report, filler):
    value = values_by_name(report)["信访事项按期结案率"]
    services.monitoring_report_save(report=report, user=filler, version=report.version, executed_amount=Decimal("98.5"),
                                    rows={value.pk: {"reached_value": "72%", "deviation_text": "两名调解员离岗"}})
    report.refresh_from_db()
    return report


def test_a_fillers_monitoring_pdf_is_a_job_whose_file_then_downloads(client, filler, filled_report, worker):
    client.force_login(filler)
    response = client.get(reverse("monitoring_export", args=[filled_report.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    assert '<h1 class="h4">导出：2024年1-7月运行监控「驻京信访工作经费」（PDF）</h1>' in response.text
    assert '<p data-testid="job-state">排队中</p>' in response.text
    worker()
    job = Job.objects.get(kind=Job.EXPORT)
    assert job.params == {"part": "monitoring", "pk": filled_report.pk, "fmt": "pdf"} and job.user == filler
    page = client.get(reverse("job", args=[job.pk]))
    assert f'href="{reverse("monitoring_report", args=[filled_report.pk])}" data-testid="job-back">返回' in page.text
    download = client.get(reverse("job_file", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert unquote(download["Content-Disposition"]) == (
        "attachment; filename*=UTF-8''2024-遵化市信访局-驻京信访工作经费-项目支出绩效目标执行监控表1-7月.pdf")
    text = flat(pdf_text(_body(download)))
    assert flat("两名调解员离岗") in text and "98.50" in text


def test_a_second_download_of_the_unchanged_report_is_the_kept_file_at_once(client, filler, filled_report, worker):
    client.force_login(filler)
    url = reverse("monitoring_export", args=[filled_report.pk, "pdf"])
    client.get(url)
    worker()
    again = client.get(url)
    assert again["Content-Type"] == "application/pdf" and flat("两名调解员离岗") in flat(pdf_text(_body(again)))
    assert Job.objects.filter(kind=Job.EXPORT).count() == 1


def test_an_edit_after_the_download_makes_a_new_job(client, filler, filled_report, worker):
    client.force_login(filler)
    url = reverse("monitoring_export", args=[filled_report.pk, "xlsx"])
    client.get(url)
    worker()
    services.monitoring_report_save(report=filled_report, user=filler, version=filled_report.version,
                                    executed_amount=Decimal("99"), rows={})
    assert '<p data-testid="job-state">排队中</p>' in client.get(url).text
    assert Job.objects.filter(kind=Job.EXPORT).count() == 2


def test_a_self_evaluation_download_renders_in_its_job_not_in_the_request(client, filler, evaluation):
    """huey runs at once here: the job, inside the request, may render; the request itself may not."""
    fill_self_evaluation(evaluation, filler)
    client.force_login(filler)
    for fmt, content_type, magic in (("pdf", "application/pdf", b"%PDF"), ("xlsx", "spreadsheetml", b"PK")):
        response = client.get(reverse("self_evaluation_export", args=[evaluation.pk, fmt]))
        assert content_type in response["Content-Type"] and _body(response).startswith(magic)
    jobs = Job.objects.filter(kind=Job.EXPORT).order_by("pk")
    assert [(job.title, job.state) for job in jobs] == [
        ("导出：2024年「驻京信访工作经费」绩效自评（PDF）", "done"), ("导出：2024年「驻京信访工作经费」绩效自评（Excel）", "done")]


def test_the_reviewer_downloads_through_a_job_of_their_own(client, reviewer, filled_report, worker):
    client.force_login(reviewer)
    client.get(reverse("monitoring_export", args=[filled_report.pk, "xlsx"]))
    assert Job.objects.get(kind=Job.EXPORT).user == reviewer


def test_an_outsider_starts_no_job(client, other_filler, other_reviewer, filled_report, evaluation, worker):
    for user in (other_filler, other_reviewer):
        client.force_login(user)
        assert client.get(reverse("monitoring_export", args=[filled_report.pk, "pdf"])).status_code == 404
        assert client.get(reverse("self_evaluation_export", args=[evaluation.pk, "xlsx"])).status_code == 404
    assert not Job.objects.exists()


def test_an_unknown_format_is_not_found(client, filler, filled_report):
    client.force_login(filler)
    assert client.get(reverse("monitoring_export", args=[filled_report.pk, "docx"])).status_code == 404
