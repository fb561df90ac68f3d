"""The database fixtures; import them by name. ``database``: a test taking it runs on SQLite,
then on a fresh PostgreSQL database (:func:`tests.lti.in_process.on_postgres`); ``postgres``:
on that PostgreSQL database only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lti.in_process import on_postgres

__all__ = ["database", "postgres"]


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, transactional_db: None) -> Iterator[str]:
    if request.param == "postgres":
        yield from (request.param for _ in on_postgres())
    else:
        yield request.param


@pytest.fixture
def postgres(transactional_db: None) -> Iterator[None]:
    yield from on_postgres()
