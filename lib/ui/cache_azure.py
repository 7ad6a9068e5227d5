"""Caching for live Azure: sign-in, discovery and query results, per identity, with a time-to-live.

Azure refreshes cost data about every four hours, so results are kept for ``AZDASH_CACHE_TTL``
seconds (default four hours). Every key starts with the signed-in identity's key (a hash of
tenant, object id and cloud), so one session is never served another identity's data. The store
is a process-wide ``st.cache_resource`` object rather than ``st.cache_data`` on the loader, so the
loader's progress output is drawn live and never replayed from the cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import streamlit as st

from lib.azure.clients import Clients
from lib.azure.scopes import Discovery, discover
from lib.core.dataset import SourceError
from lib.sources.azure import Connection, connect

T = TypeVar("T")
IDENTITY_TTL_S = 300  # how long a sign-in check is trusted before the token is asked for again
MAX_ENTRIES = 24


@dataclass(frozen=True)
class Cached(Generic[T]):
    """A cached value and when it was fetched (monotonic and wall clock)."""

    value: T
    fetched_monotonic: float
    fetched_wall: float

    def age_s(self) -> float:
        """Seconds since the value was fetched."""
        return time.monotonic() - self.fetched_monotonic


class TtlStore:
    """A small thread-safe LRU map with per-entry expiry."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._items: OrderedDict[Hashable, Cached[Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: Hashable, ttl_s: float) -> Cached[Any] | None:
        """The entry for ``key`` if younger than ``ttl_s``."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item.age_s() > ttl_s:
                self._items.pop(key, None)
                return None
            self._items.move_to_end(key)
            return item

    def put(self, key: Hashable, value: Any) -> Cached[Any]:
        """Store ``value`` under ``key`` now."""
        item = Cached(value, time.monotonic(), time.time())
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return item

    def drop(self, key: Hashable) -> None:
        """Forget ``key``."""
        with self._lock:
            self._items.pop(key, None)


@st.cache_resource(show_spinner=False)
def _store() -> TtlStore:
    return TtlStore()


@st.cache_resource(show_spinner=False)
def _identity_store() -> TtlStore:
    return TtlStore(max_entries=4)


def connection(*, force: bool = False) -> Connection | str:
    """The signed-in connection (checked at most every few minutes), or a message saying how to sign in."""
    store = _identity_store()
    if not force:
        cached = store.get("connection", IDENTITY_TTL_S)
        if cached is not None:
            return cached.value  # type: ignore[no-any-return]
    try:
        value = connect()
    except SourceError as error:
        store.drop("connection")
        return str(error)
    store.put("connection", value)
    return value


def cached(connection: Connection, key: Hashable, compute: Callable[[], T], *, refresh: bool = False) -> Cached[T]:
    """``compute()`` cached under (identity, ``key``) for the settings' time-to-live."""
    full_key = (connection.identity, key)
    store = _store()
    if not refresh:
        hit = store.get(full_key, connection.settings.cache_ttl_s)
        if hit is not None:
            return hit
    return store.put(full_key, compute())


def forget(connection: Connection, key: Hashable) -> None:
    """Drop (identity, ``key``): failures are not kept, so the next try asks Azure again."""
    _store().drop((connection.identity, key))


def discovery(connection: Connection, *, refresh: bool = False) -> Cached[Discovery]:
    """The scopes this identity can pick (cached like query results)."""
    return cached(connection, "discovery", lambda: discover(Clients(connection.credential, connection.settings)), refresh=refresh)
