import uuid

import pytest

from accounts.models import User
from declarations.models import ProjectDeclaration, Unit

SEEDS = {
    "hebei-zunhua-2024": ("遵化市信访局", 2024),
    "hebei-laoting-2025": ("乐亭县信访局本级", 2025),
    "jiangsu-rugao-2024": ("如皋市信访局", 2024),
    "hubei-yangxin-2026": ("阳新县信访局", 2026),
    "ningxia-guyuan-2021": ("固原市信访局", 2021),
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the demo: the five seed documents and the demo users."""
    from declarations.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no cached public page: its database is rolled back afterwards, so a
    generation number it used is used again by the next test, for other content."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _own_export_cache(settings):
    """Each test keeps its exports apart, as its database is apart (a test may break a renderer)."""
    settings.EXPORT_CACHE_PREFIX = f"exports/kept/{uuid.uuid4().hex}/"


@pytest.fixture
def filler(db):
    return User.objects.get(username="zunhua-xfj")


@pytest.fixture
def reviewer(db):
    return User.objects.get(username="zunhua-czj")


@pytest.fixture
def other_filler(db):
    return User.objects.get(username="rugao-xfj")


@pytest.fixture
def other_reviewer(db):
    return User.objects.get(username="rugao-czj")


@pytest.fixture
def administrator(db):
    return User.objects.get(username="admin")


@pytest.fixture
def zunhua_project(db):
    return ProjectDeclaration.objects.get(unit__name="遵化市信访局", code="13028124P00096710001G")


@pytest.fixture
def zunhua_unit(db):
    return Unit.objects.get(name="遵化市信访局")


def pytest_collection_modifyitems(items):
    """Browser tests and tests that flush the database run last: their transactional database is
    emptied after each of them, while every other test relies on the demo loaded once per session."""
    items.sort(key=lambda item: (
        item.get_closest_marker("flushes") is not None or item.get_closest_marker("browser") is not None
    ))
