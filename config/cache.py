"""The shared cache (Redis) as a help, never a dependency: when Redis cannot be reached, a read
is a miss and a write is skipped (logged), so the public pages render anew instead of every
request failing until Redis is back. A delete is never forgiven: what asked for it (a session
store, say) must not believe the entry gone. Sessions stay in the database."""
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ForgivingRedisCache(RedisCache):
    def _forgiving(self, name, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as error:
            logger.warning("cache.unreachable op=%s error=%s", name, error)
            return default

    def get(self, key, default=None, version=None):
        return self._forgiving("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._forgiving("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._forgiving("has_key", False, key, version)

    def set(self, key, value, timeout=..., version=None):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        return self._forgiving("set", None, key, value, DEFAULT_TIMEOUT if timeout is ... else timeout, version)

    def add(self, key, value, timeout=..., version=None):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        return self._forgiving("add", False, key, value, DEFAULT_TIMEOUT if timeout is ... else timeout, version)

    def set_many(self, data, timeout=..., version=None):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        return self._forgiving("set_many", list(data), data, DEFAULT_TIMEOUT if timeout is ... else timeout, version)

    def touch(self, key, timeout=..., version=None):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        return self._forgiving("touch", False, key, DEFAULT_TIMEOUT if timeout is ... else timeout, version)
