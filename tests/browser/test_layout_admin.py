"""An administrator changes a layout in the admin: edits its definition, previews it beside the
editor, saves it as a new version, and the next export prints it."""
import pytest

from declarations.models import ProjectDeclaration
from indicators.models import Layout

from ..export_text import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_defines_previews_and_exports_a_layout(page, live_server, demo):
    layout = Layout.objects.get(code="ningxia")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "xinfang-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/admin/indicators/layout/{layout.pk}/change/")
    editor = page.locator("#id_definition_text")
    text = editor.input_value()
    assert "部门项目支出预算绩效目标表" in text
    editor.fill(text.replace("部门项目支出预算绩效目标表", "项目绩效目标表（管理员在浏览器里改）"))

    # Define → preview: the frame beside the editor prints the definition being edited, on real data.
    page.click("[data-testid=preview-button]")
    frame = page.frame(name="layout-preview")
    frame.wait_for_selector("text=项目绩效目标表（管理员在浏览器里改）")
    assert "固原市信访局" in frame.content() or "信访" in frame.content()

    # A broken edit is refused with the key named, and nothing is saved.
    editor.fill(text.replace("columns:", "colums:", 1))
    page.click("input[name=_save]")
    page.wait_for_selector("text=columns: 缺少必填字段")
    layout.refresh_from_db()
    assert layout.version == 1

    # Save → a new version; the next export prints it.
    page.locator("#id_definition_text").fill(text.replace("部门项目支出预算绩效目标表", "项目绩效目标表（管理员在浏览器里改）"))
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/indicators/layout/")
    layout.refresh_from_db()
    assert layout.version == 2

    project = ProjectDeclaration.objects.filter(unit__name="固原市信访局").first()
    response = page.request.get(f"{live_server.url}/projects/{project.pk}/export.pdf")
    assert response.status == 200
    assert "项目绩效目标表（管理员在浏览器里改）" in pdf_text(response.body()).replace(" ", "")
