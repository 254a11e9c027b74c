#!/usr/bin/env python
"""Keys + clicks to enter a seed project, against the Excel template's count. Prints `name=value` lines.

    .venv/bin/python bench/keystrokes.py

A filler enters 乐亭's 信访专项资金 (the seed's second table) as a new 2026 project, without the
indicator library, in a real browser (Debian's chromium) against a server on a fresh SQLite
database with the demo. Each click counts 1, each typed character 1, each key (Tab, Enter,
Ctrl+V) 1. What last year's file holds is pasted from it, as fillers do — the indicator block from
last year's workbook and the prose (资金用途, 绩效目标) from last year's text: select (click +
shift-click: 2), Ctrl+C (1), click into the grid or box (1), Ctrl+V (1). Code, name, the parts of
the money (预算数 is their sum, left blank) and the spending plan are typed; the open year is
preselected.

The Excel template's count is what the issue defines: the characters of every cell the filler
fills in the template, plus one move per cell (the 一级/二级 captions are printed in the template
and not counted). `ratio` is ours over that; the target is ≤ 0.4. The other figures are the
honest other side: `ratio_prose_typed` types the prose instead of pasting it, and
`ratio_if_excel_pastes_too` lets the template's filler paste the same things the same way.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='pjd-keys-')}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

PASTE_ACTIONS = 5  # click the block's first cell, shift-click its last, Ctrl+C, click the grid, Ctrl+V
PASSWORD = "xinfang-demo-2026"


def emit(name, value):
    print(f"{name}={value:.3f}" if isinstance(value, float) else f"{name}={value}", flush=True)


class Counted:
    """A Playwright page whose clicks and keys are counted as a filler would make them."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, selector):
        self.count += 1
        self.page.click(selector)

    def type_into(self, selector, text):
        self.click(selector)
        self.count += len(text)
        self.page.fill(selector, text)

    def choose(self, selector, label):
        self.count += 2  # open the list, pick
        self.page.select_option(selector, label=label)

    def paste_text(self, selector, text):
        self.count += PASTE_ACTIONS - 1
        self.click(selector)
        self.page.fill(selector, text)

    def paste_block(self, text):
        self.page.evaluate("text => navigator.clipboard.writeText(text)", text)
        self.count += PASTE_ACTIONS - 1
        self.click("#indicator-grid .tabulator-tableholder")
        self.page.keyboard.press("Control+V")


def workbook_block(content):
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    lines, inside = [], False
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if value is None else str(value) for value in row]
        inside = inside or cells[0] == "一级指标"
        if inside:
            lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(lines)


def excel_count(project):
    """(all typed, prose and indicators pasted): characters + one move per cell the filler fills
    in the Excel template of this table."""
    from declarations.values import format_amount

    cells = [project.code, project.name, format_amount(project.budget), format_amount(project.fiscal_funds),
             format_amount(project.other_funds)]
    cells += [f"{checkpoint.percent:g}%" for checkpoint in project.spending_plan.all()]
    prose = [project.purpose, "\n".join(item.text for item in project.goal_items.all())]
    indicator_cells = []
    for indicator in project.indicators.all():
        indicator_cells += [indicator.name, indicator.description, indicator.value_display, indicator.basis]
    typed = sum(len(c) + 1 for c in cells if c)
    return (typed + sum(len(c) + 1 for c in prose + indicator_cells if c),
            typed + PASTE_ACTIONS * (1 + len([c for c in prose if c])))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    from accounts.models import User
    from declarations.exports.registry import export_project
    from declarations.models import ProjectDeclaration
    from declarations.services.demo import demo_load

    call_command("migrate", verbosity=0)
    demo_load()
    User.objects.update(must_change_password=False)
    seed = ProjectDeclaration.objects.get(code="13022525P00RERB10015T", year__year=2025)
    block = workbook_block(export_project(project=seed, fmt="xlsx")[2])
    plan = [f"{c.percent:g}" for c in seed.spending_plan.all()]
    goals = "\n".join(item.text for item in seed.goal_items.all())

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True,
                args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
            )
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
            page = context.new_page()
            page.goto(f"{url}/login/")
            page.fill("#id_username", "laoting-xfj")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/")

            filler = Counted(page)  # counting starts on the home page, logged in
            filler.click("text=新建项目绩效目标")
            if page.locator("#id_year option:checked").inner_text().strip() != "2026年":
                filler.choose("#id_year", "2026年")  # the open year is preselected; another is chosen
            filler.type_into("#id_code", seed.code)
            filler.type_into("#id_name", seed.name)
            filler.click(".wizard-form button[type=submit]")
            page.wait_for_selector("#id_budget")
            # 预算数 is left blank: it is saved as the sum of its parts (财政资金 + 其他资金).
            for field, value in (("fiscal_funds", seed.fiscal_funds), ("other_funds", seed.other_funds)):
                filler.type_into(f"#id_{field}", f"{value:g}")
            filler.paste_text("#id_purpose", seed.purpose)
            prose_typed = len(seed.purpose) + 1 - PASTE_ACTIONS
            for n, percent in enumerate(plan):
                filler.type_into(f"#id_plan_{n}", percent)
            filler.click(".wizard-form button[type=submit]")
            page.wait_for_selector("#id_goal_items_text")
            filler.paste_text("#id_goal_items_text", goals)
            prose_typed += len(goals) + 1 - PASTE_ACTIONS
            filler.click(".wizard-form button[type=submit]")
            page.wait_for_selector("#grid-app[data-ready='1']")
            filler.paste_block(block)
            page.wait_for_selector("[data-testid=grid-status]:has-text('已保存')")
            browser.close()
    finally:
        server.terminate()
        server.wait()

    entered = ProjectDeclaration.objects.get(unit=seed.unit, year__year=2026, code=seed.code)
    same = [i.value_display for i in entered.indicators.all()] == [i.value_display for i in seed.indicators.all()]
    typed_template, pasted_template = excel_count(seed)
    emit("indicators_match_seed", same)
    emit("budget_matches_seed", entered.budget == seed.budget)
    emit("ours_keys_and_clicks", filler.count)
    emit("excel_template_count", typed_template)
    emit("ratio", filler.count / typed_template)
    emit("ratio_prose_typed", (filler.count + prose_typed) / typed_template)
    emit("excel_template_count_if_pasted", pasted_template)
    emit("ratio_if_excel_pastes_too", filler.count / pasted_template)


if __name__ == "__main__":
    main()
