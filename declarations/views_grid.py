"""The indicator grid's JSON endpoints: save (all rows, or kept as a draft), read a pasted block, discard.

Answers are JSON even when the user is no longer logged in (401) or may not edit (403), so the grid
can say so and keep the rows in the browser until they are saved; it never follows a redirect to
the login page and mistakes it for success.
"""
import json
import logging

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from . import indicator_grid, selectors
from .services import drafts
from .views_wizard import indicator_setup, wizard_state

logger = logging.getLogger(__name__)
MAX_BODY = 2_000_000


def _declaration(request, kind, pk):
    if kind == "project":
        return selectors.project_declaration_for(request.user, pk)
    return selectors.department_declaration_for(request.user, pk)


def _refuse(status, message, **extra):
    return JsonResponse({"status": "refused", "message": message, **extra}, status=status)


def _payload(request):
    if len(request.body) > MAX_BODY:
        return None
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _guard(request, kind, pk):
    """(declaration, None) when the user may edit it, else (None, a JSON refusal)."""
    if not request.user.is_authenticated:
        return None, _refuse(401, "登录已失效，刚才的修改还没有保存（已保留在本机浏览器中）。请重新登录后回到本页，系统会恢复这些行。")
    declaration = _declaration(request, kind, pk)  # 404 for what the user may not see
    if not drafts.can_edit(request.user, declaration):
        return None, _refuse(403, f"该申报当前状态为“{declaration.get_status_display()}”，不能修改。")
    return declaration, None


@require_POST
def grid_save(request, kind, pk):
    """All the grid's rows: saved as indicators when every row is valid, else kept as a draft."""
    declaration, refusal = _guard(request, kind, pk)
    if refusal:
        return refusal
    payload = _payload(request)
    if payload is None or not isinstance(payload.get("rows"), list):
        return _refuse(400, "提交的数据无法读取，没有保存。请刷新页面后重试。")
    layout, framework, terms, allowed = indicator_setup(declaration, kind)
    rows = indicator_grid.rows_from_json(payload["rows"], allowed)
    rows = [row for row in rows if row.term in terms]
    cleaned, errors = indicator_grid.check(rows, layout.indicator_fields)
    version = payload.get("version")
    try:
        if cleaned is not None:
            drafts.indicators_save(user=request.user, declaration=declaration, version=version, rows=cleaned,
                                   terms=terms)
            saved = indicator_grid.saved_rows(declaration, terms, rows)
            return JsonResponse({"status": "saved", "version": declaration.version, "rows": saved,
                                 "message": f"已保存 {len(saved)} 个指标。",
                                 "state": wizard_state(declaration, kind, "indicators")})
        drafts.indicator_draft_save(user=request.user, declaration=declaration, version=version,
                                    rows=[indicator_grid.row_dict(row) for row in rows])
    except drafts.EditConflict as conflict:
        return _refuse(409, str(conflict), conflict=True)
    except drafts.DraftError as error:
        return _refuse(400, str(error))
    return JsonResponse({
        "status": "draft", "version": declaration.version, "errors": errors,
        "message": f"有 {len(errors)} 行需要修改，已暂存全部 {len(rows)} 行（未计入申报表）；改好后会自动保存。",
        "state": wizard_state(declaration, kind, "indicators"),
    })


@require_POST
def grid_paste(request, kind, pk):
    """Rows read from a block copied from Excel or WPS; nothing is saved until the grid saves."""
    declaration, refusal = _guard(request, kind, pk)
    if refusal:
        return refusal
    payload = _payload(request)
    if payload is None:
        return _refuse(400, "粘贴的内容无法读取。")
    layout, framework, terms, allowed = indicator_setup(declaration, kind)
    term = payload.get("term") if payload.get("term") in terms else terms[0]
    default = payload.get("subcategory")
    default_sub = next(
        (sub for category in framework.categories.all() for sub in category.subcategories.all() if sub.pk == default),
        None,
    )
    rows, notes = indicator_grid.pasted_rows(
        str(payload.get("text") or ""), framework, term=term,
        fields=[f for f, _ in indicator_grid.columns(layout)], default_subcategory=default_sub,
    )
    unknown = sum(1 for row in rows if row["subcategory"] is None)
    logger.info("%s.indicators_pasted id=%s user=%s rows=%s unknown=%s", kind, declaration.pk, request.user.pk,
                len(rows), unknown)
    return JsonResponse({"rows": rows, "notes": notes, "unknown": unknown})


@login_required
@require_POST
def grid_discard(request, kind, pk):
    """Drop the kept draft rows (a plain form post from the grid page's banner)."""
    declaration = _declaration(request, kind, pk)
    if request.user.is_authenticated and drafts.can_edit(request.user, declaration):
        drafts.indicator_draft_discard(user=request.user, declaration=declaration)
    return redirect(f"{kind}_step", declaration.pk, "indicators")
