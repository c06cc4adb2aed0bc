"""Which API operation does what a page's form does.

Every page that takes a POST names its API twin, the URL name of the endpoint a token client
(the mobile app, a partner's system) calls to do the same thing, with `@api_twin(...)`; a page
action that has, on purpose, no twin says why with `@no_api_twin("...")`. The parity test walks
the URL configuration and fails on a page action that says neither, or whose twin is not an
operation of the OpenAPI schema (docs/decisions.md "API parity").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

View = TypeVar("View", bound=Callable[..., object])

API_TWINS = "api_twins"
NO_API_TWIN = "no_api_twin"


def api_twin(*url_names: str) -> Callable[[View], View]:
    """Marks a page view: the API's endpoints named `url_names` (URL names, as `reverse` takes
    them) do what its POST does. The mark survives the decorators put above it (`functools.wraps`
    copies the function's attributes)."""
    if not url_names:
        raise ValueError("api_twin needs at least one URL name")

    def mark(view: View) -> View:
        setattr(view, API_TWINS, tuple(url_names))
        return view

    return mark


def no_api_twin(reason: str) -> Callable[[View], View]:
    """Marks a page view whose POST has no API twin on purpose, with the reason (for example,
    an HTML-only step of a flow the API does in one call)."""
    if not reason.strip():
        raise ValueError("no_api_twin needs a reason")

    def mark(view: View) -> View:
        setattr(view, NO_API_TWIN, reason)
        return view

    return mark


def twins_of(view: Callable[..., object]) -> tuple[str, ...] | str | None:
    """The API twins' URL names a view declares, the reason it has none, or None when it says
    neither. Looks through the wrappers of decorators that do not copy attributes."""
    seen: Callable[..., object] | None = view
    while seen is not None:
        twins = getattr(seen, API_TWINS, None)
        if twins is not None:
            return tuple(twins)
        reason = getattr(seen, NO_API_TWIN, None)
        if reason is not None:
            return str(reason)
        seen = getattr(seen, "__wrapped__", None)
    return None
