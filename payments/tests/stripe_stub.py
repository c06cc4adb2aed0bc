"""An HTTP-level stand-in for the Stripe endpoints the emulator lacks (Connect transfers, lists
filtered by `transfer_group` or `payout`, the balance) or gets wrong (it ignores
`Idempotency-Key`): refunds and transfers, remembered per key as Stripe does, recording every
request it receives, and able to drop the connection after committing. Any other kind of object
a test puts in `objects` can be retrieved and listed (with equality filters).

The real stripe-python client talks to it through `STRIPE_API_BASE`, so what is tested is the
request our gateway really sends (docs/decisions.md#payments, testing without the network).
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

_PREFIX = {"refunds": "re", "transfers": "tr"}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass
class StripeStub:
    """What Stripe would hold: `objects[kind]` by id; `drop[kind]` = how many next POSTs of that
    kind are carried out (or replayed) and then answered by a dropped connection."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {"refunds": {}, "transfers": {}})
    received: list[Received] = field(default_factory=list)
    drop: dict[str, int] = field(default_factory=dict)
    # `GET /v1/balance`'s answer when set (a test sets it; Stripe's shape).
    balance: dict[str, Any] | None = None
    _by_key: dict[str, tuple[dict[str, str], int, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def creates(self, kind: str) -> list[Received]:
        return [r for r in self.received if r.method == "POST" and r.path == f"/v1/{kind}"]

    # --- serving -----------------------------------------------------------------------------------

    def start(self) -> StripeStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _reply(self, status: int, body: dict[str, Any], replayed: bool = False) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + secrets.token_hex(6))
                if replayed:
                    self.send_header("Idempotent-Replayed", "true")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path, _sep, query = self.path.partition("?")
                # Equality filters only; ranges (`created[gte]`…) are applied by the gateway itself.
                filters = {k: v for k, v in parse_qsl(query) if k not in ("limit", "starting_after") and "[" not in k}
                stub.received.append(Received("GET", path, {k.lower(): v for k, v in self.headers.items()}, filters))
                parts = path.strip("/").split("/")
                if path == "/v1/balance" and stub.balance is not None:
                    return self._reply(200, stub.balance)
                if len(parts) == 2 and parts[1] in stub.objects:  # a list, filtered on equal fields
                    data = [
                        obj
                        for obj in stub.objects[parts[1]].values()
                        if all(str(obj.get(name)) == value for name, value in filters.items())
                    ]
                    return self._reply(200, {"object": "list", "data": data, "has_more": False, "url": path})
                if len(parts) == 3 and parts[1] in stub.objects and parts[2] in stub.objects[parts[1]]:
                    return self._reply(200, stub.objects[parts[1]][parts[2]])
                return self._reply(404, {"error": {"type": "invalid_request_error", "message": "No such object"}})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(parse_qsl(self.rfile.read(length).decode()))
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path.split("?")[0]
                received = Received("POST", path, headers, params)
                kind = path.strip("/").split("/")[-1]
                with stub._lock:
                    stub.received.append(received)
                    if kind not in _PREFIX:
                        return self._reply(404, {"error": {"type": "invalid_request_error", "message": "Not stubbed"}})
                    key = received.idempotency_key
                    if key and key in stub._by_key:
                        first_params, status, body = stub._by_key[key]
                        if first_params != params:
                            return self._reply(
                                400,
                                {
                                    "error": {
                                        "type": "idempotency_error",
                                        "message": "Keys for idempotent requests can only be used with the same "
                                        "parameters they were first used with.",
                                    }
                                },
                            )
                        replayed = True
                    else:
                        status, body, replayed = 200, stub._create(kind, params), False
                        if key:
                            stub._by_key[key] = (params, status, body)
                    if stub.drop.get(kind, 0) > 0:
                        stub.drop[kind] -= 1
                        self.close_connection = True
                        return None  # committed, but the answer is lost on the way
                return self._reply(status, body, replayed=replayed)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _create(self, kind: str, params: dict[str, str]) -> dict[str, Any]:
        object_id = f"{_PREFIX[kind]}_{secrets.token_hex(8)}"
        metadata = {k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")}
        if kind == "refunds":
            body = {
                "id": object_id,
                "object": "refund",
                "amount": int(params["amount"]),
                "currency": "eur",
                "payment_intent": params.get("payment_intent"),
                "status": "succeeded",
                "metadata": metadata,
            }
        else:
            body = {
                "id": object_id,
                "object": "transfer",
                "amount": int(params["amount"]),
                "currency": params["currency"],
                "destination": params["destination"],
                "source_transaction": params.get("source_transaction"),
                "transfer_group": params.get("transfer_group"),
                "reversed": False,
                "metadata": metadata,
            }
        self.objects[kind][object_id] = body
        return body
