"""The 绩效目标审核表 of a review, printed by a worker (review.tasks.render_review_sheet)."""
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from declarations.exports.document import Document, Part, Table, label, text, value
from declarations.exports.pdf import render_pdf
from declarations.exports.worker import RenderError
from declarations.models import DepartmentDeclaration, ProjectDeclaration
from jobs.services import JobRefused

from . import services
from .models import Criterion, Review

SHEETS_PREFIX = "exports/review-sheets/"


def review_sheet_document(declaration, review):
    form = Part()
    if isinstance(declaration, ProjectDeclaration):
        form.add(label("项目名称"), value(declaration.name, 3))
        form.add(label("预算数（万元）"), value(f"{declaration.budget.normalize():f}", 3))
    else:
        form.add(label("部门（单位）名称"), value(declaration.printed_name, 3))
    form.add(label("申报单位"), value(str(declaration.unit)), label("预算年度"), value(f"{declaration.year.year}年"))
    comments = list(review.comments.all())
    form.add(label("审核要点"), label("审核意见", 3))
    for criterion in Criterion.values:
        lines = [f"{c.target_label + '：' if c.target_label else ''}{c.text}" for c in comments if c.criterion == criterion]
        form.add(label(criterion), text("\n".join(lines) or "无意见", 3))
    form.add(label("综合意见"), text(review.reason or "—", 3))
    form.add(label("审核结果"), value(f"{review.get_result_display()}"), label("结论"), value(review.result_short))
    form.add(label("审核人"), value(review.reviewer.get_full_name() or review.reviewer.username),
             label("审核日期"), value(timezone.localtime(review.created_at).strftime("%Y年%m月%d日")))
    return Document(
        title=f"{services.title_of(declaration)}绩效目标审核表",
        filename=f"{declaration.year.year}-{declaration.unit.name}-绩效目标审核表",
        blocks=[Table(title="绩效目标审核表", sheet_name="审核表", column_widths=[18, 32, 18, 32], parts=[form],
                      subtitle_lines=[services.title_of(declaration)], header_right=f"审核版本：第{review.snapshot.number}次提交")],
    )


def review_sheet_render(job):
    """The job's work: the sheet's PDF, stored under its content hash (the same bytes once)."""
    params = job.params
    model = ProjectDeclaration if params["kind"] == "project" else DepartmentDeclaration
    declaration = model.objects.select_related("unit", "year").get(pk=params["pk"])
    review = Review.objects.select_related("reviewer", "snapshot").get(pk=params["review"])
    document = review_sheet_document(declaration, review)
    try:
        content = render_pdf(document)
    except RenderError as error:
        raise JobRefused(f"导出失败：{error.summary}") from None
    name = f"{SHEETS_PREFIX}{hashlib.sha256(content).hexdigest()[:32]}.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return {"result_file": name, "result_filename": f"{document.filename}.pdf", "result_content_type": "application/pdf"}
