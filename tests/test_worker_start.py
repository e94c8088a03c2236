"""What a worker and the system checks say about the machine before any report is rendered."""

import io

from django.core.management import call_command

from assessment import apps


def test_it_warns_when_fast_font_subsetting_is_missing(monkeypatch):
    monkeypatch.setattr(apps.ctypes.util, "find_library", lambda name: None)
    messages = apps.fast_font_subsetting()
    assert [m.id for m in messages] == ["assessment.W001"]


def test_it_finds_fast_font_subsetting_on_this_machine():
    assert apps.fast_subsetting_available()
    assert apps.fast_font_subsetting() == []


def test_it_makes_a_worker_say_at_start_that_reports_will_be_slow(monkeypatch, settings, db):
    from assessment.management.commands import worker

    settings.TASK_BACKEND = "database"
    monkeypatch.setattr(worker, "fast_subsetting_available", lambda: False)
    monkeypatch.setattr(worker, "call_command", lambda *args, **kwargs: None)
    err = io.StringIO()
    call_command("worker", "--burst", stderr=err)
    assert "libharfbuzz-subset0" in err.getvalue()

    monkeypatch.setattr(worker, "fast_subsetting_available", lambda: True)
    err = io.StringIO()
    call_command("worker", "--burst", stderr=err)
    assert err.getvalue() == ""
