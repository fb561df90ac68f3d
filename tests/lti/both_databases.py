"""The ``database`` fixture: a test taking it runs on SQLite, then on a fresh PostgreSQL
database (:func:`tests.lti.in_process.on_postgres`); import it by name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lti.in_process import on_postgres

__all__ = ["database"]


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, transactional_db: None) -> Iterator[str]:
    if request.param == "postgres":
        yield from (request.param for _ in on_postgres())
    else:
        yield request.param
