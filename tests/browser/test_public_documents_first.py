"""On a phone, a unit's public page opens on its downloads, not on checksums."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published_demo(django_db_setup, django_db_blocker):
    from declarations.services.demo import demo_load, demo_publish

    with django_db_blocker.unblock():
        demo_load()
        demo_publish()


def test_a_phones_first_screen_of_a_unit_page_shows_a_pdf_download_and_no_hash(browser, live_server, published_demo):
    from declarations.models import Unit

    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    unit = Unit.objects.get(name="如皋市信访局")
    page.goto(f"{live_server.url}/public/units/{unit.pk}/2024/")
    pdf = page.locator("[data-testid=release] a[data-format=pdf]")
    assert pdf.inner_text() == "下载 PDF" and pdf.is_visible()
    box = pdf.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, f"the PDF link is at {box['y']}px"
    hashes = page.locator("code")
    assert hashes.count() >= 8 and not any(hashes.nth(i).is_visible() for i in range(hashes.count()))
    page.click("[data-testid=release] summary")
    assert hashes.first.is_visible()  # one click opens 开放数据与校验
    context.close()
