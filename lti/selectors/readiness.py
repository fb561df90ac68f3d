"""Readiness: can this process serve? The database answers, its migrations are applied, and
Redis answers when it is configured. Each check returns None when fine, else the reason."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

__all__ = ["readiness"]

_migrated = False  # once applied, migrations stay applied: checked until then only


def readiness() -> dict[str, str]:
    """Return each component's state, ``"ok"`` or why it is not ready."""
    states = {"database": _database(), "migrations": _migrations()}
    if settings.KOULA_REDIS_URL:
        states["redis"] = _redis()
    return {name: problem or "ok" for name, problem in states.items()}


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"unreachable: {str(exc)[:200]}"
    return None


def _migrations() -> str | None:
    global _migrated
    if _migrated:
        return None
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"unknown: {str(exc)[:200]}"
    if pending:
        return f"{len(pending)} not applied: run 'koula migrate'"
    _migrated = True
    return None


def _redis() -> str | None:
    from django.core.cache import cache

    try:
        cache.get("readiness")  # the same client, pool and timeouts as every cache call
    except Exception as exc:
        return f"unreachable: {str(exc)[:200]}"
    return None
