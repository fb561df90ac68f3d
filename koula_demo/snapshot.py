"""Turning the sandbox platform's state into JSON and back (see :mod:`koula_demo.store`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from koula_demo.lms import Platform, SigningKey
from koula_demo.lms.models import LineItem, ToolRecord

__all__ = ["dump", "restore"]


def dump(platform: Platform) -> dict[str, Any]:
    """What a restarted sandbox needs: keys, tools, placements, line items and grades."""
    book = platform.gradebook_store
    with platform._lock, book._lock:
        return {
            "keys": [
                {"private_pem": key.private_pem, "public_pem": key.public_pem}
                for key in platform.keys
            ],
            "tools": [dataclasses.asdict(tool) for tool in platform.tools.values()],
            "placements": list(platform.placements),
            "deep_link_items": list(platform.deep_link_items),
            "resource_links": [list(link) for link in platform._resource_links],
            "launched_users": sorted(platform._launched_users),
            "line_items": [dataclasses.asdict(item) for item in book.line_items.values()],
            "grades": {
                lineitem: {user: [when.isoformat(), body] for user, (when, body) in users.items()}
                for lineitem, users in book._grades.items()
            },
        }


def restore(platform: Platform, state: dict[str, Any]) -> None:
    """Put a :func:`dump` back into a fresh ``platform``."""
    book = platform.gradebook_store
    with platform._lock, book._lock:
        platform.keys = [SigningKey(**key) for key in state["keys"]]
        platform.tools = {tool["client_id"]: ToolRecord(**tool) for tool in state["tools"]}
        platform.placements = list(state["placements"])
        platform.deep_link_items = list(state["deep_link_items"])
        platform._resource_links = {tuple(link) for link in state["resource_links"]}  # type: ignore[misc]
        platform._launched_users = set(state["launched_users"])
        book.line_items = {item["id"]: LineItem(**item) for item in state["line_items"]}
        book._grades = {
            lineitem: {
                user: (dt.datetime.fromisoformat(when), body)
                for user, (when, body) in users.items()
            }
            for lineitem, users in state["grades"].items()
        }
