"""The plan's writes: one row per action, a history line per change, nothing on bad input."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from assessment.models import ActionProgress, ActionProgressChange
from assessment.plan import selectors as plan_selectors
from assessment.plan.services import action_progress_set
from tests.factories import submitted


def test_it_keeps_one_row_per_action_and_a_history_line_per_change(version, django_user_model):
    assessment, _token = submitted(version)
    key = assessment.outcome.action_keys()[0]
    consultant = django_user_model.objects.create_user("adviser")
    action_progress_set(
        assessment=assessment, action_key=key, status="planned", owner_name=" 王  经理 ", due_on=date(2026, 4, 1)
    )
    action_progress_set(
        assessment=assessment, action_key=key, status="planned", owner_name="王 经理", due_on=date(2026, 4, 1)
    )
    action_progress_set(assessment=assessment, action_key=key, status="done", owner_name="王 经理", user=consultant)
    row = ActionProgress.objects.get(assessment=assessment, action_key=key)
    assert (row.status, row.owner_name, row.due_on, row.updated_by) == ("done", "王 经理", None, consultant)
    changes = list(
        ActionProgressChange.objects.filter(progress=row).values_list(
            "old_status", "new_status", "by_link", "changed_by"
        )
    )
    assert changes == [("", "planned", True, None), ("planned", "done", False, consultant.pk)]
    assert [c.new_status for c in plan_selectors.history_of(assessment)] == ["planned", "done"]


@pytest.mark.parametrize(
    "changes",
    [
        {"action_key": "no_such_action"},
        {"status": "finished"},
        {"owner_name": "x" * 101},
        {"due_on": date(1926, 4, 1)},
    ],
    ids=["unknown-action", "unknown-status", "long-name", "year-1926"],
)
def test_it_writes_nothing_for_bad_input(version, changes):
    assessment, _token = submitted(version)
    values = {"action_key": assessment.outcome.action_keys()[0], "status": "planned", **changes}
    with pytest.raises(ValidationError):
        action_progress_set(assessment=assessment, **values)
    assert not ActionProgress.objects.exists() and not ActionProgressChange.objects.exists()


def test_it_resets_the_reminder_when_the_due_date_moves(version):
    assessment, _token = submitted(version)
    key = assessment.outcome.action_keys()[0]
    row = action_progress_set(assessment=assessment, action_key=key, status="planned", due_on=date(2026, 4, 1))
    ActionProgress.objects.filter(pk=row.pk).update(reminded_for=date(2026, 4, 1))
    action_progress_set(assessment=assessment, action_key=key, status="in_progress", due_on=date(2026, 4, 1))
    assert ActionProgress.objects.get(pk=row.pk).reminded_for == date(2026, 4, 1)
    action_progress_set(assessment=assessment, action_key=key, status="in_progress", due_on=date(2026, 5, 1))
    assert ActionProgress.objects.get(pk=row.pk).reminded_for is None


def test_it_writes_on_top_when_another_save_inserted_the_row_first(version, monkeypatch):
    """A double click: both saves found no row; the second's insert fails and it updates instead."""
    from assessment.plan import services

    assessment, _token = submitted(version)
    key = assessment.outcome.action_keys()[0]
    action_progress_set(assessment=assessment, action_key=key, status="planned")
    real = services._progress_write
    calls = []

    def racing(*args):
        calls.append(args)
        if len(calls) == 1:  # as if the row had not been there yet when this save looked
            from django.db import IntegrityError

            raise IntegrityError("one_progress_per_action")
        return real(*args)

    monkeypatch.setattr(services, "_progress_write", racing)
    action_progress_set(assessment=assessment, action_key=key, status="done")
    assert len(calls) == 2
    assert ActionProgress.objects.get().status == "done"
    assert ActionProgressChange.objects.count() == 2
