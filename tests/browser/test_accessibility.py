"""axe-core (from npm, served as our own static file under the test settings only) finds no serious
or critical violation on any main page of any role, at desktop and phone widths."""
import pytest

from declarations.models import DepartmentDeclaration, ProjectDeclaration, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = "/static/vendor/axe/axe.min.js"
VIEWPORTS = ({"width": 1366, "height": 768}, {"width": 390, "height": 844})
SEVERE = {"serious", "critical"}
DUPLICATE_IDS = """() => {
    const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
    return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}"""
PUBLISHED_UNIT = "固原市信访局"
ZUNHUA_PROJECT = "13028124P00096710001G"


@pytest.fixture
def demo(django_db_setup, django_db_blocker):
    """The demo with 固原's document published and one other 遵化 project submitted for review;
    遵化's 部门整体 and its project 13028124P00096710001G stay drafts for the filler's wizards."""
    from accounts.models import User
    from declarations.services.demo import demo_load
    from public.services import declaration_publish, release_refresh
    from review.services import declaration_approve, declaration_submit

    with django_db_blocker.unblock():
        demo_load()
        unit = Unit.objects.get(name=PUBLISHED_UNIT)
        filler = User.objects.get(username="guyuan-xfj")
        reviewer = User.objects.get(username="guyuan-czj")
        for model in (DepartmentDeclaration, ProjectDeclaration):
            for declaration in model.objects.filter(unit=unit):
                declaration = declaration_submit(declaration=declaration, user=filler)
                declaration = declaration_approve(declaration=declaration, user=reviewer)
                declaration_publish(declaration=declaration, user=reviewer, refresh_release=False)
        release_refresh(unit=unit, year=declaration.year)
        submitted = ProjectDeclaration.objects.filter(unit__name="遵化市信访局").exclude(code=ZUNHUA_PROJECT).first()
        declaration_submit(declaration=submitted, user=User.objects.get(username="zunhua-xfj"))


def _severe_violations(page, path):
    """Each serious or critical violation on the page at each viewport: width, path, rule, impact, target, html."""
    page.goto(path)
    page.add_script_tag(url=AXE)
    found = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            for node in violation["nodes"]:
                impact = node.get("impact") or violation["impact"]
                if impact in SEVERE:
                    found.append(
                        f"{viewport['width']}px {path} {violation['id']} {impact} {node['target']} {node['html'][:100]}"
                    )
        # axe 4 no longer reports duplicate ids; a label or aria reference to a repeated id names the wrong box.
        for duplicate in page.evaluate(DUPLICATE_IDS):
            found.append(f"{viewport['width']}px {path} duplicate-id serious #{duplicate}")
    return found


def _check_pages(browser, live_server, paths, username=None):
    context = browser.new_context(viewport=VIEWPORTS[0], locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    if username:
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "xinfang-demo-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
    found = [line for path in paths for line in _severe_violations(page, path)]
    context.close()
    assert found == [], "\n".join(found)


def test_axe_runs_under_the_content_security_policy(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/login/")
    page.add_script_tag(url=AXE)
    assert page.evaluate("typeof axe.run") == "function"
    context.close()


def test_anonymous_pages_have_no_serious_accessibility_violation(browser, live_server, demo):
    unit = Unit.objects.get(name=PUBLISHED_UNIT)
    year = ProjectDeclaration.objects.filter(unit=unit).first().year.year
    paths = [
        "/public/",
        f"/public/bureaus/{unit.bureau_id}/",
        f"/public/units/{unit.pk}/{year}/",
        "/public/search/?q=固原",
        "/login/",
    ]
    _check_pages(browser, live_server, paths)


def test_filler_pages_have_no_serious_accessibility_violation(browser, live_server, demo):
    project = ProjectDeclaration.objects.get(unit__name="遵化市信访局", code=ZUNHUA_PROJECT)
    department = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    project_steps = ("basic", "funds", "goals", "indicators", "preview")
    department_steps = ("profile", "money", "projects", "goals", "indicators", "preview")
    paths = [
        "/",
        f"/projects/{project.pk}/",
        *(f"/projects/{project.pk}/edit/{step}/" for step in project_steps),
        *(f"/departments/{department.pk}/edit/{step}/" for step in department_steps),
        f"/documents/{project.unit_id}/{project.year.year}/",
    ]
    _check_pages(browser, live_server, paths, username="zunhua-xfj")


def test_reviewer_pages_have_no_serious_accessibility_violation(browser, live_server, demo):
    submitted = ProjectDeclaration.objects.get(unit__name="遵化市信访局", status="submitted")
    paths = [f"/review/?year={submitted.year.year}", f"/review/project/{submitted.pk}/", "/notifications/"]
    _check_pages(browser, live_server, paths, username="zunhua-czj")


def test_administrator_pages_have_no_serious_accessibility_violation(browser, live_server, demo):
    from indicators.models import Layout

    project = ProjectDeclaration.objects.get(unit__name="遵化市信访局", code=ZUNHUA_PROJECT)
    layout = Layout.objects.get(code="hebei")
    paths = [
        "/admin/",
        f"/admin/declarations/projectdeclaration/{project.pk}/change/",
        f"/admin/indicators/layout/{layout.pk}/change/",
    ]
    _check_pages(browser, live_server, paths, username="admin")
