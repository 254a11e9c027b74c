"""参考值 beside a 三级: other units' published values, kept in the cache under the portal's
generation (declarations/indicator_editor.py: reference_values), so a publication or a
withdrawal elsewhere shows on the next page and nothing else re-reads them."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from declarations.indicator_editor import reference_values
from declarations.models import BudgetYear, Indicator, ProjectDeclaration

NAME = "信访事项受理及时率"
SHOWN = "遵化市信访局 2024年：≥95%（遵办字[2019]28号）"


@pytest.fixture
def laoting(db, client):
    client.force_login(User.objects.get(username="laoting-xfj"))
    return client


@pytest.fixture
def draft(db):
    """A 乐亭 project for 2026 with one saved 时效 indicator named like one of 遵化's."""
    unit_id = ProjectDeclaration.objects.get(code="13022525P00RERB10015T").unit_id
    project = ProjectDeclaration.objects.create(
        unit_id=unit_id, year=BudgetYear.objects.get_or_create(year=2026)[0], name="信访专项资金",
        code="13022525P00RERB10015T", budget=Decimal("0"),
    )
    framework = project.unit.bureau.layout.frameworks.get(table_kind="project")
    sub = next(s for c in framework.categories.all() for s in c.subcategories.all() if s.name == "时效指标")
    Indicator.objects.create(project=project, subcategory=sub, order=1, name=NAME, comparator="≥",
                             number=Decimal("95"), unit="%")
    return project


def _publish_zunhua():
    from public.services import declaration_publish
    from review.services import declaration_approve, declaration_submit

    project = ProjectDeclaration.objects.filter(unit__code="455", indicators__name=NAME).first()
    filler, reviewer = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    project = declaration_approve(declaration=declaration_submit(declaration=project, user=filler), user=reviewer)
    return declaration_publish(declaration=project, user=reviewer), reviewer


def _editor(client, project):
    response = client.get(reverse("project_step", args=[project.pk, "indicators"]) + "?form=1")
    assert response.status_code == 200
    return response.text


def test_a_publication_elsewhere_shows_on_the_next_page_although_the_page_before_was_cached(laoting, draft):
    assert SHOWN not in _editor(laoting, draft)
    _publish_zunhua()
    assert SHOWN in _editor(laoting, draft)


def test_a_withdrawal_elsewhere_takes_the_cached_values_away(laoting, draft):
    from public.services import declaration_unpublish

    publication, reviewer = _publish_zunhua()
    assert SHOWN in _editor(laoting, draft)
    declaration_unpublish(declaration=publication, user=reviewer, reason="数据有误")
    assert SHOWN not in _editor(laoting, draft)


def test_the_same_names_are_read_once_while_nothing_is_published(draft):
    _publish_zunhua()
    first = reference_values([NAME, "不存在的指标"], exclude_unit=draft.unit)
    with CaptureQueriesContext(connection) as queries:
        again = reference_values(["不存在的指标", NAME, ""], exclude_unit=draft.unit)
    assert again == first and first[NAME][0][0] == "遵化市信访局"
    assert not [q for q in queries.captured_queries if "publishedvalue" in q["sql"]]


def test_the_unit_asking_never_sees_its_own_values_from_the_cache(draft):
    _publish_zunhua()
    zunhua = ProjectDeclaration.objects.filter(unit__code="455").first().unit
    assert reference_values([NAME], exclude_unit=draft.unit)[NAME]
    assert NAME not in reference_values([NAME], exclude_unit=zunhua)


def test_without_a_generation_reader_every_page_reads_the_values(draft, settings):
    settings.PUBLISHED_VALUES_GENERATION = ""
    _publish_zunhua()
    reference_values([NAME], exclude_unit=draft.unit)
    with CaptureQueriesContext(connection) as queries:
        assert reference_values([NAME], exclude_unit=draft.unit)[NAME]
    assert [q for q in queries.captured_queries if "publishedvalue" in q["sql"]]
