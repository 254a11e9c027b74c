"""The indicator grid in a browser: a block pasted from last year's workbook, and nothing lost on leaving."""
import io
import re

import openpyxl
import pytest

from declarations.exports.registry import export_project
from declarations.models import BudgetYear, DepartmentDeclaration, IndicatorDraft, ProjectDeclaration, Status
from tests.export_text import missing_cells, pdf_text
from tests.seed_text import SEED_DIR, flat
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def workbook_block(content, first="一级指标"):
    """The indicator rows of a workbook as Excel copies them: tab-separated, merged cells blank."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    lines, inside = [], False
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if value is None else str(value) for value in row]
        inside = inside or cells[0] == first
        if inside:
            lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(lines)


def _seed_table_cells():
    """The cells of the 乐亭 seed's second table (信访专项资金), without its numbered title."""
    text = (SEED_DIR / "hebei-laoting-2025-petition-bureau.txt").read_text(encoding="utf-8")
    table = text[text.index("## 2. 信访专项资金绩效目标表"):].split("\n", 1)[1]
    return [flat(re.sub(r"[*#]+", "", piece)) for line in table.splitlines() for piece in line.split("\t")
            if len(flat(re.sub(r"[*#]+", "", piece))) >= 2]


@pytest.fixture
def new_project(demo):
    """乐亭's 信访专项资金 for 2026: money and goals as last year, no indicators yet."""
    last_year = ProjectDeclaration.objects.get(code="13022525P00RERB10015T", year__year=2025)
    project = ProjectDeclaration.objects.create(
        unit=last_year.unit, year=BudgetYear.objects.get_or_create(year=2026)[0], name=last_year.name,
        code=last_year.code, budget=last_year.budget, fiscal_funds=last_year.fiscal_funds,
        other_funds=last_year.other_funds, purpose=last_year.purpose,
    )
    for item in last_year.goal_items.all():
        project.goal_items.create(order=item.order, text=item.text)
    for checkpoint in last_year.spending_plan.all():
        project.spending_plan.create(order=checkpoint.order, label=checkpoint.label, percent=checkpoint.percent)
    return project, last_year


def _open_grid(page, live_server, project):
    page.goto(f"{live_server.url}/projects/{project.pk}/edit/indicators/")
    page.wait_for_selector("#grid-app[data-ready='1']")


def _paste(page, text):
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.click("#indicator-grid .tabulator-tableholder")
    page.keyboard.press("Control+V")


def _type_row(page, name, value):
    page.click("[data-action=add]")
    page.locator("#indicator-grid .tabulator-cell[tabulator-field=name] input").wait_for()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


@pytest.fixture
def grid_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def test_last_years_block_pasted_from_the_workbook_prints_every_seed_cell(grid_page, live_server, new_project):
    project, last_year = new_project
    block = workbook_block(export_project(project=last_year, fmt="xlsx")[2])
    assert block.count("\n") == 7  # the header and seven indicators, 一级 merged down

    log_in(grid_page, live_server, "laoting-xfj")
    _open_grid(grid_page, live_server, project)
    _paste(grid_page, block)
    grid_page.wait_for_selector("[data-testid=grid-status]:has-text('已保存 7 个指标')")
    assert "必填二级指标" not in grid_page.inner_text("body")  # the findings refreshed without a reload

    assert [i.value_display for i in project.indicators.order_by("order")] == [
        "≤10批次", "≤100%", "≤100%", "≤185万元", "显著改善", "有效化解", "≥90%",
    ]
    with grid_page.expect_download() as download:
        grid_page.evaluate(f"window.location.href = '/projects/{project.pk}/export.pdf'")
    content = open(download.value.path(), "rb").read()
    assert missing_cells(_seed_table_cells(), pdf_text(content)) == []


def test_an_unknown_subcategory_is_flagged_on_its_cell_and_fixed_there(grid_page, live_server, new_project):
    project, _ = new_project
    log_in(grid_page, live_server, "laoting-xfj")
    _open_grid(grid_page, live_server, project)
    _paste(grid_page, "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t创新指标\t新办法试点\t3个")
    grid_page.wait_for_selector("[data-testid=grid-errors]:has-text('未知的二级指标“创新指标”')")
    assert grid_page.locator(".tabulator-cell[tabulator-field=subcategory].grid-cell-error").count() == 1
    grid_page.wait_for_selector("[data-testid=grid-status]:has-text('已暂存')")
    assert IndicatorDraft.objects.filter(project=project).exists() and not project.indicators.exists()

    grid_page.click(".tabulator-cell[tabulator-field=subcategory].grid-cell-error")
    grid_page.click(".tabulator-edit-list-item:has-text('数量指标')")
    grid_page.wait_for_selector("[data-testid=grid-status]:has-text('已保存 1 个指标')")
    assert [(i.subcategory.name, i.name, i.value_display) for i in project.indicators.all()] == [
        ("数量指标", "新办法试点", "3个"),
    ]


