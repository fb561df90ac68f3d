"""A platform in the test process: the transport the tool's outbound calls go through.

:class:`FakePlatform` has the signature of :func:`lti.outbound.send`, so the delivery and
roster code take it in place of the network (``transport=platform``). It answers the AGS
token, score, result and line item requests and the NRPS roster as a platform would, keeps
what it stores (``scores``: every score that landed, in order), and plays the faults the
tests script with :meth:`FakePlatform.next_scores`:

* an HTTP status (``Fault.status(409)``): the score does not land;
* a timeout after the request went (``Fault.timeout(lands=True)``): the tool waits in vain
  for an answer (:class:`~lti.outbound.DeadlineExceeded`), while the platform stores it;
* no connection in time (``Fault.connect_timeout()``): nothing was sent;
* the worker dies while the request is in flight (``Fault.worker_dies(lands=True)``): a
  :class:`WorkerDied`, which no ``except Exception`` catches, ends the pass as a SIGKILL
  would, leaving the row as the database holds it.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from lti.outbound import DeadlineExceeded, Policy
from tests.lti.in_process import ISSUER

__all__ = ["FakePlatform", "Fault", "Sent", "WorkerDied"]


class WorkerDied(BaseException):  # a process's end, not an error to handle
    """The worker process is killed while its request is in flight."""


@dataclass(frozen=True)
class Sent:
    """One request the tool sent."""

    method: str
    url: str
    headers: dict[str, str]
    body: Any

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@dataclass(frozen=True)
class Fault:
    """How the platform answers one score request (see the module docstring)."""

    status: int = 200
    kind: str = "answer"  # answer, timeout, connect_timeout, worker_dies
    lands: bool = False

    @classmethod
    def answer(cls, status: int) -> Fault:
        return cls(status=status)

    @classmethod
    def timeout(cls, *, lands: bool) -> Fault:
        return cls(kind="timeout", lands=lands)

    @classmethod
    def connect_timeout(cls) -> Fault:
        return cls(kind="connect_timeout")

    @classmethod
    def worker_dies(cls, *, lands: bool) -> Fault:
        return cls(kind="worker_dies", lands=lands)


@dataclass
class FakePlatform:
    """The platform at :data:`~tests.lti.in_process.ISSUER`; call it as ``send`` is called."""

    token_lifetime: int = 3600
    results_answer: int = 200  # the status of the AGS results service
    members: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 1  # the roster comes in this many pages
    sent: list[Sent] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)  # landed, in arrival order
    tokens: list[str] = field(default_factory=list)  # access tokens issued
    line_items: list[dict[str, Any]] = field(default_factory=list)
    on_score: Callable[[dict[str, Any]], None] | None = None  # runs as a score arrives
    _faults: deque[Fault] = field(default_factory=deque)

    def next_scores(self, *faults: Fault) -> None:
        """Answer the next score requests with ``faults``, in order (then 200 again)."""
        self._faults.extend(faults)

    def requests_to(self, pattern: str) -> list[Sent]:
        """The requests whose path matches ``pattern`` (a regular expression)."""
        return [sent for sent in self.sent if re.search(pattern, sent.path)]

    def score_posts(self) -> list[Sent]:
        return self.requests_to(r"/scores$")

    def __call__(
        self,
        method: str,
        url: str,
        *,
        policy: Policy,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | bytes | None = None,
        json: Any = None,
        until: float | None = None,
    ) -> requests.Response:
        body = json if json is not None else data
        sent = Sent(method.upper(), url, dict(headers or {}), body)
        self.sent.append(sent)
        if not url.startswith(ISSUER + "/"):
            return _response(404, {"error": "not this platform"}, url)
        path = sent.path
        if path == "/token":
            return self._token(url)
        if path.endswith("/scores"):
            return self._score(sent)
        if path.endswith("/results"):
            return self._results(url)
        if path == "/lineitems":
            return self._create_line_item(sent)
        if path.startswith("/memberships"):
            return self._roster(url)
        return _response(404, {"error": "unknown path"}, url)

    def _token(self, url: str) -> requests.Response:
        token = f"token-{len(self.tokens) + 1}"
        self.tokens.append(token)
        answer = {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        return _response(200, answer, url)

    def _score(self, sent: Sent) -> requests.Response:
        fault = self._faults.popleft() if self._faults else Fault.answer(200)
        if self.on_score is not None:
            self.on_score(sent.body)
        if fault.kind == "connect_timeout":
            raise requests.ConnectTimeout(f"no connection to {sent.url}")
        if fault.lands or (fault.kind == "answer" and 200 <= fault.status < 300):
            self.scores.append(sent.body)
        if fault.kind == "timeout":
            raise DeadlineExceeded(f"{sent.url}: no whole answer within 2 s")
        if fault.kind == "worker_dies":
            raise WorkerDied(sent.url)
        return _response(fault.status, {"status": fault.status}, sent.url)

    def _results(self, url: str) -> requests.Response:
        if self.results_answer != 200:
            return _response(self.results_answer, {}, url)
        user = parse_qs(urlsplit(url).query).get("user_id", [""])[0]
        landed = [score for score in self.scores if score["userId"] == user]
        if not landed:
            return _response(200, [], url)
        newest = max(landed, key=lambda score: score["timestamp"])
        result = {
            "userId": user,
            "resultScore": newest["scoreGiven"],
            "resultMaximum": newest["scoreMaximum"],
            "comment": newest.get("comment"),
        }
        return _response(200, [result], url)

    def _create_line_item(self, sent: Sent) -> requests.Response:
        item = {**sent.body, "id": f"{ISSUER}/lineitems/{len(self.line_items) + 100}"}
        self.line_items.append(item)
        return _response(201, item, sent.url)

    def _roster(self, url: str) -> requests.Response:
        query = parse_qs(urlsplit(url).query)
        page = int(query.get("page", ["1"])[0])
        size = -(-len(self.members) // self.pages) if self.members else 0
        members = self.members[(page - 1) * size : page * size]
        response = _response(200, {"id": url, "members": members}, url)
        if page < self.pages:
            response.headers["Link"] = f'<{ISSUER}/memberships?page={page + 1}>; rel="next"'
        return response


def _response(status: int, body: Any, url: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
    response._content = jsonlib.dumps(body).encode()
    response.url = url
    response.encoding = "utf-8"
    return response
