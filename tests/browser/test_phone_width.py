"""Every main logged-in page at a phone's width (390 × 844): the page never scrolls sideways and no
text cell is squeezed to one character per line."""
import pytest

from declarations.models import DepartmentDeclaration, ProjectDeclaration
from review.services import declaration_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}

# Visible text boxes longer than 3 characters narrower than 2 em: text wrapped one character a line.
SQUEEZED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('td, th, li, label, button, a.nav-link, .navbar-text')) {
    const text = (el.innerText || '').trim();
    if (text.length <= 3) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.closest('.visually-hidden')) continue;
    const em = parseFloat(getComputedStyle(el).fontSize);
    if (box.width <= 2 * em) found.push(el.tagName + ': ' + text.slice(0, 20) + ' (' + Math.round(box.width) + 'px)');
  }
  return found;
}"""


@pytest.fixture
def demo(django_db_setup, django_db_blocker):
    from accounts.models import User
    from declarations.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
        declaration_submit(declaration=project, user=User.objects.get(username="zunhua-xfj"))
    return project


def _phone(browser, live_server, username):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "xinfang-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def _problems(page, path):
    response = page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path)
    assert response.status == 200, (path, response.status)
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    problems = [f"{path}: page {width}px wide in {inner}px"] if width > inner else []
    return problems + [f"{path}: {cell}" for cell in page.evaluate(SQUEEZED)]


def _step_paths(page, path):
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path)
    return [link.get_attribute("href") for link in page.locator(".wizard-steps a").all()]


def _check(page, paths):
    problems = []
    for path in paths:
        problems += _problems(page, path)
    assert problems == [], "\n".join(problems)


def test_the_navbar_collapses_behind_a_toggler_at_390(browser, live_server, demo):
    context, page = _phone(browser, live_server, "zunhua-xfj")
    assert not page.get_by_role("link", name="修改密码").is_visible()
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="修改密码").wait_for(state="visible")
    context.close()


def test_a_fillers_pages_and_every_wizard_step_fit_a_phone(browser, live_server, demo):
    context, page = _phone(browser, live_server, "zunhua-xfj")
    department = DepartmentDeclaration.objects.filter(unit__users__username="zunhua-xfj").first()
    draft = ProjectDeclaration.objects.filter(unit=department.unit).exclude(pk=demo.pk).first()
    steps = _step_paths(page, f"/projects/{draft.pk}/edit/basic/")
    steps += _step_paths(page, f"/departments/{department.pk}/edit/profile/")
    assert len(steps) >= 6
    _check(page, ["/", f"/projects/{demo.pk}/", f"/departments/{department.pk}/", "/notifications/",
                  f"/documents/{department.unit_id}/{department.year.year}/", *steps])
    context.close()


def test_a_reviewers_pages_fit_a_phone(browser, live_server, demo):
    context, page = _phone(browser, live_server, "zunhua-czj")
    _check(page, ["/", "/review/?year=2024", f"/review/project/{demo.pk}/", "/notifications/"])
    context.close()


def test_the_administrators_pages_fit_a_phone(browser, live_server, demo):
    context, page = _phone(browser, live_server, "admin")
    _check(page, ["/", "/review/?year=2024", f"/review/project/{demo.pk}/", "/notifications/"])
    context.close()
