"""An anonymous visitor, without JavaScript, finds each published seed and downloads it."""
import pytest

from tests.conftest import SEEDS
from tests.export_text import missing_cells, pdf_text, xlsx_text
from tests.seed_text import seed_cells
from tests.test_exports_golden import MAY_LACK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published_demo(django_db_setup, django_db_blocker):
    from declarations.services.demo import demo_load, demo_publish

    with django_db_blocker.unblock():
        demo_load()
        demo_publish()


def test_each_published_seed_is_found_by_search_and_downloads_in_full(browser, live_server, published_demo):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    for seed, (unit_name, year) in SEEDS.items():
        page.goto(f"{live_server.url}/public/")
        page.fill("#q", unit_name)
        page.click("header button[type=submit]")
        page.wait_for_selector("[data-testid=results]")
        page.click(f"[data-testid=results] a >> nth=0")
        page.wait_for_selector("[data-testid=release]")
        assert f"{unit_name} {year}年度预算绩效目标" in page.inner_text("h1")
        texts = {}
        for fmt, read in (("pdf", pdf_text), ("xlsx", xlsx_text)):
            with page.expect_download() as download:
                page.click(f"[data-testid=release] a[data-format={fmt}]")
            texts[fmt] = read(open(download.value.path(), "rb").read())
        for fmt, text in texts.items():
            missing = set(missing_cells(seed_cells(seed), text)) - set(MAY_LACK[seed])
            assert missing == set(), f"{seed} {fmt} lacks {sorted(missing)[:5]}"
    context.close()


def test_the_portal_reads_well_on_a_phone(browser, live_server, published_demo):
    from declarations.models import Unit

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    unit = Unit.objects.get(name="如皋市信访局")
    for path in ("/public/", f"/public/bureaus/{unit.bureau_id}/", f"/public/units/{unit.pk}/2024/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px"
    context.close()
