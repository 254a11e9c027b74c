"""A filler enters the 乐亭 project 信访专项资金 from scratch, as printed in the seed."""
import re

import pytest

from declarations.models import ProjectDeclaration
from tests.export_text import missing_cells, pdf_text
from tests.seed_text import SEED_DIR, flat
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INDICATORS = [
    ("数量指标", "重点地区访量", "≤10 批次"),
    ("质量指标", "上级交办案件按期结案率", "≤100%"),
    ("时效指标", "预算资金执行率", "≤100%"),
    ("成本指标", "信访费用支出", "≤185 万元"),
    ("社会效益指标", "解决信访问题，社会和谐稳定", "显著改善"),
    ("可持续影响指标", "化解各种访量，维护社会稳定和谐", "有效化解"),
    ("服务对象满意度指标", "信访群众及相关单位满意度", "≥90%"),
]


def _seed_table_cells():
    """The cells of the seed's second table (信访专项资金), without its numbered title."""
    text = (SEED_DIR / "hebei-laoting-2025-petition-bureau.txt").read_text(encoding="utf-8")
    table = text[text.index("## 2. 信访专项资金绩效目标表"):].split("\n", 1)[1]
    cells = []
    for line in table.splitlines():
        for piece in line.split("\t"):
            cell = flat(re.sub(r"[*#]+", "", piece))
            if len(cell) >= 2:
                cells.append(cell)
    return cells


def _subcategory_ids():
    from indicators.models import Subcategory

    return {
        s.name: s.pk for s in Subcategory.objects.filter(
            category__framework__layout__code="hebei", category__framework__table_kind="project"
        )
    }


def _fill_funds(page, fiscal):
    page.fill("#id_budget", "185")
    page.fill("#id_fiscal_funds", fiscal)
    page.fill("#id_other_funds", "0")
    page.fill("#id_purpose", "减少进京访、赴省访、到市访量，化解各种疑难问题，维护社会稳定")
    for n, percent in enumerate(["25", "50", "75", "100"]):
        page.fill(f"#id_plan_{n}", percent)
    page.click(".wizard-form button[type=submit]")


def test_a_filler_enters_a_seed_project_from_scratch_and_its_pdf_holds_the_seed(page, live_server, demo):
    log_in(page, live_server, "laoting-xfj")
    page.click("text=新建项目绩效目标")
    page.select_option("#id_year", label="2026年")
    page.fill("#id_code", "13022525P00RERB10015T")
    page.fill("#id_name", "信访专项资金")
    page.click(".wizard-form button[type=submit]")

    # A mistake in the money step: everything else typed stays.
    page.wait_for_selector("#id_budget")
    _fill_funds(page, fiscal="180")
    page.wait_for_selector("[data-testid=error-summary]")
    assert "≠ 预算数 185 万元" in page.inner_text("[data-testid=error-summary]")
    assert page.input_value("#id_purpose").startswith("减少进京访")
    assert page.input_value("#id_plan_2") == "75"
    page.fill("#id_fiscal_funds", "185")
    page.click(".wizard-form button[type=submit]")

    page.wait_for_selector("#id_goal_items_text")
    page.fill("#id_goal_items_text", "减少进京访、赴省访、到市访量\n化解各种疑难问题，维护社会稳定")
    page.click(".wizard-form button[type=submit]")

    # The indicator step opens as the grid (tests/browser/test_indicator_grid.py); this journey
    # takes the one-form fallback, which keeps working for browsers without scripts.
    page.wait_for_selector("#grid-app[data-ready='1']")
    page.click("[data-testid=form-fallback]")
    page.wait_for_selector("#indicator-editor")
    subcategories = _subcategory_ids()
    for subcategory, name, value in INDICATORS:
        section = f"section[data-subcategory='{subcategories[subcategory]}']"
        before = page.locator(f"{section} .indicator-row").count()
        page.click(f"{section} button[value^='add:']")
        page.locator(f"{section} .indicator-row").nth(before).wait_for()
        row = page.locator(f"{section} .indicator-row").last
        key = row.get_attribute("data-key")
        page.fill(f"#{key}-name", name)
        page.fill(f"#{key}-description", name)
        page.fill(f"#{key}-quick", value)
        page.locator(f"#preview-{key} strong").wait_for()  # the live preview answered (under the CSP)
    page.click("button[value=save]")
    page.wait_for_selector("text=绩效指标已保存")

    project = ProjectDeclaration.objects.get(unit__code="482001", year__year=2026, name="信访专项资金")
    assert [i.value_display for i in project.indicators.order_by("order")] == [
        "≤10批次", "≤100%", "≤100%", "≤185万元", "显著改善", "有效化解", "≥90%",
    ]

    page.click("a[data-step=preview]")
    page.wait_for_selector(".preview table.grid")
    with page.expect_download() as download:
        page.evaluate(f"window.location.href = '/projects/{project.pk}/export.pdf'")
    content = open(download.value.path(), "rb").read()
    assert missing_cells(_seed_table_cells(), pdf_text(content)) == []


def test_the_wizard_fits_a_laptop_and_a_phone_screen(browser, live_server, demo):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    for width, height in ((1366, 768), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, live_server, "laoting-xfj")
        for step in ("funds", "indicators", "preview"):
            page.goto(f"{live_server.url}/projects/{project.pk}/edit/{step}/")
            page.wait_for_selector(".wizard-steps")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{step} at {width}px scrolls sideways by {overflow}px"
        page.goto(f"{live_server.url}/projects/{project.pk}/edit/indicators/")
        page.wait_for_selector("#grid-app[data-ready='1']")
        assert page.locator("[data-action=save]").is_visible()
        context.close()
