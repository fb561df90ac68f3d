"""Django's ``request_started`` and ``request_finished`` for the direct routes
(:mod:`lti.views.direct`): their receivers' work, without the dispatch while only Django's
own receivers listen.

Django connects its receivers to them: ``reset_queries`` and ``close_old_connections`` at
a request's start; ``close_old_connections``, ``close_caches`` and ``reset_urlconf`` at its
end. Each looks every connection and cache up in asgiref ``Local`` objects, for work that,
with one database and caches that need no closing, comes down to a few calls on the thread's
connection: doing it directly saves 4% of a learner action's instructions and 2.5% of a
login + launch's (issue 14, ``benchmarks/README.md``, eighth round). :class:`RequestSignals`
makes those calls itself while exactly Django's receivers are connected, the settings name
one database, and every cache's ``close()`` is the base class's, which does nothing
(Django's local-memory, database, file and Redis caches). Otherwise (another receiver
connected: an APM agent, a test) it sends the signals as Django's handler does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.cache import close_caches
from django.core.cache.backends.base import BaseCache
from django.core.handlers.base import reset_urlconf
from django.core.handlers.wsgi import WSGIHandler
from django.db import DEFAULT_DB_ALIAS, close_old_connections, reset_queries
from django.dispatch import Signal
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

from lti.services.raw_rows import database

__all__ = ["RequestSignals"]


class RequestSignals:
    """A request's start and end, as Django's WSGI handler signals them."""

    def __init__(self) -> None:
        # DATABASES and CACHES as read, and whether they allow the direct work (one tuple,
        # replaced at once: a thread never sees new settings with the old answer)
        self._settings: tuple[object, object, bool] = (None, None, False)

    def direct(self, signal: Signal) -> bool:
        """Whether ``signal``'s receivers' work is done here: only Django's are connected, the
        settings name one database and no cache whose ``close()`` does something."""
        if _connected(signal) != _DJANGO[signal]:
            return False
        databases, caches = settings.DATABASES, settings.CACHES
        kept = self._settings
        if kept[0] is not databases or kept[1] is not caches:  # first read, or changed
            kept = self._settings = (databases, caches, _plain_settings())
        return kept[2]

    def started(self, environ: dict[str, Any]) -> None:
        """What ``request_started`` does for the request of ``environ``."""
        if self.direct(signals.request_started):
            db = database()
            db.queries_log.clear()
            db.close_if_unusable_or_obsolete()
        else:
            signals.request_started.send(sender=WSGIHandler, environ=environ)

    def finished(self) -> None:
        """What ``request_finished`` does once the answer is sent."""
        if self.direct(signals.request_finished):
            database().close_if_unusable_or_obsolete()
            reset_urlconf(sender=WSGIHandler)
        else:
            signals.request_finished.send(sender=WSGIHandler)

    def closing(self, response: HttpResponse) -> Iterable[bytes]:
        """``response`` for the WSGI server, whose ``close()`` ends the request: Django's
        ``HttpResponse.close()``, with :meth:`finished` for its ``request_finished``. A
        response class with a ``close()`` of its own is given as it is (its ``close()`` sends
        the signal)."""
        if type(response).close is not HttpResponseBase.close:
            response._handler_class = WSGIHandler
            return response
        return _Closing(response, self.finished)


def _plain_settings() -> bool:
    """One database, and every cache's ``close()`` the base class's (which does nothing). A
    cache that cannot be loaded says no: Django raises its error where the cache is used."""
    try:
        caches_close = [import_string(cache["BACKEND"]).close for cache in settings.CACHES.values()]
    except (ImportError, KeyError):
        return False
    return list(settings.DATABASES) == [DEFAULT_DB_ALIAS] and all(
        close is BaseCache.close for close in caches_close
    )


class _Closing:
    """A response as the WSGI server reads it: its content, then ``close()`` as Django's
    ``HttpResponseBase.close()`` (each resource closer, errors ignored), ending with
    ``finish`` instead of the signal."""

    __slots__ = ("_finish", "_response")

    def __init__(self, response: HttpResponse, finish: Callable[[], None]) -> None:
        self._response, self._finish = response, finish

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._response)

    def close(self) -> None:
        response = self._response
        for closer in response._resource_closers:
            with suppress(Exception):
                closer()
        response._resource_closers.clear()
        response.closed = True
        self._finish()


def _keys(receivers: tuple[Callable[..., Any], ...]) -> frozenset[Any]:
    """The lookup keys ``Signal.connect`` gives ``receivers`` connected for any sender."""
    return frozenset((id(receiver), id(None)) for receiver in receivers)


def _connected(signal: Signal) -> frozenset[Any]:
    """The lookup keys of ``signal``'s receivers (each receiver's and sender's ids; their order
    does not matter, as none depends on another's work)."""
    return frozenset(entry[0] for entry in signal.receivers)


# Django's own receivers, as django.db, django.core.cache and django.core.handlers connect them.
_DJANGO = {
    signals.request_started: _keys((reset_queries, close_old_connections)),
    signals.request_finished: _keys((close_old_connections, close_caches, reset_urlconf)),
}
