import pytest

from tests.xblock.runtime import Course


@pytest.fixture
def course() -> Course:
    return Course()
