import pytest

from assessment.content import content_files
from assessment.questionnaire import parse_questionnaire
from assessment.services import questionnaire_load
from tests.content import mini_raw, shipped_raw


@pytest.fixture(scope="session")
def shipped():
    return parse_questionnaire(shipped_raw())


@pytest.fixture(scope="session")
def mini():
    return parse_questionnaire(mini_raw())


@pytest.fixture
def version(db):
    """The shipped questionnaire, loaded as the current version."""
    version, _ = questionnaire_load(content_files()[-1].read_text(encoding="utf-8"))
    return version
