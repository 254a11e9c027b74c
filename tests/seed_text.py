"""Helpers that compare the database with the seed documents in tests/seeds/.

A seed's cells are its tab-separated pieces of at least two characters (the rule of
../shared/tools/seed_coverage.py, re-written here so that the repo tests without shared/).
"""
import re
from decimal import Decimal
from pathlib import Path

from declarations.models import CoverNote, DepartmentDeclaration, ProjectDeclaration
from declarations.values import format_amount, format_number

SEED_DIR = Path(__file__).parent / "seeds"
JUNK = re.compile(r"^[-—…\s.|*#]*$")
CHINESE_NUMERALS = "一二三四五六七八九十"


def flat(text):
    return re.sub(r"\s+", "", text or "")


def seed_cells(name):
    cells = []
    for line in (SEED_DIR / f"{name}-petition-bureau.txt").read_text(encoding="utf-8").splitlines():
        if "....." in line:
            continue
        line = re.sub(r"\[bookmark: [^\]]*\]", "", line)
        for piece in line.split("\t"):
            cell = flat(re.sub(r"[*#]+", "", piece))
            if len(cell) >= 2 and not JUNK.match(cell):
                cells.append(cell)
    return cells


def numeral(n):
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    return "十" + CHINESE_NUMERALS[n - 11] if n < 20 else str(n)


def _amounts(value):
    if value is None:
        return []
    value = Decimal(value)
    forms = [format_amount(value), format_amount(value, 2), format_amount(value, 6)]
    return forms + [f"{form}万元" for form in forms]


def _date(value):
    if value is None:
        return []
    return [f"{value.year}.{value.month}.{value.day}", f"{value.year}年{value.month}月{value.day}日"]


def _indicator_texts(indicator):
    sub = indicator.subcategory
    return [
        sub.category.name, sub.name, sub.label, indicator.name, indicator.description, indicator.value_display,
        indicator.half_year_value, indicator.basis, indicator.indicator_class, indicator.prior_value_1,
        indicator.prior_value_2, indicator.related_project,
    ]


def database_texts(unit, year):
    """Every value the database holds for one unit's document, in the forms a table prints."""
    texts = [unit.code, unit.name, f"{unit.code}{unit.name}"]
    texts += [unit.bureau.name, unit.bureau.title_prefix]
    for framework in unit.bureau.layout.frameworks.all():
        for n, category in enumerate(framework.categories.all(), start=1):
            texts += [category.name, f"{n}、{category.name}"]
            texts += [sub.label for sub in category.subcategories.all()]
    if unit.parent:
        texts.append(unit.parent.name)
    for cover in CoverNote.objects.filter(unit=unit, year__year=year):
        texts += [cover.title, cover.body, cover.attachment, cover.signed_by, *_date(cover.signed_on)]
    for dept in DepartmentDeclaration.objects.filter(unit=unit, year__year=year):
        texts += [
            dept.department_name, dept.compiled_by, dept.functions, dept.organisation, dept.overall_goal, dept.long_term_goal, dept.annual_goal,
            dept.annual_goal_brief, dept.annual_tasks, dept.filler_name, dept.filler_phone, *_date(dept.fill_date),
            str(dept.long_term_end_year or ""),
        ]
        for n, goal in enumerate(dept.sub_goals.all(), start=1):
            texts += [f"（{numeral(n)}）{goal.title}", f"绩效目标：{goal.goal}", f"绩效指标：{goal.indicators}"]
        for n, measure in enumerate(dept.safeguards.all(), start=1):
            texts.append(f"（{numeral(n)}）{measure.text}")
        lines = list(dept.money_lines.all())
        for direction in ("income", "expense"):
            same = [line for line in lines if line.direction == direction]
            texts += _amounts(sum((line.amount for line in same), Decimal(0)))
            texts += _amounts(sum((line.half_year_amount or 0 for line in same), Decimal(0)))
        for line in lines:
            for amount in (line.amount, line.half_year_amount, line.prior_amount_1, line.prior_amount_2):
                texts += _amounts(amount)
            if line.share is not None:
                texts.append(f"{format_number(line.share)}%")
        for indicator in dept.indicators.select_related("subcategory__category"):
            texts += _indicator_texts(indicator)
    for n, project in enumerate(ProjectDeclaration.objects.filter(unit=unit, year__year=year), start=1):
        texts += [
            f"{n}.{project.printed_title_name}", project.code, project.name, project.supervising_department,
            project.implementing_unit, project.attribute, project.level, project.category, project.owner_name,
            project.owner_phone, project.purpose, project.necessity, project.feasibility, project.content,
            project.long_term_goal, project.annual_goal, *_date(project.start_date), *_date(project.end_date),
            f"项目{n}：{project.name}", f"{project.period_start_year}年-{project.period_end_year}年",
        ]
        for field in ("budget", "fiscal_funds", "other_funds", "carryover_funds", "half_year_plan", "mid_term_total"):
            texts += _amounts(getattr(project, field))
        texts.append("".join(f"{i}.{item.text}" for i, item in enumerate(project.goal_items.all(), start=1)))
        texts += [f"{i}.{item.text}" for i, item in enumerate(project.goal_items.all(), start=1)]
        for point in project.spending_plan.all():
            texts += [point.label, f"{format_number(point.percent)}%"]
        for line in project.money_lines.all():
            texts += _amounts(line.amount)
        for indicator in project.indicators.select_related("subcategory__category"):
            texts += _indicator_texts(indicator)
    return [flat(t) for t in texts if t]


def cells_missing_from_database(seed, unit, year):
    """The seed's cells that appear in none of the database's values (each compared whole)."""
    haystack = "\n".join(database_texts(unit, year))
    return [cell for cell in seed_cells(seed) if cell not in haystack]
