from datetime import UTC, date, datetime
from functools import cache

import pytest
import time_machine
from django.test import override_settings

from assessment import services
from assessment.content import content_files
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.services import questionnaire_load
from tests.content import mini_raw, shipped_raw

# Hashing a real password costs ~0.3 s (2.8 s on a busy machine) per user, and almost every
# test only force_logins its users. tests/test_accounts.py, which tests logging in and how
# passwords are stored, switches the real hashers back on (the `real_hashers` fixture).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(scope="session", autouse=True)
def media_of_this_process(tmp_path_factory):
    """Stored reports and logos go to a directory of this test process: parallel test
    processes (and the developer's own var/media) never see each other's files."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def real_hashers(settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture(scope="session", autouse=True)
def content_parsed_once():
    """Every database test loads the shipped questionnaire (the `version` fixture): parse the
    file once per process. Loaded content is only read, never changed, so one dict serves all."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "load_yaml", cache(load_yaml))
        yield


@cache
def shipped_text() -> str:
    return content_files()[-1].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shipped():
    return parse_questionnaire(shipped_raw())


@pytest.fixture(scope="session")
def mini():
    return parse_questionnaire(mini_raw())


@pytest.fixture
def version(db):
    """The shipped questionnaire, loaded as the current version."""
    version, _ = questionnaire_load(shipped_text())
    return version


# The app shows dates in Asia/Shanghai (UTC+8): 15:30 UTC is still 1 March there, 16:30 UTC
# is already 2 March. A test of a shown date runs at both instants, whatever the real clock says.
SHANGHAI_EVENING = (datetime(2026, 3, 1, 15, 30, tzinfo=UTC), date(2026, 3, 1))
SHANGHAI_AFTER_MIDNIGHT = (datetime(2026, 3, 1, 16, 30, tzinfo=UTC), date(2026, 3, 2))


@pytest.fixture(params=[SHANGHAI_EVENING, SHANGHAI_AFTER_MIDNIGHT], ids=["23h30-shanghai", "00h30-shanghai"])
def shanghai_today(request) -> date:
    """The clock set to just before or just after midnight in Shanghai; the Shanghai date then.

    The clock ticks on from there (renders and timeouts behave as usual)."""
    instant, local_day = request.param
    with time_machine.travel(instant, tick=True):
        yield local_day
