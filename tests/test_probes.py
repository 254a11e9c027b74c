"""Every URL of the project × every role × hostile input: no answer is ever a 5xx.

The URL list comes from the URL configuration (as in test_permission_matrix), so a new view is
probed without being listed. Path parameters get real ids, wrong ids (0, a 20-digit number) and
hostile strings; GET and POST get no fields at all, then every field filled with a hostile value."""
import pytest
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse

from accounts.models import User
from declarations.models import DepartmentDeclaration, ProjectDeclaration, Unit

from .test_permission_matrix import _named_patterns

PERSONAS = {"anonymous": None, "filler": "zunhua-xfj", "reviewer": "zunhua-czj", "other_filler": "rugao-xfj",
            "administrator": "admin"}
HOSTILE = ["", "abc", "9" * 20, "../", "../../etc/passwd", "x" * 5000, "项目😀\u202e\x00", "-1", "0", "1.5",
           "https://evil.example/", "<script>alert(1)</script>"]
# Every field name any form or view of the project reads.
FIELDS = [
    "year", "next", "page", "status", "unit", "kind", "q", "query", "name", "code", "title_name", "version",
    "action", "row", "selected", "keep_money", "key", "reason", "result", "comments", "username", "password",
    "old_password", "new_password1", "new_password2", "budget", "fiscal_funds", "other_funds", "plan_0",
    "goal_items_text", "subgoal-TOTAL_FORMS", "subgoal-INITIAL_FORMS", "subgoal-0-title", "subgoal-0-goal",
    "safeguards_text", "file", "format", "comment-0-target", "row-0-id",
]
STRINGS = {"kind": "project", "step": "basic", "action": "approve", "fmt": "xlsx", "sha256": "0" * 64,
           "filename": "x.pdf"}
DOCUMENT_VIEWS = {"document_download", "department_download", "project_download", "document_preview",
                  "review_sheet", "review_declaration"}
HOSTILE_PATH = ["..", "abc", "x" * 300, "项目"]
SESSION_VIEWS = {"login", "logout", "password_change"}  # these change who is logged in


def _names():
    return sorted(set(_named_patterns(get_resolver().url_patterns)))


def _converters(name):
    pattern = next(p for p in get_resolver().reverse_dict.getlist(name))
    return pattern[0][0][1]  # the parameter names of the first possibility


def _real_ids():
    department = DepartmentDeclaration.objects.get(unit__code="455")
    return {
        "pk": ProjectDeclaration.objects.get(code="13028124P00096710001G").pk, "unit_pk": department.unit_id,
        "bureau_pk": department.unit.bureau_id, "year": 2024,
    }


def _argument_sets(name):
    """Real arguments, then wrong ids, then hostile strings; only the ones the URL accepts."""
    params = _converters(name)
    real = _real_ids()
    sets = [{p: real.get(p, STRINGS.get(p, "abc")) for p in params}]
    if params:
        sets.append({p: 0 if p in real else STRINGS.get(p, "abc") for p in params})
        sets.append({p: int("9" * 20) if p in real else STRINGS.get(p, "abc") for p in params})
        for hostile in HOSTILE_PATH:
            sets.append({p: real.get(p) if p in real else hostile for p in params})
    urls = []
    for kwargs in sets:
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return list(dict.fromkeys(urls))


def _hostile_data(value):
    """Every field the same hostile value; the fields a form expects as a list get it twice."""
    return {field: [value, value] if field == "selected" else value for field in FIELDS}


def _requests(name, persona, urls):
    """With the real arguments: no fields, then each hostile value in every field, by GET and POST
    (the roles turned away at the door and the views that render a whole document take three of
    the values, to stay quick). With wrong or hostile arguments: no fields and some hostile fields."""
    full = name not in DOCUMENT_VIEWS and persona not in ("anonymous", "other_filler")
    for n, url in enumerate(urls):
        values = HOSTILE if n == 0 and full else HOSTILE[n::4]
        for method in ("get", "post"):
            yield method, url, {}
            for value in values:
                yield method, url, _hostile_data(value)


@pytest.mark.parametrize("name", _names())
def test_no_request_answers_5xx(db, name):
    users = {persona: User.objects.get(username=username) for persona, username in PERSONAS.items() if username}
    client = Client(raise_request_exception=False)
    failures = []
    for persona in PERSONAS:
        client.logout()
        for method, url, data in _requests(name, persona, _argument_sets(name)):
            if persona in users and (name in SESSION_VIEWS or "_auth_user_id" not in client.session):
                client.force_login(users[persona])
            response = getattr(client, method)(url, data)
            if response.status_code >= 500:
                error = getattr(response, "exc_info", None)
                failures.append((persona, method.upper(), url[:100], repr(data.get("year", ""))[:30],
                                 response.status_code, repr(error[1])[:300] if error else ""))
    assert failures == []
