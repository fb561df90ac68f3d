"""One shared HTTP session for every outbound call, always with a timeout."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings

__all__ = ["http_get", "http_post"]

_session = requests.Session()
_session.headers["User-Agent"] = "Koula-LTI/0.1"


def http_get(url: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("timeout", settings.KOULA_HTTP_TIMEOUT)
    return _session.get(url, **kwargs)


def http_post(url: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("timeout", settings.KOULA_HTTP_TIMEOUT)
    return _session.post(url, **kwargs)
