"""SMS: the only module that talks to Twilio (docs/architecture.md#outside-services). Without Twilio's
settings, a console backend.

Twilio is used when TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender (TWILIO_FROM or
TWILIO_MESSAGING_SERVICE_SID) are set. Tests give `twilio.rest.Client` their own HTTP client
through the TWILIO_HTTP_CLIENT setting (an object, never read from the environment) and check the
request it receives: our code runs as in production down to the HTTP call.
"""

from __future__ import annotations

import logging
import sys
import uuid
from dataclasses import dataclass

import phonenumbers
import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

logger = logging.getLogger(__name__)

# Twilio's error for a recipient who texted STOP: no SMS may be sent to them until START.
OPTED_OUT = 21610


@dataclass(frozen=True)
class SmsSent:
    provider_message_id: str
    status: str


class SmsError(Exception):
    """Sending failed. `transient`: worth trying again later (network, Twilio's 429 or 5xx);
    otherwise the number or the request is refused for good (invalid number 21211, STOP 21610…)."""

    def __init__(self, message: str, *, code: int | None = None, transient: bool):
        super().__init__(message)
        self.message = message
        self.code = code
        self.transient = transient

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


def twilio_configured() -> bool:
    return bool(
        settings.TWILIO_ACCOUNT_SID
        and settings.TWILIO_AUTH_TOKEN
        and (settings.TWILIO_FROM or settings.TWILIO_MESSAGING_SERVICE_SID)
    )


def e164(number: str) -> str | None:
    """`number` in E.164 if it is a valid phone number, None otherwise."""
    try:
        parsed = phonenumbers.parse(str(number or ""), None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _client() -> Client:
    return Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=getattr(settings, "TWILIO_HTTP_CLIENT", None),
    )


def sms_send(*, to: str, body: str, status_callback: str | None = None) -> SmsSent:
    """Send `body` to the E.164 number `to`; raises SmsError."""
    number = e164(to)
    if number is None:
        raise SmsError("Not a valid phone number.", transient=False)
    if not twilio_configured():
        if settings.PRODUCTION:  # never print phone numbers and messages into production logs
            raise SmsError("SMS is not configured on this site (TWILIO_* settings).", transient=False)
        sys.stdout.write(f"SMS to {number}:\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return SmsSent(provider_message_id=f"console-{uuid.uuid4().hex}", status="sent")

    arguments = {"to": number, "body": body}
    if settings.TWILIO_MESSAGING_SERVICE_SID:
        arguments["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
    else:
        arguments["from_"] = settings.TWILIO_FROM
    if status_callback:
        arguments["status_callback"] = status_callback
    try:
        message = _client().messages.create(**arguments)
    except TwilioRestException as error:
        transient = error.status == 429 or error.status >= 500
        raise SmsError(str(error.msg or f"HTTP {error.status}")[:400], code=error.code, transient=transient) from error
    except requests.RequestException as error:
        raise SmsError(f"Twilio unreachable: {type(error).__name__}", transient=True) from error
    except TwilioException as error:
        raise SmsError(f"Twilio: {error}"[:400], transient=True) from error
    return SmsSent(provider_message_id=message.sid, status=str(message.status or "queued"))


def signature_valid(*, url: str, params: dict[str, str], signature: str) -> bool:
    """Whether `signature` (the X-Twilio-Signature header) signs this request with our auth token."""
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)
