"""An HTTP client for `twilio.rest.Client` that records each request and answers from a script.

Given to our code through the TWILIO_HTTP_CLIENT setting: the Twilio library builds the real
request (URL, form body, credentials) and parses the canned answer as it would Twilio's.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import requests
from twilio.http import HttpClient
from twilio.http.response import Response

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
FROM = "+15005550006"


@dataclass
class Recorded:
    method: str
    uri: str
    data: dict[str, Any]
    auth: tuple[str, str] | None
    headers: dict[str, str] = field(default_factory=dict)


def created(sid: str = "SM" + "a" * 32, status: str = "queued") -> tuple[int, dict]:
    return 201, {"sid": sid, "status": status, "account_sid": ACCOUNT_SID, "to": "", "body": ""}


def refused(code: int, message: str, status: int = 400) -> tuple[int, dict]:
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class RecordingHttpClient(HttpClient):
    """Answers each request with the next scripted answer (status, json) or raises it if it is an exception."""

    def __init__(self, *answers):
        super().__init__(logger=logging.getLogger("twilio-stub"), is_async=False)
        self.answers = list(answers)
        self.requests: list[Recorded] = []

    def request(
        self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False
    ):
        self.requests.append(Recorded(method, uri, dict(data or {}), auth, dict(headers or {})))
        answer = self.answers.pop(0) if self.answers else created()
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return Response(status, json.dumps(body))


def connection_lost() -> requests.ConnectionError:
    return requests.ConnectionError("connection reset by peer")
