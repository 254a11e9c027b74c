"""A printable document made from snapshots alone, never from live rows.

What is public is what was approved: a snapshot holds the declaration in the interchange shape
(`interchange.project_to_dict` / `department_to_dict`) and its header (bureau, unit, year, cover
note) as they were when it was submitted. This module turns those dicts back into unsaved model
objects with their related lists in place, so that the same layouts print them; nothing here
reads a declaration, a unit or a cover note from the database (only the layout's framework, which
is configuration).
"""
from collections import defaultdict
from datetime import date

from indicators.models import Framework, Layout

from ..models import (
    BudgetYear,
    CoverNote,
    DepartmentDeclaration,
    FinanceBureau,
    GoalItem,
    Indicator,
    MoneyLine,
    ProjectDeclaration,
    ProjectMilestone,
    SafeguardMeasure,
    SpendingCheckpoint,
    SubGoal,
    Unit,
)
from ..services import documents
from .builders import DocumentData

# The related list each child model fills on its owner, by the relation's name.
RELATIONS = {
    GoalItem: ("project", "goal_items"),
    ProjectMilestone: ("project", "milestones"),
    SpendingCheckpoint: ("project", "spending_plan"),
    SubGoal: ("declaration", "sub_goals"),
    SafeguardMeasure: ("declaration", "safeguards"),
}


class _Collector:
    """`keep` for the document builders: holds objects in memory instead of saving them."""

    def __init__(self):
        self.children = defaultdict(lambda: defaultdict(list))

    def keep(self, obj, where):
        if isinstance(obj, (ProjectDeclaration, DepartmentDeclaration)):
            return obj
        if isinstance(obj, (MoneyLine, Indicator)):
            owner = obj.project or obj.department
            relation = "money_lines" if isinstance(obj, MoneyLine) else "indicators"
        else:
            owner_field, relation = RELATIONS[type(obj)]
            owner = getattr(obj, owner_field)
        self.children[id(owner)][relation].append(obj)
        return obj

    def attach(self, owner, pk, relations):
        """Give the owner its id and its related lists, as a prefetch would."""
        owner.pk = pk
        cache = {}
        for relation in relations:
            model = getattr(type(owner), relation).rel.related_model
            queryset = model.objects.none()
            queryset._result_cache = list(self.children[id(owner)][relation])
            queryset._prefetch_done = True
            cache[relation] = queryset
        owner._prefetched_objects_cache = cache
        return owner


def _header_objects(header, unit_pk):
    bureau_spec, unit_spec = header["bureau"], header["unit"]
    layout = Layout.objects.get(code=bureau_spec["layout"])
    bureau = FinanceBureau(
        name=bureau_spec["name"], province=bureau_spec.get("province") or "", layout=layout,
        title_prefix=bureau_spec.get("title_prefix") or "",
    )
    parent_spec = unit_spec.get("parent")
    parent = Unit(code=parent_spec.get("code") or "", name=parent_spec["name"]) if parent_spec else None
    unit = Unit(pk=unit_pk, bureau=bureau, code=unit_spec.get("code") or "", name=unit_spec["name"], parent=parent)
    cover_spec = header.get("cover")
    cover = None
    if cover_spec:
        signed_on = cover_spec.get("signed_on")
        cover = CoverNote(
            unit=unit, title=cover_spec["title"], body=cover_spec["body"], attachment=cover_spec.get("attachment") or "",
            signed_by=cover_spec.get("signed_by") or "", signed_on=date.fromisoformat(signed_on) if signed_on else None,
        )
    return layout, unit, cover


def document_data_from_snapshots(*, header, unit_pk, department=None, projects=()):
    """DocumentData of one unit and year from snapshot dicts.

    `department` is (pk, data) or None; `projects` is [(pk, data)] in printed order.
    """
    layout, unit, cover = _header_objects(header, unit_pk)
    year = BudgetYear(year=int(header["year"]))
    subcategories = documents._Subcategories(layout)
    collector = _Collector()
    department_object = None
    if department is not None:
        pk, data = department
        department_object = documents._department(data, unit, year, subcategories, collector.keep)
        collector.attach(department_object, pk, ("sub_goals", "safeguards", "money_lines", "indicators"))
    project_objects = []
    for order, (pk, data) in enumerate(projects, start=1):
        project = documents._project(data, unit, year, order, subcategories, collector.keep)
        project_objects.append(collector.attach(project, pk, ("goal_items", "milestones", "spending_plan", "money_lines", "indicators")))
    frameworks = {
        framework.table_kind: framework
        for framework in Framework.objects.filter(layout=layout).prefetch_related("categories__subcategories")
    }
    return DocumentData(
        unit=unit, year=year.year, cover=cover, department=department_object, projects=project_objects,
        frameworks=frameworks,
    )
