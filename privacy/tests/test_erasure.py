"""Erasure services: the preview, the confirmation refused while something must end first, the run
that resumes after an interruption without redoing a step, the closed account, the resume job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from core.errors import Conflict
from core.models import AuditEvent
from privacy.models import DataRequest, RequestKind, RequestStatus
from privacy.services.erasure import (
    erasure_confirm,
    erasure_confirm_check,
    erasure_preview,
    erasure_run,
    erasures_resume_stale,
)
from privacy.tests.erasure_support import DEPOSIT_BLOCKER, LEDGER_KEPT, fakes  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_preview_lists_what_is_erased_kept_and_what_must_end_first(patient, fakes):  # noqa: F811
    fakes.blocked = True
    preview = erasure_preview(user=patient, now=timezone.now())
    assert preview.erased == [
        "Your card payments' details",
        "Your quote requests' texts and documents",
        "Your profile: name, phone, date of birth",
    ]
    assert preview.kept == [LEDGER_KEPT]
    assert preview.blockers == [DEPOSIT_BLOCKER]
    assert preview.can_erase is False
    fakes.blocked = False
    assert erasure_preview(user=patient, now=timezone.now()).can_erase is True


def test_confirming_is_refused_while_a_deposit_is_held_then_allowed_once_it_ends(
    patient,
    fakes,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    fakes.blocked = True
    check = erasure_confirm_check(user=patient, now=now)
    assert not check.allowed
    assert DEPOSIT_BLOCKER.what in check.reason
    with pytest.raises(Conflict) as refused:
        erasure_confirm(user=patient, now=now)
    assert refused.value.code == "erasure_blocked"
    assert refused.value.details["blockers"] == [
        {"what": DEPOSIT_BLOCKER.what, "action": DEPOSIT_BLOCKER.action, "url": DEPOSIT_BLOCKER.url}
    ]
    assert not DataRequest.objects.filter(user=patient).exists()  # nothing half-written
    assert fakes.calls == {}

    fakes.blocked = False  # the booking was cancelled
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        request = erasure_confirm(user=patient, now=now)
    assert request.kind == RequestKind.ERASURE
    assert request.status == RequestStatus.IN_PROGRESS
    assert request.due_at > request.received_at + dt.timedelta(days=27)
    assert len(enqueued) == 1  # the task, once committed
    assert AuditEvent.objects.filter(action="privacy.erasure.confirmed", target_id=str(request.pk)).exists()


def test_confirming_twice_while_one_runs_returns_the_same_request(patient, fakes):  # noqa: F811
    now = timezone.now()
    first = erasure_confirm(user=patient, now=now)
    fakes.blocked = True  # even if something new appeared meanwhile, the running request is shown
    again = erasure_confirm(user=patient, now=now + dt.timedelta(minutes=1))
    assert again.pk == first.pk
    assert DataRequest.objects.filter(user=patient, kind=RequestKind.ERASURE).count() == 1


def test_the_run_erases_each_app_in_order_and_closes_the_account_last(patient, other_patient, fakes):  # noqa: F811
    now = timezone.now()
    api_token_create(user=patient, device="Phone", now=now)
    api_token_create(user=other_patient, device="Phone", now=now)
    request = erasure_confirm(user=patient, now=now)

    done = erasure_run(request_id=request.pk, now=now)

    assert done.status == RequestStatus.DONE
    assert done.completed_at == now
    assert done.progress == 100
    assert done.steps_done == ["fake_payments", "fake_quotes", "accounts"]
    assert fakes.order == ["fake_payments", "fake_quotes", "accounts"]
    assert {s.user_id for s in fakes.subjects} == {patient.pk}
    assert patient.email in fakes.subjects[0].strings
    closed = User.objects.get(pk=patient.pk)
    assert not closed.is_active
    assert not closed.has_usable_password()
    assert not ApiToken.objects.filter(user=patient).exists()
    assert ApiToken.objects.filter(user=other_patient).exists()  # only theirs
    assert User.objects.get(pk=other_patient.pk).is_active
    completed = AuditEvent.objects.get(action="privacy.erasure.completed", target_id=str(request.pk))
    assert patient.email not in str(completed.after)  # ids, no personal data
    # Running it again changes nothing and erases nothing twice.
    erasure_run(request_id=request.pk, now=now + dt.timedelta(hours=1))
    assert fakes.calls == {"fake_payments": 1, "fake_quotes": 1, "accounts": 1}


def test_an_interrupted_run_resumes_where_it_stopped_without_redoing_a_step(patient, fakes):  # noqa: F811
    now = timezone.now()
    request = erasure_confirm(user=patient, now=now)
    fakes.fail_once = {"fake_quotes"}

    with pytest.raises(RuntimeError, match="worker killed"):
        erasure_run(request_id=request.pk, now=now)

    half = DataRequest.objects.get(pk=request.pk)
    assert half.status == RequestStatus.IN_PROGRESS
    assert half.steps_done == ["fake_payments"]
    assert 0 < half.progress < 100
    assert User.objects.get(pk=patient.pk).is_active  # not closed half-way: the account goes last

    later = now + dt.timedelta(minutes=20)
    done = erasure_run(request_id=request.pk, now=later)

    assert done.status == RequestStatus.DONE
    assert done.steps_done == ["fake_payments", "fake_quotes", "accounts"]
    assert fakes.calls == {"fake_payments": 1, "fake_quotes": 2, "accounts": 1}
    # The resumed run rebuilt the same subject from the account, still there until the last step.
    assert fakes.subjects[-1] == fakes.subjects[0]
    assert not User.objects.get(pk=patient.pk).is_active


def test_a_resume_that_finds_the_account_step_done_only_completes_the_request(patient, fakes):  # noqa: F811
    now = timezone.now()
    request = erasure_confirm(user=patient, now=now)
    DataRequest.objects.filter(pk=request.pk).update(steps_done=["fake_payments", "fake_quotes", "accounts"])
    done = erasure_run(request_id=request.pk, now=now)
    assert done.status == RequestStatus.DONE
    assert fakes.calls == {}


def test_the_resume_job_runs_again_the_erasures_left_in_progress(patient, other_patient, fakes, settings):  # noqa: F811
    from privacy.tasks import resume_erasures

    now = timezone.now()
    stale = erasure_confirm(user=patient, now=now - dt.timedelta(minutes=30))
    fresh = erasure_confirm(user=other_patient, now=now - dt.timedelta(minutes=2))
    settings.PRIVACY_ERASURE_RESUME_AFTER = dt.timedelta(minutes=15)
    assert erasures_resume_stale(now=now) == [stale.pk]

    assert resume_erasures.apply().get() == 1  # eager in tests: the run itself

    assert DataRequest.objects.get(pk=stale.pk).status == RequestStatus.DONE
    assert DataRequest.objects.get(pk=fresh.pk).status == RequestStatus.IN_PROGRESS


def test_a_closed_account_cannot_sign_in(client, patient, fakes):  # noqa: F811
    from django.urls import reverse

    from accounts.tests.factories import PASSWORD

    assert client.login(email=patient.email, password=PASSWORD)  # it could, before
    client.logout()
    now = timezone.now()
    erasure_run(request_id=erasure_confirm(user=patient, now=now).pk, now=now)
    client.post(reverse("account_login"), {"login": patient.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert not client.login(email=patient.email, password=PASSWORD)


def test_the_task_run_eagerly_leaves_a_failed_erasure_in_progress_for_the_resume_job(patient, fakes):  # noqa: F811
    from privacy.tasks import run_erasure

    request = erasure_confirm(user=patient, now=timezone.now())
    fakes.fail_once = {"fake_quotes"}

    with pytest.raises(RuntimeError, match="worker killed"):  # eager tasks propagate their error
        run_erasure.apply(args=[request.pk])

    assert fakes.calls == {"fake_payments": 1, "fake_quotes": 1}  # not retried at once
    half = DataRequest.objects.get(pk=request.pk)
    assert half.status == RequestStatus.IN_PROGRESS
    assert half.steps_done == ["fake_payments"]
    assert run_erasure.apply(args=[request.pk]).get() == RequestStatus.DONE
    assert fakes.calls == {"fake_payments": 1, "fake_quotes": 2, "accounts": 1}
