"""Finding a unit by what a person types on the command line: its name or its code."""
from django.db.models import Q

from ..models import DepartmentDeclaration, ProjectDeclaration, Unit


class UnitLookupError(Exception):
    """No unit, or more than one, answers to the text; the message says which."""


def unit_by_name_or_code(text):
    """The one unit whose name or code is `text` (across all bureaus)."""
    text = (text or "").strip()
    units = list(Unit.objects.filter(Q(name=text) | Q(code=text)).select_related("bureau"))
    if not text or not units:
        raise UnitLookupError(f"找不到单位“{text}”（按名称或编码）")
    if len(units) > 1:
        names = "，".join(f"{unit}（{unit.bureau.name}）" for unit in units)
        raise UnitLookupError(f"“{text}”对应多个单位：{names}；请用另一个名称或编码")
    return units[0]


def unit_has_declarations(unit, year):
    """Whether the unit has a 部门整体 or a project declaration for the budget year (a number)."""
    return (
        DepartmentDeclaration.objects.filter(unit=unit, year__year=year).exists()
        or ProjectDeclaration.objects.filter(unit=unit, year__year=year).exists()
    )
