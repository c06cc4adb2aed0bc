"""The Content-Security-Policy of the pages where Stripe.js takes a card.

The site-wide policy (config/settings.py CONTENT_SECURITY_POLICY) allows only our own origin.
A page that loads Stripe.js adds Stripe's origins (script, frames for Elements and 3-D Secure,
its API), or the local emulator's, with `@stripe_js_csp` and nothing else: every other page
keeps the strict policy. The add-on order payment page uses the same decorator.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings

stripe_js_csp = csp_update(settings.CSP_STRIPE_DIRECTIVES)
