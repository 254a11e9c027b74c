"""Playwright drives Debian's chromium (never a downloaded browser), headless and offline."""
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]



@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


DEMO_PASSWORD = "xinfang-demo-2026"


@pytest.fixture
def demo(django_db_setup, django_db_blocker):
    """The demo, put back for each browser test (transaction=True empties the tables after each)."""
    from declarations.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()


def log_in(page, live_server, username, password=DEMO_PASSWORD, *, wait=True):
    """Log in through the login form, as a person does; wait for the home page unless told not to."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    if wait:
        page.wait_for_url(f"{live_server.url}/")
