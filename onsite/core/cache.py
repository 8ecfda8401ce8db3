"""The shared cache of several app servers: Django's own Redis backend, forgiving.

Everything Onsite caches can be built again (rendered dashboard fragments, work-chat access
tokens), so a cache that is down must cost time, never a page: a connection or timeout error
reads as a miss and a write is dropped, logged once per minute per process."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY = 60.0


class ForgivingRedisCache(RedisCache):
    _logged_at = 0.0

    def _down(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now - ForgivingRedisCache._logged_at >= LOG_EVERY:
            ForgivingRedisCache._logged_at = now
            logger.warning("shared cache unavailable, serving without it: %s", exc)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except DOWN as exc:
            self._down(exc)
            return default

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except DOWN as exc:
            self._down(exc)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except DOWN as exc:
            self._down(exc)
            return False

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except DOWN as exc:
            self._down(exc)
            return False

    def clear(self) -> None:
        try:
            super().clear()
        except DOWN as exc:
            self._down(exc)
