"""Every action a page offers is also in the API (docs/decisions.md "API parity").

A page action is a route of config/urls.py whose view takes a POST. Left out: /api/ (the API
itself), /admin/, allauth's account pages (sign-in, sign-up, passwords, e-mail, MFA: the API has
its own `api_signup`, `api_token` and `api_logout`), and CSRF-exempt views, which are called by
another server and are no page (Stripe's and Twilio's webhooks).

How a view is found to take a POST, without a request (a request with sample ids would stop at a
404 or a 403 before the method is looked at, and a view that ignores the method answers a POST as
a GET, so the answer's status says nothing reliable):

- a class-based view takes a POST when it has a `post` method that `http_method_names` allows;
- a function view wrapped by `require_POST`, `require_GET`, `require_safe` or
  `require_http_methods([...])` takes a POST when POST is in the list those decorators keep in
  their closure (`request_method_list`), found by walking the wrappers' `__wrapped__` chain;
- a function view with no such decorator takes a POST when its own source reads the body or tests
  the method (`request.POST`, `request.FILES`, `request.method == "POST"`).

The last rule reads source, so `test_the_detection_agrees_with_the_access_matrix` checks it against
tests/access_matrix.py, written by hand: every page route the matrix opens with a POST must be
found here.

Each page action must be marked, directly above its `def`, with `core.api_parity.api_twin(...)`
naming the API endpoints that do the same, or `no_api_twin(reason)`. Each name in an `api_twin`
must be the URL name of an /api/ route whose path has a write operation (POST, PUT, PATCH or
DELETE) in the OpenAPI schema drf-spectacular generates.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from drf_spectacular.generators import SchemaGenerator

from core.api_parity import api_twin, no_api_twin, twins_of
from tests.access_matrix import MATRIX

WRITE_OPERATIONS = {"post", "put", "patch", "delete"}
LEFT_OUT_PREFIXES = ("api/", "admin/")
READS_POST = re.compile(r"request\.(POST|FILES)\b|request\.method\s*[!=]=\s*[\"']POST[\"']")


@dataclass(frozen=True)
class Route:
    route: str  # as written in the URL configuration, e.g. "documents/<uuid:document_id>/grants/"
    name: str  # the namespaced URL name ("" when the pattern has none)
    callback: Callable[..., object]

    @property
    def view(self) -> str:
        target = innermost(self.callback)
        view_class = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)
        if view_class is not None:
            return f"{view_class.__module__}.{view_class.__qualname__}"
        return f"{target.__module__}.{target.__qualname__}"


def walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Route(prefix + str(pattern.pattern), name, pattern.callback)


def innermost(callback: Callable[..., object]) -> Callable[..., object]:
    seen = callback
    while getattr(seen, "__wrapped__", None) is not None:
        seen = seen.__wrapped__  # type: ignore[attr-defined]
    return seen


def allowed_methods(callback: Callable[..., object]) -> tuple[str, ...] | None:
    """The methods a `require_http_methods` wrapper (or `require_POST`, `require_GET`, …) lets
    through, or None when no wrapper restricts them."""
    seen: Callable[..., object] | None = callback
    while seen is not None:
        code = getattr(seen, "__code__", None)
        closure = getattr(seen, "__closure__", None) or ()
        if code is not None and "request_method_list" in code.co_freevars:
            cell = closure[code.co_freevars.index("request_method_list")]
            return tuple(method.upper() for method in cell.cell_contents)
        seen = getattr(seen, "__wrapped__", None)
    return None


def takes_post(callback: Callable[..., object]) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    methods = allowed_methods(callback)
    if methods is not None:
        return "POST" in methods
    try:
        source = inspect.getsource(innermost(callback))
    except (OSError, TypeError):
        return False
    return READS_POST.search(source) is not None


def is_page(route: Route) -> bool:
    if route.route.startswith(LEFT_OUT_PREFIXES):
        return False
    if getattr(route.callback, "csrf_exempt", False):  # called by another server: a webhook
        return False
    module = getattr(route.callback, "view_class", route.callback).__module__
    return not module.startswith("allauth.")


def page_actions() -> list[Route]:
    return [route for route in walk(get_resolver().url_patterns) if is_page(route) and takes_post(route.callback)]


def api_routes() -> dict[str, str]:
    """URL name → route, for the API's patterns."""
    return {route.name: route.route for route in walk(get_resolver().url_patterns) if route.route.startswith("api/")}


