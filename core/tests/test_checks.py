import pytest
from drf_spectacular.drainage import get_override
from rest_framework import serializers

from core.checks import ALLOWED, actions_payload, first_refusal, refuse
from core.errors import Conflict
from core.serializers import available_actions_field


def test_an_allowed_check_is_true_and_says_nothing():
    assert ALLOWED
    assert ALLOWED.reason == ""
    ALLOWED.enforce()


def test_a_refused_check_raises_the_services_own_error():
    error = Conflict("This booking is already cancelled.", code="booking_cancelled")
    check = refuse(error)

    assert not check
    assert check.reason == "This booking is already cancelled."
    with pytest.raises(Conflict) as raised:
        check.enforce()
    assert raised.value is error


def test_the_first_refusal_wins_and_the_api_payload_names_each_action():
    late = refuse(Conflict("Too late.", code="too_late"))
    closed = refuse(Conflict("Closed.", code="closed"))

    assert first_refusal(ALLOWED, late, closed) is late
    assert first_refusal(ALLOWED, ALLOWED) is ALLOWED
    assert actions_payload({"cancel": ALLOWED, "pay": late}) == {
        "cancel": {"allowed": True, "code": None, "reason": ""},
        "pay": {"allowed": False, "code": "too_late", "reason": "Too late."},
    }


def test_the_documented_actions_survive_drf_copying_the_field():
    class Answer(serializers.Serializer):
        available_actions = available_actions_field("cancel", "pay")

        def get_available_actions(self, obj):
            return actions_payload({"cancel": ALLOWED, "pay": ALLOWED})

    field = Answer().fields["available_actions"]  # a copy of the declared field, as DRF makes one
    schema = get_override(field, "field")

    assert set(schema["properties"]) == {"cancel", "pay"}
    assert Answer(object()).data["available_actions"]["pay"] == {"allowed": True, "code": None, "reason": ""}
