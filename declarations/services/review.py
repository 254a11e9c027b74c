"""State changes of a declaration. Each is one atomic function: guard, change, log."""
import logging

from django.db import transaction
from django.utils import timezone

from ..models import ProjectDeclaration, Status
from . import validation
from .drafts import EDITABLE, can_edit

logger = logging.getLogger(__name__)


class SubmitError(Exception):
    """A submission that is refused; the message is shown to the user."""


@transaction.atomic
def declaration_submit(*, declaration, user):
    """草稿/退回修改 → 已提交, when the declaration has no blocking error. Locks it for the filler."""
    model = type(declaration)
    declaration = model.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status not in EDITABLE:
        raise SubmitError(f"当前状态为“{declaration.get_status_display()}”，不能提交")
    if not can_edit(user, declaration):
        raise SubmitError("只有本单位的填报人可以提交")
    findings = (
        validation.validate_project(declaration)
        if isinstance(declaration, ProjectDeclaration)
        else validation.validate_department(declaration)
    )
    errors = validation.errors(findings)
    if errors:
        raise SubmitError(f"还有 {len(errors)} 处需要修改后才能提交：" + "；".join(f.message for f in errors[:3]))
    updated = model.objects.filter(pk=declaration.pk, status=declaration.status).update(
        status=Status.SUBMITTED, updated_at=timezone.now()
    )
    if not updated:
        raise SubmitError("提交失败：申报状态已被他人改变，请刷新后重试")
    logger.info("%s.submitted id=%s user=%s", model.__name__, declaration.pk, user.pk)
    declaration.status = Status.SUBMITTED
    return declaration
