"""At 1366 px the review page shows the document whole: no sideways scroll, the last column in view."""
import pytest

from declarations.models import ProjectDeclaration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_review_page_shows_the_document_without_sideways_scroll_at_1366(page, live_server, demo):
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "zunhua-czj")
    page.fill("#id_password", "xinfang-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/review/project/{project.pk}/")

    document = page.locator("[data-testid=document]")
    widths = document.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert widths[0] <= widths[1], widths
    header = document.locator("th", has_text="指标值确定依据").first
    header.scroll_into_view_if_needed()
    box, view = header.bounding_box(), document.bounding_box()
    assert header.is_visible() and box["x"] + box["width"] <= view["x"] + view["width"]
