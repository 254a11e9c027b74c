"""Every named view × every role, own versus foreign unit and bureau.

The list of views comes from the URL configuration: a new view without a row here fails
`test_every_view_is_in_the_matrix`, so no view can escape the matrix."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from declarations.models import DepartmentDeclaration, ProjectDeclaration, Unit
from review.services import declaration_return, declaration_submit

PERSONAS = ["anonymous", "own_filler", "other_filler", "own_reviewer", "other_reviewer", "admin"]
USERNAMES = {"own_filler": "zunhua-xfj", "other_filler": "rugao-xfj", "own_reviewer": "zunhua-czj",
             "other_reviewer": "rugao-czj", "admin": "admin"}
SKIP = {"login", "logout", "password_change"}  # the authentication views themselves (tests/test_accounts.py)


def _statuses(anonymous, own_filler, other_filler, own_reviewer, other_reviewer, admin):
    return dict(zip(PERSONAS, (anonymous, own_filler, other_filler, own_reviewer, other_reviewer, admin)))


SCOPED_READ = _statuses(302, 200, 404, 200, 404, 200)
EDIT = _statuses(302, 200, 404, 404, 404, 200)
REVIEW = _statuses(302, 404, 404, 200, 404, 200)
ANY_USER = _statuses(302, 200, 200, 200, 200, 200)
POST_ONLY = _statuses(302, 405, 405, 405, 405, 405)
EVERYONE = _statuses(200, 200, 200, 200, 200, 200)
NOBODY = _statuses(404, 404, 404, 404, 404, 404)  # public pages of something not published

# name → (arguments, expected status by persona); `{project}`, `{department}`, `{unit}` are filled in.
MATRIX = {
    "home": ({}, ANY_USER),
    "notifications": ({}, ANY_USER),
    "value_preview": ({}, ANY_USER),
    "project_detail": ({"pk": "{project}"}, SCOPED_READ),
    "department_detail": ({"pk": "{department}"}, SCOPED_READ),
    "project_download": ({"pk": "{project}", "fmt": "xlsx"}, SCOPED_READ),
    "department_download": ({"pk": "{department}", "fmt": "xlsx"}, SCOPED_READ),
    "document_preview": ({"unit_pk": "{unit}", "year": 2024}, SCOPED_READ),
    "document_download": ({"unit_pk": "{unit}", "year": 2024, "fmt": "xlsx"}, SCOPED_READ),
    "project_step": ({"pk": "{project}", "step": "funds"}, EDIT),
    "department_step": ({"pk": "{department}", "step": "goals"}, EDIT),
    "project_new": ({}, _statuses(302, 200, 200, 404, 404, 404)),
    "document_import": ({"unit_pk": "{unit}", "year": 2024}, _statuses(302, 200, 404, 404, 404, 404)),
    "review_dashboard": ({}, _statuses(302, 404, 404, 200, 200, 200)),
    "review_declaration": ({"kind": "project", "pk": "{project}"}, REVIEW),
    "review_sheet": ({"kind": "project", "pk": "{project}"}, SCOPED_READ),
    "department_new": ({}, POST_ONLY),
    "project_submit": ({"pk": "{project}"}, POST_ONLY),
    "department_submit": ({"pk": "{department}"}, POST_ONLY),
    "project_copy": ({"pk": "{project}"}, POST_ONLY),
    "project_adjust": ({"pk": "{project}"}, POST_ONLY),
    "department_adjust": ({"pk": "{department}"}, POST_ONLY),
    "department_copy": ({"pk": "{department}"}, POST_ONLY),
    # The indicator grid's JSON endpoints answer anonymous posts 401 (tests/test_indicator_grid.py).
    "project_indicator_grid": ({"pk": "{project}"}, _statuses(405, 405, 405, 405, 405, 405)),
    "department_indicator_grid": ({"pk": "{department}"}, _statuses(405, 405, 405, 405, 405, 405)),
    "project_indicator_paste": ({"pk": "{project}"}, _statuses(405, 405, 405, 405, 405, 405)),
    "department_indicator_paste": ({"pk": "{department}"}, _statuses(405, 405, 405, 405, 405, 405)),
    "project_indicator_discard": ({"pk": "{project}"}, POST_ONLY),
    "department_indicator_discard": ({"pk": "{department}"}, POST_ONLY),
    "review_act": ({"kind": "project", "pk": "{project}", "action": "approve"}, POST_ONLY),
    "review_approve_selected": ({}, POST_ONLY),
    "publication_act": ({"kind": "project", "pk": "{project}", "action": "publish"}, POST_ONLY),
    "public_index": ({}, EVERYONE),
    "public_search": ({}, EVERYONE),
    "robots": ({}, EVERYONE),
    "public_bureau": ({"pk": "{bureau}"}, NOBODY),
    "public_unit_year": ({"unit_pk": "{unit}", "year": 2024}, NOBODY),
    "public_file": ({"pk": 1, "sha256": "0" * 64, "filename": "x.pdf"}, NOBODY),
    "public_batch": ({"pk": 1}, NOBODY),
    "public_batch_download": ({"pk": 1}, NOBODY),
    "public_batch_start": ({"bureau_pk": "{bureau}", "year": 2024}, _statuses(405, 405, 405, 405, 405, 405)),
    # A job's progress page and file are its asker's only (tests/test_jobs.py); no job 1 exists here.
    "job": ({"pk": 1}, _statuses(302, 404, 404, 404, 404, 404)),
    "job_file": ({"pk": 1}, _statuses(302, 404, 404, 404, 404, 404)),
    # 运行监控 and 绩效自评 (evaluation): `{round}`, `{report}`, `{evaluation}` of another, approved 遵化 project.
    "evaluation_home": ({}, ANY_USER),
    "monitoring_round_open": ({}, POST_ONLY),
    "monitoring_round": ({"pk": "{round}"}, REVIEW),
    "monitoring_round_close": ({"pk": "{round}"}, POST_ONLY),
    "monitoring_start": ({"pk": "{round}", "project_pk": "{project}"}, POST_ONLY),
    "monitoring_report": ({"pk": "{report}"}, SCOPED_READ),
    "monitoring_export": ({"pk": "{report}", "fmt": "xlsx"}, SCOPED_READ),
    "monitoring_import": ({"pk": "{report}"}, POST_ONLY),
    "monitoring_act": ({"pk": "{report}", "act": "approve"}, POST_ONLY),
    "self_evaluation_start": ({"project_pk": "{project}"}, POST_ONLY),
    "self_evaluation": ({"pk": "{evaluation}"}, SCOPED_READ),
    "self_evaluation_export": ({"pk": "{evaluation}", "fmt": "xlsx"}, SCOPED_READ),
    "self_evaluation_import": ({"pk": "{evaluation}"}, POST_ONLY),
    "self_evaluation_judge": ({"pk": "{evaluation}"}, POST_ONLY),
    "self_evaluation_files": ({"pk": "{evaluation}"}, POST_ONLY),
    "self_evaluation_act": ({"pk": "{evaluation}", "act": "approve"}, POST_ONLY),
    "public_self_evaluations": ({}, EVERYONE),
    "public_self_evaluation": ({"pk": 1}, NOBODY),
    "public_self_evaluation_file": ({"pk": 1, "fmt": "pdf"}, NOBODY),
}
EVALUATION_OBJECTS = {"{round}", "{report}", "{evaluation}"}


def _named_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _named_patterns(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def test_every_view_is_in_the_matrix():
    names = set(_named_patterns(get_resolver().url_patterns)) - SKIP
    assert names - set(MATRIX) == set(), "add the new views to MATRIX with their expected statuses"
    assert set(MATRIX) - names == set()


@pytest.fixture
def returned_zunhua_project(db):
    """The 遵化 project, submitted and returned: it has a snapshot, a review and is editable again."""
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    project = declaration_submit(declaration=project, user=User.objects.get(username="zunhua-xfj"))
    return declaration_return(declaration=project, user=User.objects.get(username="zunhua-czj"), reason="请补充依据")


def _evaluation_objects():
    """A round of 遵化's bureau with a report and a self-evaluation of another 遵化 project, approved."""
    from evaluation import services
    from review.services import declaration_approve

    filler, reviewer = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    project = ProjectDeclaration.objects.filter(unit__code="455").exclude(code="13028124P00096710001G").first()
    project = declaration_approve(declaration=declaration_submit(declaration=project, user=filler), user=reviewer)
    monitoring_round = services.round_open(user=reviewer, bureau=reviewer.bureau, year=project.year,
                                           period_label="1-7月", checkpoint_month=7)
    return {
        "{round}": monitoring_round.pk,
        "{report}": services.monitoring_report_start(monitoring_round=monitoring_round, project=project,
                                                     user=filler).pk,
        "{evaluation}": services.self_evaluation_start(project=project, user=filler).pk,
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_what_its_scope_allows(client, returned_zunhua_project, name, persona):
    arguments, expected = MATRIX[name]
    values = {
        "{project}": returned_zunhua_project.pk,
        "{department}": DepartmentDeclaration.objects.get(unit__code="455").pk,
        "{unit}": Unit.objects.get(code="455").pk,
        "{bureau}": Unit.objects.get(code="455").bureau_id,
    }
    if EVALUATION_OBJECTS & set(arguments.values()):
        values.update(_evaluation_objects())
    kwargs = {key: values.get(value, value) if isinstance(value, str) else value for key, value in arguments.items()}
    if persona != "anonymous":
        client.force_login(User.objects.get(username=USERNAMES[persona]))
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == expected[persona]
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "username, name, kwargs",
    [
        ("rugao-xfj", "project_submit", {}),
        ("rugao-xfj", "project_copy", {}),
        ("rugao-xfj", "project_adjust", {}),
        ("rugao-czj", "project_adjust", {}),
        ("rugao-czj", "review_act", {"kind": "project", "action": "approve"}),
        ("rugao-czj", "review_act", {"kind": "project", "action": "return"}),
        ("zunhua-xfj", "review_act", {"kind": "project", "action": "approve"}),
        ("rugao-czj", "publication_act", {"kind": "project", "action": "publish"}),
        ("zunhua-xfj", "publication_act", {"kind": "project", "action": "publish"}),
    ],
)
def test_acts_on_a_foreign_or_unreviewable_declaration_answer_404(client, db, username, name, kwargs):
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    client.force_login(User.objects.get(username=username))
    response = client.post(reverse(name, kwargs={"pk": project.pk, **kwargs}), {"reason": "x", "result": "excellent"})
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.status == "draft"