def schema_path(route: str) -> str:
    """A Django route as a path of the schema, its parameters unnamed (drf-spectacular writes
    `<int:pk>` as `{id}`): `api/v1/documents/<uuid:document_id>/` → `/api/v1/documents/{}/`."""
    return "/" + re.sub(r"<[^<>]+>", "{}", route)


@pytest.fixture(scope="module")
def schema_writes() -> dict[str, set[str]]:
    """The schema's paths (parameters unnamed) → their write operations."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes: dict[str, set[str]] = {}
    for path, operations in schema["paths"].items():
        writes.setdefault(re.sub(r"\{[^{}]+\}", "{}", path), set()).update(set(operations) & WRITE_OPERATIONS)
    return writes


def test_the_walk_finds_page_actions_and_leaves_out_what_is_no_page():
    found = {route.name for route in page_actions()}

    assert {"documents:upload", "providers:photo_add", "reviews:write", "notifications:preferences"} <= found
    # GET only: not an action
    assert "documents:list" not in found
    assert "home" not in found
    # webhooks, allauth's pages and the API are left out
    assert not found & {"stripe_webhook", "notifications:twilio_status", "account_login", "api_documents"}


def test_every_page_action_names_its_api_twin_or_why_it_has_none(schema_writes):
    routes = api_routes()
    lacking, wrong = [], []
    for action in page_actions():
        marks = twins_of(action.callback)
        if marks is None:
            lacking.append(f"  /{action.route}  ({action.name or 'no name'})  {action.view}")
        elif isinstance(marks, tuple):
            for name in marks:
                route = routes.get(name)
                if route is None:
                    wrong.append(f"  /{action.route}  {action.view}: {name!r} is not the name of an /api/ route")
                elif not schema_writes.get(schema_path(route)):
                    wrong.append(
                        f"  /{action.route}  {action.view}: {name!r} ({schema_path(route)}) has no POST, PUT, "
                        "PATCH or DELETE operation in the OpenAPI schema"
                    )
    message = []
    if lacking:
        message += [f"{len(lacking)} page actions name no API twin (mark them @api_twin(...) or @no_api_twin(reason)):"]
        message += sorted(lacking)
    if wrong:
        message += [f"{len(wrong)} API twins are not write operations of the schema:", *sorted(wrong)]
    assert not message, "\n".join(message)


def test_the_detection_agrees_with_the_access_matrix():
    """The access matrix opens every POST-only page route with a POST: each must be found here,
    or a view whose POST handling sits outside its own source would escape the parity test."""
    routes = {route.name: route for route in walk(get_resolver().url_patterns) if is_page(route)}
    found = {route.name for route in page_actions()}
    posted = {name for name, rule in MATRIX.items() if rule.method == "POST" and name in routes}

    assert posted, "the access matrix names no POST page route: the cross-check would prove nothing"
    assert posted <= found, f"page routes the matrix POSTs to but the walk misses: {sorted(posted - found)}"


def test_a_schema_path_is_written_as_drf_spectacular_writes_it(schema_writes):
    assert schema_path("api/v1/documents/<uuid:document_id>/grants/<int:grant_id>/") == (
        "/api/v1/documents/{}/grants/{}/"
    )
    assert schema_writes[schema_path("api/v1/documents/<uuid:document_id>/grants/<int:grant_id>/")] == {"delete"}
    assert schema_writes[schema_path("api/v1/auth/tokens/<int:pk>/")] == {"delete"}  # written {id} there


def _view() -> Callable[..., HttpResponse]:
    def view(request):
        return HttpResponse()

    return view


def test_marks_survive_the_usual_decorators():
    twinned = login_required(require_POST(never_cache(api_twin("api_documents")(_view()))))
    exempt = login_required(require_http_methods(["GET", "POST"])(no_api_twin("a reason")(_view())))

    assert twins_of(twinned) == ("api_documents",)
    assert twins_of(exempt) == "a reason"
    assert twins_of(login_required(require_POST(_view()))) is None
    assert allowed_methods(twinned) == ("POST",)
    assert allowed_methods(exempt) == ("GET", "POST")
    assert allowed_methods(login_required(require_GET(_view()))) == ("GET",)


def test_a_mark_is_read_from_the_view_the_url_configuration_serves():
    assert twins_of(resolve("/documents/upload/").func) == ("api_documents",)


def test_a_mark_needs_a_name_or_a_reason():
    with pytest.raises(ValueError, match="at least one URL name"):
        api_twin()
    with pytest.raises(ValueError, match="needs a reason"):
        no_api_twin("  ")
