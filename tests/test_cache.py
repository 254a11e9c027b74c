"""The shared cache (Redis, CACHE_REDIS_URL) helps but is never needed: with it away, the portal
and signed-in pages answer from the database."""
import pytest
from django.urls import reverse

from .test_public import published  # noqa: F401 - the fixture: 遵化's 驻京信访工作经费 published

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _redis_cache(settings, location):
    settings.CACHES = {"default": {"BACKEND": "config.cache.ForgivingRedisCache", "LOCATION": location,
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


def test_with_redis_unreachable_the_public_pages_render_from_the_database(client, settings, published, caplog):
    _redis_cache(settings, UNREACHABLE)
    url = reverse("public_unit_year", args=[published.unit_id, published.year.year])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and published.name in response.text
    assert "cache.unreachable" in caplog.text


def test_with_redis_unreachable_a_filler_signs_in_and_works(client, settings, filler):
    _redis_cache(settings, UNREACHABLE)
    client.force_login(filler)  # the session is written to the database all the same
    response = client.get(reverse("home"))
    assert response.status_code == 200 and response.wsgi_request.user.pk == filler.pk


def test_with_redis_up_the_public_pages_are_kept_in_it(client, settings, published):
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (the machine kind runs one)")
    _redis_cache(settings, "redis://127.0.0.1:6379/15")
    from django.core.cache import cache

    cache.clear()
    url = reverse("public_unit_year", args=[published.unit_id, published.year.year])
    first = client.get(url)
    assert any(key.startswith(b":1:public-page:") for key in cache._cache.get_client().keys("*"))
    assert client.get(url).content == first.content
    cache.clear()


def test_a_delete_the_cache_cannot_do_is_an_error_not_a_silent_success(settings):
    _redis_cache(settings, UNREACHABLE)
    from django.core.cache import cache

    assert cache.get("anything") is None  # a miss
    cache.set("anything", 1)  # skipped
    with pytest.raises(Exception):
        cache.delete("anything")
