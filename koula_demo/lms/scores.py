"""Strict AGS score checking and a Moodle-like gradebook (newest second wins, else 409).

``lti1p3platform`` hands score bodies through unchecked ("TODO: validate score"), so the
rules of the AGS score media type are written here; the progress words come from the
library's own enums.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lti1p3platform.exceptions import LtiServiceException
from lti1p3platform.score import ActivityProgress, GradeProgress, UpdateScoreStatus

from .constants import MEDIA_SCORE
from .models import LineItem

SCORE_FIELDS = frozenset(
    {
        "userId",
        "timestamp",
        "scoreGiven",
        "scoreMaximum",
        "activityProgress",
        "gradingProgress",
        "comment",
        "submission",
    }
)
ACTIVITY_PROGRESS = frozenset(item.value for item in ActivityProgress)
GRADING_PROGRESS = frozenset(item.value for item in GradeProgress)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}(Z|[+-]\d{2}:\d{2})$")


def _number(value: object) -> float | None:
    """``value`` when it is a JSON number (not a boolean), else ``None``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def parse_timestamp(value: object) -> dt.datetime | None:
    """An ISO 8601 time with milliseconds (or finer) and a zone, else ``None``."""
    if not isinstance(value, str) or not TIMESTAMP.match(value):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def score_errors(body: object, is_known_user: Callable[[str], bool]) -> list[str]:
    """Every way ``body`` breaks the score media type (empty when it is valid)."""
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    errors = [f"unknown field {name!r}" for name in sorted(set(body) - SCORE_FIELDS)]
    user = body.get("userId")
    if not isinstance(user, str) or not user:
        errors.append("userId is required (a non-empty string)")
    elif not is_known_user(user):
        errors.append(f"userId {user!r} is not a user of this platform")
    if parse_timestamp(body.get("timestamp")) is None:
        errors.append("timestamp must be ISO 8601 with milliseconds and a time zone")
    if body.get("activityProgress") not in ACTIVITY_PROGRESS:
        errors.append(f"activityProgress must be one of {sorted(ACTIVITY_PROGRESS)}")
    if body.get("gradingProgress") not in GRADING_PROGRESS:
        errors.append(f"gradingProgress must be one of {sorted(GRADING_PROGRESS)}")
    errors += _score_value_errors(body)
    if "comment" in body and not isinstance(body["comment"], str):
        errors.append("comment must be a string")
    if "submission" in body:
        submission = body["submission"]
        if not isinstance(submission, dict) or any(
            key not in ("startedAt", "submittedAt") or parse_timestamp(value) is None
            for key, value in submission.items()
        ):
            errors.append("submission may only hold startedAt and submittedAt timestamps")
    return errors


def _score_value_errors(body: dict[str, Any]) -> list[str]:
    given, maximum = _number(body.get("scoreGiven")), _number(body.get("scoreMaximum"))
    errors = []
    if "scoreMaximum" in body and (maximum is None or maximum <= 0):
        errors.append("scoreMaximum must be a positive number")
    if "scoreGiven" in body:
        if given is None:
            errors.append("scoreGiven must be a number")
        elif "scoreMaximum" not in body:
            errors.append("scoreGiven needs scoreMaximum")
        elif maximum is not None and not 0 <= given <= maximum:
            errors.append("scoreGiven must lie between 0 and scoreMaximum")
    return errors


@dataclass
class _Faults:
    fail: list[int] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    rates: _FaultRates | None = None


@dataclass
class _FaultRates:
    """Faults drawn for every score request: a share fails, another share is slow."""

    fail: float
    status: int
    slow: float
    seconds: float
    draw: Callable[[], float]


class Gradebook:
    """Line items, every score request, and the stored grade per (line item, user)."""

    def __init__(self, is_known_user: Callable[[str], bool]) -> None:
        self._lock = threading.RLock()
        self._is_known_user = is_known_user
        self.line_items: dict[str, LineItem] = {}
        self.ungradable_users: set[str] = set()
        self.requests: list[dict[str, Any]] = []
        self._accepted: list[dict[str, Any]] = []
        self._grades: dict[str, dict[str, tuple[dt.datetime, dict[str, Any]]]] = {}
        self._faults = _Faults()

    def create_line_item(self, **fields: Any) -> LineItem:
        with self._lock:
            item = LineItem(id=str(len(self.line_items) + 1), **fields)
            self.line_items[item.id] = item
            return item

    def fail_next(self, count: int, status: int) -> None:
        with self._lock:
            self._faults.fail += [status] * count

    def slow_next(self, count: int, seconds: float) -> None:
        with self._lock:
            self._faults.delays += [seconds] * count

    def fault_rates(
        self, fail: float, status: int, slow: float, seconds: float, seed: int | None
    ) -> None:
        with self._lock:
            self._faults.rates = _FaultRates(
                fail, status, slow, seconds, random.Random(seed).random
            )  # fmt: skip

    def take_faults(self) -> tuple[float, int | None]:
        """The delay and failure status due for the score request arriving now."""
        with self._lock:
            delay = self._faults.delays.pop(0) if self._faults.delays else 0.0
            status = self._faults.fail.pop(0) if self._faults.fail else None
            rates = self._faults.rates
            if rates is not None and not delay and status is None:
                share = rates.draw()
                if share < rates.fail:
                    status = rates.status
                elif share < rates.fail + rates.slow:
                    delay = rates.seconds
            return delay, status

    def log_request(self, lineitem_id: str, body: Any, status: int, query: str) -> None:
        with self._lock:
            self.requests.append(
                {
                    "lineitem_id": lineitem_id,
                    "body": body,
                    "status": status,
                    "query": query,
                    "received_at": time.time(),
                }
            )

    def receive(
        self, lineitem_id: str, client_id: str, content_type: str | None, body: Any, query: str
    ) -> UpdateScoreStatus:
        """Check and store one score as Moodle does; raise the library's service errors."""
        if content_type != MEDIA_SCORE:
            raise LtiServiceException(f"Content-Type must be {MEDIA_SCORE}", 415)
        errors = score_errors(body, self._is_known_user)
        if errors:
            raise LtiServiceException("; ".join(errors), 400)
        user = body["userId"]
        if user in self.ungradable_users:
            raise LtiServiceException(f"user {user!r} cannot be graded", 400)
        timestamp = parse_timestamp(body["timestamp"])
        assert timestamp is not None
        with self._lock:
            grades = self._grades.setdefault(lineitem_id, {})
            stored = grades.get(user)
            # Moodle keeps whole seconds: a score not in a strictly later second is refused.
            if stored and int(timestamp.timestamp()) <= int(stored[0].timestamp()):
                return UpdateScoreStatus.OLD_TIMESTAMP
            grades[user] = (timestamp, dict(body))
            self._accepted.append(
                {
                    "lineitem_id": lineitem_id,
                    "client_id": client_id,
                    "user_id": user,
                    "body": dict(body),
                    "query": query,
                    "received_at": time.time(),
                }
            )
            return UpdateScoreStatus.SUCCESS if stored else UpdateScoreStatus.CREATED

    def scores(self, lineitem_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(score)
                for score in self._accepted
                if lineitem_id is None or score["lineitem_id"] == lineitem_id
            ]

    def grades(self, lineitem_id: str) -> dict[str, dict[str, Any]]:
        """User → newest score body; like Moodle, no grade unless ``FullyGraded``."""
        with self._lock:
            book = {}
            for user, (_, body) in self._grades.get(lineitem_id, {}).items():
                entry = dict(body)
                if entry.get("gradingProgress") != "FullyGraded":
                    entry.pop("scoreGiven", None)
                book[user] = entry
            return book
