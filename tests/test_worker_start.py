"""What a worker and the system checks say about the machine before any report is rendered."""

import io

from django.core.management import call_command

from assessment import apps


def test_it_warns_when_fast_font_subsetting_is_missing(monkeypatch):
    monkeypatch.setattr(apps.ctypes.util, "find_library", lambda name: None)
    messages = apps.fast_font_subsetting()
    assert [m.id for m in messages] == ["assessment.W001"]


def test_it_finds_fast_font_subsetting_after_the_setup():
    # make setup installs libharfbuzz-subset0: without it a Chinese report takes ~15 s.
    assert apps.fast_subsetting_available()
    assert apps.fast_font_subsetting() == []


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
