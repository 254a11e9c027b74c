"""What a filler does next, as the home page says it: per declaration and per open budget year."""
from dataclasses import dataclass, field

from django.urls import reverse

from .models import BudgetYear, DepartmentDeclaration, Status
from .services import validation
from .services.drafts import EDITABLE

FIRST_STEP = {"project": "basic", "department": "profile"}
SHOWN_ERRORS = 2

@dataclass
class NextStep:
    text: str  # what to do, plain Chinese
    link: str = ""  # where to do it
    link_text: str = ""
    reason: str = ""  # a returned declaration: the reviewer's reason


@dataclass
class YearStart:
    """An open budget year of the filler's unit: new project, and the 部门整体 if it is missing."""

    year: BudgetYear
    department_missing: bool = False
    last_department: DepartmentDeclaration | None = None
    extra: dict = field(default_factory=dict)


def for_declarations(pairs):
    """Set `next_step` on each of the filler's (declaration, kind) in a fixed number of queries:
    the returned ones with their reviewer's reason (one query per kind for all), the drafts with a
    link to go on filling."""
    from review.models import Review

    editable = [(d, kind) for d, kind in pairs if d.status in EDITABLE]
    returned = [(d, kind) for d, kind in editable if d.status == Status.RETURNED]
    reasons = {}
    for kind in ("project", "department"):
        ids = [d.pk for d, k in returned if k == kind]
        if ids:
            for review in Review.objects.filter(**{f"{kind}__in": ids}).order_by("created_at", "id"):
                reasons[(kind, getattr(review, f"{kind}_id"))] = review.reason  # the latest wins
    for declaration, kind in returned:
        declaration.next_step = NextStep(
            "已退回修改，请按审核意见修改后重新提交",
            reverse(f"{kind}_step", args=[declaration.pk, FIRST_STEP[kind]]) + "#returned",
            "查看审核意见",
            reason=reasons.get((kind, declaration.pk), ""),
        )
    for declaration, kind in editable:
        if declaration.status != Status.RETURNED:
            # What is still missing is said on the declaration's own pages (validating every draft
            # here would cost queries in proportion to the drafts).
            said = "调整中，修改后预览并提交审核" if declaration.status == Status.ADJUSTING else "草稿，继续填写后预览并提交"
            declaration.next_step = NextStep(
                said, reverse(f"{kind}_step", args=[declaration.pk, FIRST_STEP[kind]]), "去填写"
            )


def for_declaration(declaration, kind):
    """The next step of one of the filler's drafts: what is still missing, or preview and submit."""
    findings = (
        validation.validate_project(declaration) if kind == "project" else validation.validate_department(declaration)
    )
    errors = validation.errors(findings)
    if errors:
        first = errors[0]
        more = f"等 {len(errors)} 处" if len(errors) > SHOWN_ERRORS else ""
        text = "还需修改：" + "；".join(e.message for e in errors[:SHOWN_ERRORS]) + more
        return NextStep(text, reverse(f"{kind}_step", args=[declaration.pk, first.step]), "去填写")
    return NextStep("已填写完整，可以预览并提交", reverse(f"{kind}_step", args=[declaration.pk, "preview"]), "预览并提交")


def year_starts(unit):
    """The open budget years, each with whether the unit's 部门整体 is still missing and last year's."""
    departments = {d.year.year: d for d in DepartmentDeclaration.objects.filter(unit=unit).select_related("year")}
    starts = []
    for year in BudgetYear.objects.filter(is_open=True).order_by("-year"):
        earlier = [y for y in departments if y < year.year]
        starts.append(YearStart(
            year=year,
            department_missing=year.year not in departments,
            last_department=departments[max(earlier)] if earlier else None,
        ))
    return starts
