"""PDF rendering in a limited child process: same output, and a clear error on its limits."""
import time

import pytest

from declarations.exports import worker
from declarations.exports.builders import load_document_data
from declarations.exports.document import Document, Part, Table, label, text
from declarations.exports.layouts import get_layout
from declarations.exports.pdf import render_pdf
from declarations.exports.worker import PdfWorkerPool, RenderError, render_pdf_in_worker

from .export_text import pdf_text


def small_document():
    table = Table(title="测试表", sheet_name="测试", column_widths=[1, 2], parts=[
        Part(header_rows=[[label("项目名称"), label("内容")]]).add(text("信访"), text("=1+1")),
    ])
    return Document(title="测试", filename="test", blocks=[table])


@pytest.mark.django_db
def test_worker_renders_the_same_text_as_in_process(zunhua_unit):
    data = load_document_data(zunhua_unit, 2024)
    document = get_layout(data.layout).document(data)
    in_process = render_pdf(document)
    in_worker = render_pdf_in_worker(document, timeout=60)
    assert in_worker.startswith(b"%PDF")
    assert pdf_text(in_worker) == pdf_text(in_process)
    assert "遵化市信访局" in pdf_text(in_worker)


def test_timeout_gives_render_error_and_no_process_left():
    start = time.monotonic()
    with pytest.raises(RenderError) as caught:
        worker.run_in_worker(worker._sleep_job, (30,), timeout=1)
    assert caught.value.reason == "timeout"
    assert time.monotonic() - start < 10
    import multiprocessing

    assert not [p for p in multiprocessing.active_children() if p.name == "pdf-worker"]


def test_tiny_memory_limit_gives_render_error():
    # 40 MB of address space is not enough to start Django and WeasyPrint.
    with pytest.raises(RenderError) as caught:
        render_pdf_in_worker(small_document(), timeout=30, memory_mb=40)
    assert caught.value.reason == "memory"
    assert "40 MB" in str(caught.value)


def test_job_over_the_memory_limit_gives_render_error():
    with pytest.raises(RenderError) as caught:
        worker.run_in_worker(worker._allocate_job, (1000,), timeout=30, memory_mb=400)
    assert caught.value.reason == "memory"


def test_pool_recycles_and_survives_a_timeout():
    document = small_document()
    with PdfWorkerPool(workers=1, max_tasks_per_child=2) as pool:
        first = pool.render(document, timeout=60)
        assert first.startswith(b"%PDF")
        pids = {pool.run(_pid_job, timeout=60) for _ in range(4)}
        assert len(pids) >= 2  # the worker was replaced after two jobs
        with pytest.raises(RenderError) as caught:
            pool.run(worker._sleep_job, 30, timeout=1)
        assert caught.value.reason == "timeout"
        with pytest.raises(RenderError) as caught:
            pool.run(worker._allocate_job, 2000, timeout=30)
        assert caught.value.reason == "memory"
        assert pdf_text(pool.render(document, timeout=60)) == pdf_text(first)


def _pid_job():
    import os

    return os.getpid()