@pytest.mark.parametrize("leave", ["step tab", "next button"])
def test_leaving_by_a_link_right_after_typing_saves_first(grid_page, live_server, new_project, leave):
    project, _ = new_project
    log_in(grid_page, live_server, "laoting-xfj")
    _open_grid(grid_page, live_server, project)
    _type_row(grid_page, "接待群众来访", "≥1200人次")
    grid_page.click("a[data-step=preview]" if leave == "step tab" else "[data-testid=next-step]")
    grid_page.wait_for_url(f"**/projects/{project.pk}/edit/preview/")
    assert [i.value_display for i in project.indicators.all()] == ["≥1200人次"]


def test_a_half_typed_row_left_by_a_link_comes_back_with_its_error(grid_page, live_server, new_project):
    project, _ = new_project
    log_in(grid_page, live_server, "laoting-xfj")
    _open_grid(grid_page, live_server, project)
    _type_row(grid_page, "接待群众来访", "≥")
    grid_page.click("a[data-step=goals]")
    grid_page.wait_for_url(f"**/projects/{project.pk}/edit/goals/")
    _open_grid(grid_page, live_server, project)
    assert "暂存的 1 行" in grid_page.inner_text("[data-testid=draft-banner]")
    assert grid_page.locator(".grid-cell-error[tabulator-field=value]").count() == 1
    assert "接待群众来访" in grid_page.inner_text("#indicator-grid")


def test_closing_the_tab_with_unsaved_rows_asks_first(grid_page, live_server, new_project):
    project, _ = new_project
    log_in(grid_page, live_server, "laoting-xfj")
    _open_grid(grid_page, live_server, project)
    dialogs = []
    grid_page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    _type_row(grid_page, "接待群众来访", "≥1200人次")
    grid_page.close(run_before_unload=True)
    grid_page.wait_for_timeout(500)
    saved = project.indicators.filter(name="接待群众来访").exists()
    assert dialogs == ["beforeunload"] or saved


def test_rows_typed_after_the_session_was_lost_come_back_after_logging_in(browser, live_server, new_project):
    project, _ = new_project
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "laoting-xfj")
    _open_grid(page, live_server, project)
    context.clear_cookies()  # the session ends (timeout, logout in another tab)
    _type_row(page, "接待群众来访", "≥1200人次")
    page.wait_for_selector("[data-testid=grid-status]:has-text('本机浏览器')")
    assert not project.indicators.exists()

    log_in(page, live_server, "laoting-xfj")
    _open_grid(page, live_server, project)
    page.click("[data-testid=local-backup] >> text=恢复这些行")
    page.wait_for_selector("[data-testid=grid-status]:has-text('已保存 1 个指标')")
    assert [i.value_display for i in project.indicators.all()] == ["≥1200人次"]
    context.close()


def test_eighty_one_indicators_edit_in_a_page_under_four_screens(grid_page, live_server, demo):
    department = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")
    log_in(grid_page, live_server, "yangxin-xfj")
    grid_page.goto(f"{live_server.url}/departments/{department.pk}/edit/indicators/")
    grid_page.wait_for_selector("#grid-app[data-ready='1']")
    assert grid_page.evaluate("window.indicatorGrid.table.getDataCount()") == 81
    height = grid_page.evaluate("document.documentElement.scrollHeight")
    assert height <= 4 * 900, f"the page is {height}px tall"
    # The header row stays in view while the rows scroll.
    grid_page.evaluate("window.indicatorGrid.table.scrollToRow(window.indicatorGrid.table.getRows().at(-1), 'top', false)")
    assert grid_page.locator(".tabulator-col-title:has-text('三级指标')").is_visible()


def test_a_submitted_declaration_shows_a_read_only_grid(grid_page, live_server, demo):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T", year__year=2025)
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=Status.SUBMITTED)
    log_in(grid_page, live_server, "laoting-xfj")
    _open_grid(grid_page, live_server, project)
    grid_page.click(".tabulator-cell[tabulator-field=value] >> nth=0")
    assert grid_page.locator(".tabulator-cell input").count() == 0
    assert grid_page.locator(".grid-delete, [data-action=add]").count() == 0
    assert "表格为只读" in grid_page.inner_text("#grid-app")


def test_the_grid_fits_a_phone_without_sideways_scrolling(browser, live_server, demo):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T", year__year=2025)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "laoting-xfj")
    _open_grid(page, live_server, project)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert page.evaluate("window.indicatorGrid.table.getDataCount()") == 7
    context.close()
