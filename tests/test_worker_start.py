"""What a worker and the system checks say about the machine before any report is rendered."""

import io
import os

import pytest
from django.core.management import call_command

from assessment import apps


def test_it_warns_when_fast_font_subsetting_is_missing(monkeypatch):
    monkeypatch.setattr(apps.ctypes.util, "find_library", lambda name: None)
    messages = apps.fast_font_subsetting()
    assert [m.id for m in messages] == ["assessment.W001"]


def test_it_says_nothing_when_harfbuzzs_subset_library_is_there(monkeypatch):
    # What Debian's libharfbuzz-subset0 provides; any other library found says nothing about it.
    libraries = {"harfbuzz-subset": "libharfbuzz-subset.so.0", "harfbuzz": "libharfbuzz.so.0"}
    monkeypatch.setattr(apps.ctypes.util, "find_library", libraries.get)
    assert apps.fast_subsetting_available()
    assert apps.fast_font_subsetting() == []
    monkeypatch.setattr(apps.ctypes.util, "find_library", {"harfbuzz": "libharfbuzz.so.0"}.get)
    assert not apps.fast_subsetting_available()


def test_it_makes_a_worker_say_at_start_that_reports_will_be_slow(monkeypatch, settings, db):
    # The system checks run when a command starts (so also for `manage.py worker`).
    from assessment.management.commands import worker

    settings.TASK_BACKEND = "database"
    monkeypatch.setattr(worker, "call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(apps.ctypes.util, "find_library", lambda name: None)
    err = io.StringIO()
    call_command("worker", "--burst", skip_checks=False, stderr=err)
    assert err.getvalue().count("libharfbuzz-subset0") == 1

    monkeypatch.undo()
    monkeypatch.setattr(worker, "call_command", lambda *args, **kwargs: None)
    err = io.StringIO()
    call_command("worker", "--burst", skip_checks=False, stderr=err)
    assert "libharfbuzz-subset0" not in err.getvalue()


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_it_gives_a_worker_one_render_child_for_all_its_reports(monkeypatch, settings, backend):
    from assessment.management.commands import worker
    from assessment.reports import pdf

    settings.TASK_BACKEND = backend
    sessions = []
    monkeypatch.setattr(worker, "call_command", lambda *args, **kwargs: sessions.append(pdf._session))
    call_command("worker", "--burst")
    assert sessions[0] is not None and sessions[0].pid == os.getpid()
    assert pdf._session is None  # and only while it runs
