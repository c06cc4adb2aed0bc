# ruff: noqa: E501 -- a table, one row per route, wider than code
"""Who may open which URL: the role × route matrix that tests/test_access_matrix.py exercises.

One row per URL pattern (its namespaced name; a pattern without a name by its route string; a key
ending in `*` covers every pattern whose route starts with what comes before, like `admin/*`, and
opens its `probe`).
A row gives the method the test uses and, per role, what the answer must be:

    ok      the role reaches the view: 2xx; a redirect to anywhere but sign-in or account setup; or
            a refusal of the (empty) input itself: 400, 409, 422 (and 502: the view called Stripe,
            which does not run in tests)
    login   sign in first: a redirect to the sign-in page (pages), 401 or 403 to anonymous (API)
    denied  403: the role may never do this
    hidden  404: the object exists but is not the role's (others' objects are answered 404, so
            their existence is not disclosed)

GET for every route that answers it; POST with an empty body for POST-only routes (and DELETE for
the few API routes that only delete): there an allowed role gets its form or input refused (400, or
a 302 back with a message), so `ok`; `data` gives a body where an empty one would be refused before
the access check is reached. A page's form or an API's list that also takes a write names its
method in `also`: asked with an empty body, it must answer each role as the GET does. The writes of
every cell are rolled back, so each cell sees the same world. The URL's arguments come from the
`world` fixture of the test, by argument name: `booking_id` is the patient's booking with the
provider, `provider_id` the provider's, and so on (`args` maps an argument to another key).

Adding a route: add its row here (the test lists every pattern without one). To see what every
role gets today, run `ACCESS_MATRIX_SHOW=1 pytest tests/test_access_matrix.py -s`, then check each
cell against what the role must be allowed, not against what it gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The columns, in order. "member" is an administrator of the provider that owns the world's quote
# and booking ("Clinique du Lac"); "rival" the administrator of another provider.
ROLES = ("anonymous", "patient", "other_patient", "member", "rival", "careteam", "finance", "coordinator", "admin")
OUTCOMES = {"ok", "login", "denied", "hidden"}


@dataclass(frozen=True)
class Rule:
    outcomes: dict[str, str]
    method: str = "GET"
    also: str = ""  # a write method the route also answers, for which the same outcomes hold (empty body)
    probe: str | None = None  # the URL name to open for a `*` group
    args: dict[str, str] = field(default_factory=dict)  # URL argument → world key, when not the same name
    data: dict[str, str] = field(default_factory=dict)  # a POST's body instead of an empty one ("{world_key}" filled)
    debug_only: bool = False  # a pattern that exists only with DEBUG (not in tests)


def rule(cells: str, method: str = "GET", **options) -> Rule:
    values = cells.split()
    assert len(values) == len(ROLES), f"{cells!r}: {len(values)} cells for {len(ROLES)} roles"
    assert set(values) <= OUTCOMES, f"{cells!r}: unknown outcome in {set(values) - OUTCOMES}"
    return Rule(outcomes=dict(zip(ROLES, values, strict=True)), method=method, **options)


# fmt: off
MATRIX: dict[str, Rule] = {
    #                                        anon   patient other  member rival  care   finance coord  admin
    # --- Public pages and API (the storefront, the provider's public page, health, legal)
    "home":                                 rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "search":                               rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "compare":                              rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "compare_toggle":                       rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "terms":                                rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "legal_notice":                         rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "healthz":                              rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # the "Services" page: every add-on, its rules and its prices by city
    "concierge:catalogue":                  rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "providers:public":                     rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # public: what a payment confirmation's code states (paid, when, where), nothing more
    "payments:verify":                      rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # public: whether a visa letter's code is genuine, revoked or unknown, with its minimal facts
    "concierge:visa_verify":                rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", args={"code": "letter_code"}),
    "api_search":                           rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # without offerings: 400
    "api_compare":                          rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_providers":                        rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_provider":                         rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # without dates: 400
    "api_offering_slots":                   rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_catalogue_specialties":            rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # --- Signing in and one's account (allauth, MFA, terms)
    "account_change_password":              rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_confirm_email":                rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_confirm_login_code":           rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_email":                        rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_email_verification_sent":      rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_inactive":                     rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # signed in: sent home
    "account_login":                        rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_logout":                       rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_reauthenticate":               rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_reset_password":               rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_reset_password_done":          rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_reset_password_from_key":      rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_reset_password_from_key_done": rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_set_password":                 rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "account_signup":                       rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # nothing left to accept: sent back
    "accounts_terms_accept":                rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "api_me":                               rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_account_profile":                  rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="PATCH"),
    "api_me_terms":                         rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    # one's own API tokens (the devices signed in through the API): each his own list, and only his own token to revoke
    "accounts_profile":                     rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "accounts_api_tokens":                  rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "accounts_api_token_revoke":            rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "api_token_id"}),
    "accounts_api_tokens_revoke_all":       rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "api_tokens":                           rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_token_detail":                     rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "DELETE", args={"pk": "api_token_id"}),
    # Your data → Consents: each signed-in person's own (no object of anyone else's is named)
    "privacy:consents":                     rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "privacy:consent_give":                 rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "privacy:consent_withdraw":             rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "privacy-api:consents":                 rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "privacy-api:consent_give":             rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "privacy-api:consent_withdraw":         rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    # a session, not a token: nothing to revoke (400)
    "api_logout":                           rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "mfa_activate_totp":                    rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "mfa_authenticate":                     rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    # patients have no authenticator: nothing to deactivate or show (404). Whoever must use MFA has
    # one, and allauth asks to re-authenticate before it may be turned off even right after signing
    # in (a 302 to /accounts/reauthenticate/, as it should: a session alone must not remove a factor)
    "mfa_deactivate_totp":                  rule("login  hidden hidden ok     ok     ok     ok     ok     ok"),
    "mfa_download_recovery_codes":          rule("login  hidden hidden hidden hidden hidden hidden hidden hidden"),
    "mfa_generate_recovery_codes":          rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "mfa_index":                            rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "mfa_reauthenticate":                   rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "mfa_view_recovery_codes":              rule("login  hidden hidden hidden hidden hidden hidden hidden hidden"),
    "notifications:preferences":            rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    # --- The patient's quote requests, quotes, bookings, payments and documents
    "api_booking":                          rule("login  ok     hidden ok     hidden ok     hidden hidden hidden"),
    # a provider may not cancel (403); the care team may, on the patient's behalf
    "api_booking_cancel":                   rule("login  ok     hidden denied hidden ok     hidden hidden hidden", "POST"),
    # the board: the medical coordinators see their second-opinion queue on it (the world's case is the careteam's)
    "api_board":                            rule("login  denied denied denied denied ok     denied ok     denied"),
    "api_board_assign":                     rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"key": "case_key"}),
    "api_board_notes":                      rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"key": "case_key"}),
    "api_booking_evidence":                 rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    # an empty body is refused before anything else (400); who may hold: bookings' own tests
    "api_booking_hold":                     rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "api_booking_reschedule":               rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST"),
    # each his own (an empty list)
    "api_bookings":                         rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    # no sign-in step: whoever may not read it gets 404, signed in or not
    "api_document_download":                rule("hidden ok     hidden ok     hidden hidden hidden hidden hidden"),
    "api_document_grant":                   rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "DELETE"),
    "api_document_grants":                  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST"),
    "api_documents":                        rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    # already accepted: 409 for the patient
    # VIP packages and careteam assistance (patients); the careteam's endpoints answer 403 to anyone else
    "api_concierge_vip":                    rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "api_concierge_assistance":             rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "api_concierge_package":                rule("login  ok     hidden hidden hidden ok     hidden hidden hidden", args={"order_id": "vip_order_id"}),
    "api_concierge_package_accept":         rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"order_id": "vip_order_id"}),
    "api_concierge_package_decline":        rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"order_id": "vip_order_id"}),
    "api_concierge_mandate_revoke":         rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"order_id": "assistance_order_id"}),
    "api_concierge_package_items":          rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"order_id": "vip_order_id"}),
    "api_concierge_package_send":           rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"order_id": "vip_order_id"}),
    "api_concierge_package_item":           rule("login  denied denied denied denied ok     denied denied denied", "DELETE", also="PUT"),
    "api_concierge_package_item_move":      rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "api_concierge_assistance_quote":       rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"order_id": "assistance_order_id"}),
    "api_tenders":                          rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "api_tender":                           rule("login  denied denied denied denied ok     denied denied denied"),
    "api_tender_comparison":                rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "api_quote_accept":                     rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "api_quote_decline":                    rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "api_quote_request":                    rule("login  ok     hidden hidden hidden hidden hidden hidden hidden"),
    "api_quote_request_withdraw":           rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "api_quote_requests":                   rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    # an empty body: 400
    "api_signup":                           rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "api_token":                            rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "bookings:appointment_ics":             rule("login  ok     hidden ok     hidden ok     hidden hidden hidden"),
    "bookings:cancel":                      rule("login  ok     hidden denied hidden ok     hidden hidden hidden", "POST", data={"reason": "none"}),
    # the care team follows every booking; finance reads the ledger, not the booking
    "bookings:detail":                      rule("login  ok     hidden ok     hidden ok     hidden hidden hidden"),
    "bookings:evidence":                    rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "bookings:list":                        rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    # a slot button of the provider's public page: anyone signed in may hold a slot (an empty body: back to the page with a message)
    "bookings:hold":                        rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    # the patient, the provider's members and the care team move an appointment (an empty body: back with a message)
    "bookings:reschedule":                  rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST"),
    # the page asks for a recent sign-in (accounts.reauth): the roles signed in just now, so they reach it
    "documents:download":                   rule("hidden ok     hidden ok     hidden hidden hidden hidden hidden"),
    "documents:grant_add":                  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "documents:grant_revoke":               rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "documents:list":                       rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "documents:upload":                     rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    # --- Add-on orders (concierge): the patient's own; the careteam's page for one order (finance refunds from it)
    "concierge:order_list":                 rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "concierge:order_detail":               rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", args={"pk": "order_id"}),
    "concierge:order_pay":                  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", args={"pk": "order_id"}),
    "concierge:order_pay_start":            rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "order_id"}),
    "concierge:order_pay_card":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "order_id"}),
    "concierge:order_pay_confirm":          rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "order_id"}),
    "concierge:order_cancel":               rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "order_id"}),
    # the careteam arranges an order (finance opens its page to refund it, but does not arrange it)
    "concierge:order_assign":               rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "order_id"}),
    "concierge:order_hours":                rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "order_id"}),
    "concierge:order_fulfil":               rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "order_id"}),
    # ordering from the patient's own booking (a form, then its review)
    "concierge:transfer_order":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST"),
    "concierge:interpreter_order":          rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST"),
    "concierge:order_manage":               rule("login  denied denied denied denied ok     ok     denied denied", args={"pk": "order_id"}),
    "concierge:order_manage_refund":        rule("login  denied denied denied denied ok     ok     denied denied", "POST", args={"pk": "order_id"}),
    "payments:confirmation":                rule("login  ok     hidden hidden hidden hidden hidden hidden hidden"),
    "payments:pay":                         rule("login  ok     hidden hidden hidden hidden hidden hidden hidden"),
    "payments:pay_card":                    rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "payments:pay_confirm":                 rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "payments:pay_start":                   rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "quotes:quote_accept":                  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "quotes:quote_decline":                 rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "quotes:request_detail":                rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST"),
    "quotes:request_list":                  rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "quotes:request_new":                   rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "quotes:request_withdraw":              rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    # visa letters: the booking's patient orders them (the world's deposit is held); the letter is theirs only
    "concierge:visa_order":                 rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST"),
    "concierge:visa_letter_download":       rule("login  ok     hidden hidden hidden hidden hidden hidden hidden"),
    # without a body: 400
    "api_visa_letters":                     rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "api_visa_letter_pdf":                  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden"),
    # --- The provider's people: dashboard, inbox, calendar, its API
    "api_inbox":                            rule("login  hidden hidden ok     hidden hidden hidden hidden hidden"),
    "api_inbox_quote":                      rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    # the quote is accepted: 409 for its provider
    "api_inbox_quote_withdraw":             rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "api_my_exceptions":                    rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    # the clinic's invitation (to the other patient's address): its administrators list, send and withdraw them
    "api_my_invitation":                    rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "DELETE"),
    "api_my_invitations":                   rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "api_my_location":                      rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="PUT"),
    "api_my_locations":                     rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "api_my_member":                        rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "DELETE", also="PATCH"),
    "api_my_members":                       rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "api_my_offering":                      rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="PUT"),
    "api_my_offerings":                     rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "api_my_provider":                      rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="PATCH"),
    "api_my_providers":                     rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_my_rule":                          rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "DELETE"),
    "api_my_rules":                         rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "api_provider_bookings":                rule("login  hidden hidden ok     hidden hidden hidden hidden hidden"),
    "bookings:complete":                    rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "bookings:no_show":                     rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "bookings:provider_calendar":           rule("login  hidden hidden ok     hidden hidden hidden hidden hidden"),
    "bookings:provider_bookings":           rule("login  hidden hidden ok     hidden hidden hidden hidden hidden"),
    "bookings:provider_bookings_csv":       rule("login  hidden hidden ok     hidden hidden hidden hidden hidden"),
    "finance:release_request":              rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "providers:availability":               rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "providers:dashboard":                  rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "providers:dashboard_index":            rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "providers:invitation_revoke":          rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    # the invitation's link (its token is the secret): whoever holds it reads who invites whom;
    # only the invited address's account (the other patient's) may answer it, anyone else is refused (403)
    "providers:invitation":                 rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_invitation":                       rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_invitation_accept":                rule("login  denied ok     denied denied denied denied denied denied", "POST"),
    "api_invitation_decline":               rule("login  denied ok     denied denied denied denied denied denied", "POST"),
    # anyone signed in may register a provider
    "providers:join":                       rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "providers:location_edit":              rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "providers:location_new":               rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "providers:member_add":                 rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "providers:member_remove":              rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "providers:member_languages":           rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "providers:offering_edit":              rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "providers:offering_new":               rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "providers:photo_add":                  rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "providers:profile_edit":               rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    # the requests to the providers one belongs to: none for patients and staff
    "quotes:inbox":                         rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "quotes:inbox_detail":                  rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "quotes:quote_withdraw":                rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", data={"recipient": "{recipient_id}"}),
    # VIP packages and careteam assistance: the patient asks, decides, revokes; the rest is the careteam's
    "concierge:vip_request":                rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "concierge:assistance_request":         rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "concierge:package_detail":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", args={"pk": "vip_order_id"}),
    "concierge:package_accept":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "vip_order_id"}),
    "concierge:package_decline":            rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "vip_order_id"}),
    "concierge:mandate_revoke":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "assistance_order_id"}),
    "quotes:tender_comparison":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden"),
    # --- Staff: care team, finance
    "concierge:package_edit":               rule("login  denied denied denied denied ok     denied denied denied", also="POST", args={"pk": "vip_order_id"}),
    "concierge:package_quote_send":         rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "vip_order_id"}),
    "concierge:assistance_price":           rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "assistance_order_id"}),
    "concierge:assistance_complete":        rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "assistance_order_id"}),
    "concierge:assistance_refuse":          rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "assistance_order_id"}),
    "concierge:package_item_remove":        rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "concierge:package_item_move":          rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "quotes:tender_start":                  rule("login  denied denied denied denied ok     denied denied denied", also="POST", args={"order_id": "assistance_order_id"}),
    "quotes:tender_detail":                 rule("login  denied denied denied denied ok     denied denied denied", also="POST"),
    "bookings:evidence_queue":              rule("login  denied denied denied denied ok     denied denied denied"),
    "careteam:board":                       rule("login  denied denied denied denied ok     denied ok     denied"),
    "careteam:case":                        rule("login  denied denied denied denied ok     denied hidden denied", args={"key": "case_key"}),
    "careteam:case_assign":                 rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"key": "case_key"}),
    "careteam:case_note_add":               rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"key": "case_key"}),
    "bookings:evidence_review":             rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    # visa letters: the careteam finds and revokes them (without a reason: back with a message, or 400)
    "concierge:visa_letters_careteam":      rule("login  denied denied denied denied ok     denied denied denied"),
    "concierge:visa_letter_revoke":         rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "api_visa_letter_revoke":               rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "finance:booking_ledger":               rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:booking_ledger_csv":           rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:booking_lookup":               rule("login  denied denied denied denied denied ok     denied denied"),
    # without dates: back to finance's home
    "finance:entries_csv":                  rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:reconciliation":               rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:reconciliation_run":           rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "finance:release_approve":              rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "finance:release_reject":               rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "finance:release_wire":                 rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "finance:releases":                     rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:trust_register":               rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:trust_register_csv":           rule("login  denied denied denied denied denied ok     denied denied"),
    # Stripe does not run in tests: the refund, the retry answer 502 or send back with a message (ok)
    "finance:orphaned_charges":             rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:orphaned_charge_refund":       rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "finance:release_retry":                rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "finance:stripe_events":                rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:stripe_event_retry":           rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    # payout changes: finance only, with a recent sign-in (the roles signed in just now); four eyes:
    # the world's proposal is another finance member's, so the finance role may approve it
    "finance:payout_accounts":              rule("login  denied denied denied denied denied ok     denied denied"),
    "finance:payout_change_new":            rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "finance:payout_change_approve":        rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "finance:payout_change_reject":         rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "notifications:log":                    rule("login  denied denied denied denied ok     denied denied denied", also="POST"),
    "providers:verification_queue":         rule("login  denied denied denied denied ok     denied denied denied", also="POST"),
    "providers:verification_review":        rule("login  denied denied denied denied ok     denied denied denied", also="POST"),
    # --- Concierge orders (API): the patient's own; the careteam runs every order, finance sees them (refunds)
    "api_concierge_orders":                 rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "api_concierge_order_preview":          rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "api_concierge_order":                  rule("login  ok     hidden hidden hidden ok     ok     hidden hidden"),
    # only the patient pays; the world's order awaits payment (pay/start calls Stripe: 502 here)
    "api_concierge_order_pay_start":        rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "api_concierge_order_pay":              rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "api_concierge_order_pay_confirm":      rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "api_concierge_order_cancel":           rule("login  ok     hidden hidden hidden ok     denied hidden hidden", "POST"),
    # the careteam arranges; the world's order is not paid yet: 409 to the careteam
    "api_concierge_order_assign":           rule("login  denied hidden hidden hidden ok     denied hidden hidden", "POST"),
    "api_concierge_order_fulfil":           rule("login  denied hidden hidden hidden ok     denied hidden hidden", "POST"),
    "api_concierge_order_hours":            rule("login  denied hidden hidden hidden ok     denied hidden hidden", "POST"),
    # concierge's catalogue: prices for the careteam (propose) and finance (decide); suppliers for the careteam
    "concierge:price_list":                 rule("login  denied denied denied denied ok     ok     denied denied"),
    "concierge:price_propose":              rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "concierge:price_decide":               rule("login  denied denied denied denied denied ok     denied denied", "POST", args={"pk": "price_id"}),
    "concierge:supplier_list":              rule("login  denied denied denied denied ok     denied denied denied"),
    "concierge:supplier_create":            rule("login  denied denied denied denied ok     denied denied denied", also="POST"),
    "concierge:supplier_edit":              rule("login  denied denied denied denied ok     denied denied denied", also="POST", args={"pk": "supplier_id"}),
    "api_concierge_catalogue":              rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # its POST is the careteam's alone (finance gets 403): concierge/tests/test_catalogue_api.py
    "api_concierge_prices":                 rule("login  denied denied denied denied ok     ok     denied denied"),
    "api_concierge_price_approve":          rule("login  denied denied denied denied denied ok     denied denied", "POST", args={"price_id": "price_id"}),
    "api_concierge_price_reject":           rule("login  denied denied denied denied denied ok     denied denied", "POST", args={"price_id": "price_id"}),
    "api_concierge_suppliers":              rule("login  denied denied denied denied ok     denied denied denied", also="POST"),
    "api_concierge_supplier":               rule("login  denied denied denied denied ok     denied denied denied", also="PATCH", args={"supplier_id": "supplier_id"}),
    # --- Second opinions: the medical coordinators' triage (other staff 403; patients and providers 404)
    "secondopinion:coordinator_queue":      rule("login  hidden hidden hidden hidden denied denied ok     denied"),
    "secondopinion:coordinator_case":       rule("login  hidden hidden hidden hidden denied denied ok     denied", args={"pk": "opinion_case_id"}),
    "secondopinion:coordinator_take":       rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"pk": "opinion_case_id"}),
    "secondopinion:coordinator_request_documents": rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"pk": "opinion_case_id"}),
    "secondopinion:coordinator_skills":     rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"pk": "opinion_case_id"}),
    "secondopinion:coordinator_shortlist":  rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"pk": "opinion_case_id"}),
    "secondopinion:coordinator_unsuitable": rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"pk": "opinion_case_id"}),
    "api_secondopinion_coordinator_cases":                rule("login  hidden hidden hidden hidden denied denied ok     denied"),
    "api_secondopinion_coordinator_case":                 rule("login  hidden hidden hidden hidden denied denied ok     denied", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_coordinator_take":                 rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_coordinator_request_documents":    rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_coordinator_skills":               rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_coordinator_eligible_specialists": rule("login  hidden hidden hidden hidden denied denied ok     denied", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_coordinator_shortlist":            rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_coordinator_unsuitable":           rule("login  hidden hidden hidden hidden denied denied ok     denied", "POST", args={"case_id": "opinion_case_id"}),
    # --- Second opinions: the patient's own requests and cases (everyone else 404)
    "secondopinion:patient_landing":        rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "secondopinion:patient_new":            rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "secondopinion:patient_cases":          rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "secondopinion:patient_case":           rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", args={"pk": "opinion_case_id"}),
    "secondopinion:patient_edit":           rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST", args={"pk": "opinion_case_id"}),
    "secondopinion:patient_send":           rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "opinion_case_id"}),
    "secondopinion:patient_documents":      rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "opinion_case_id"}),
    "secondopinion:patient_documents_sent": rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "opinion_case_id"}),
    "secondopinion:patient_choose":         rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "opinion_case_id", "candidate_pk": "candidate_id"}),
    "secondopinion:patient_withdraw":       rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST", args={"pk": "opinion_case_id"}),
    "api_secondopinion_cases":              rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "api_secondopinion_prices":             rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_secondopinion_case":               rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="PATCH", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_send":               rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_documents":          rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_documents_sent":     rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_choose":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"case_id": "opinion_case_id"}),
    "api_secondopinion_withdraw":           rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"case_id": "opinion_case_id"}),
    # --- Second opinions: the specialists' side ("member" is of the delivered case's chosen practice; others 404)
    # each practitioner his own home (the rival's practice may give opinions too: its own, empty); 404 to others
    "secondopinion:specialist_home":        rule("login  hidden hidden ok     ok     hidden hidden hidden hidden", also="POST"),
    "secondopinion:specialist_case":        rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", args={"pk": "delivered_case_id"}),
    "secondopinion:specialist_case_accept": rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "delivered_case_id"}),
    "secondopinion:specialist_case_decline": rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "delivered_case_id"}),
    "secondopinion:specialist_case_opinion": rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "delivered_case_id"}),
    # its practice's profile, each his own (the rival's practice has one too); PUT without a body: 400
    "api_secondopinion_specialist_profile": rule("login  hidden hidden ok     ok     hidden hidden hidden hidden", also="PUT"),
    # each his own list (empty but for the member's practice)
    "api_secondopinion_specialist_cases":   rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_secondopinion_specialist_case":    rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_specialist_case_accept": rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_specialist_case_decline": rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_specialist_opinion": rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "PUT", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_specialist_opinion_sign": rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", args={"case_id": "delivered_case_id"}),
    # public: who signed the opinion with this code, and when
    "secondopinion:specialist_verify":      rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", args={"code": "opinion_code"}),
    "api_secondopinion_verify":             rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", args={"code": "opinion_code"}),
    # --- Second opinions after the opinion (the world's delivered case): its patient and its specialist's practice
    # ("member") read it; the patient asks, closes, books the consultation and shares, the specialist answers.
    # Either one on the other's action: the page sends back with the service's refusal (ok), the API answers 404
    # (an empty body may be refused first, 400). Everyone else: 404.
    "secondopinion:after_case":             rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", args={"pk": "delivered_case_id"}),
    "secondopinion:after_follow_up_ask":    rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "delivered_case_id"}),
    "secondopinion:after_follow_up_answer": rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "delivered_case_id"}),
    "secondopinion:after_case_close":       rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "delivered_case_id"}),
    "secondopinion:after_consultation":     rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", also="POST", args={"pk": "delivered_case_id"}),
    "secondopinion:after_share_link_create": rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "delivered_case_id"}),
    "secondopinion:after_share_link_revoke": rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "delivered_case_id"}),
    "api_secondopinion_follow_ups":         rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", also="POST", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_follow_up_answer":   rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", "POST", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_close":              rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_consultation":       rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_share_links":        rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST", args={"case_id": "delivered_case_id"}),
    "api_secondopinion_share_link":         rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "DELETE", args={"case_id": "delivered_case_id"}),
    # --- Erasure and account closure (privacy): each person their own; the world's erasure request (the
    # patient's, done) is nobody else's; the last page needs no sign-in (the account is closed by then)
    "privacy:erasure":                      rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "privacy:erasure_progress":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", args={"request_id": "erasure_request_id"}),
    "privacy:erasure_done":                 rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "privacy-api:erasure":                  rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "privacy-api:erasure_status":           rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", args={"request_id": "erasure_request_id"}),
    # public: the opinion behind a live share link (the token is the key)
    "secondopinion:after_shared":           rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", args={"token": "share_token"}),
    "secondopinion:after_shared_pdf":       rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", args={"token": "share_token"}),
    # --- Data rights (privacy): the person's own requests and copy, the providers' forwards, the careteam's answers
    # each signed-in person has a "Your data" page; asking (empty form) is answered on it
    "privacy:home":                         rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "privacy:export_ask":                   rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "privacy:request_ask":                  rule("login  ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    # the patient's copy: its progress and its download (not ready yet: sent back with the reason); nobody else's
    "privacy:export_progress":              rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", args={"pk": "data_request_id"}),
    "privacy:export_download":              rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"pk": "data_request_id"}),
    # requests forwarded to a provider: its members only (the rival sees its own, none)
    "privacy:provider_forwards":            rule("login  hidden hidden ok     ok     hidden hidden hidden hidden"),
    "privacy:forward_answer":               rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", args={"pk": "forward_id"}),
    "privacy:careteam_request":             rule("login  denied denied denied denied ok     denied denied denied", args={"pk": "data_request_id"}),
    "privacy:careteam_extend":              rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "data_request_id"}),
    "privacy:careteam_complete":            rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "data_request_id"}),
    "privacy:careteam_refuse":              rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "data_request_id"}),
    "privacy-api:requests":                 rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "privacy-api:request":                  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", args={"request_id": "data_request_id"}),
    # without the token: 400 to the owner
    "privacy-api:request_download":         rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"request_id": "data_request_id"}),
    "privacy-api:forwards":                 rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    "privacy-api:forward_answer":           rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST", args={"forward_id": "forward_id"}),
    # --- Outside services' webhooks
    # Stripe's signature is missing: 400 to all
    "stripe_webhook":                       rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "stripe_connect_webhook":               rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", "POST"),
    "notifications:twilio_status":          rule("denied denied denied denied denied denied denied denied denied", "POST"),
    # Twilio's signature is missing: 403 to all
    "notifications:twilio_inbound":         rule("denied denied denied denied denied denied denied denied denied", "POST"),
    # --- Groups and the framework's own
    # signed in but not staff: the admin's sign-in page; staff see what their permissions allow
    "admin/*":                              rule("login  login  login  login  login  ok     ok     ok     ok", probe="admin:index"),
    "api_schema":                           rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "api_docs":                             rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "set_language":                         rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # DEBUG's media files: provider photos; never the documents' (encrypted) blobs, which only the download views serve
    "media":                                rule("hidden hidden hidden hidden hidden hidden hidden hidden hidden", debug_only=True),
    # --- D: the published ranking (storefront): how search orders results, public
    "ranking":                              rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    # --- Verified reviews (reviews/): the world's completed booking's review, published then reported by
    # the clinic (its author may still answer), and a driver's review awaiting moderation. The review is its
    # author's, its provider's members' and the careteam's (404 to anyone else); moderation is the careteam's (403).
    "reviews:charter":                      rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "reviews:mine":                         rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    # already reviewed: sent back to "My reviews" with the reason
    "reviews:write":                        rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST", args={"booking_id": "review_booking_id"}),
    "reviews:write_supplier":               rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST", args={"order_id": "review_order_id"}),
    "reviews:provider_reviews":             rule("login  denied denied ok     ok     denied denied denied denied"),
    "reviews:moderation":                   rule("login  denied denied denied denied ok     denied denied denied"),
    "reviews:detail":                       rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", args={"pk": "review_id"}),
    "reviews:reply":                        rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST", args={"pk": "review_id"}),
    "reviews:report":                       rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST", args={"pk": "review_id"}),
    "reviews:publish":                      rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "review_id"}),
    "reviews:reject":                       rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "review_id"}),
    "reviews:report_respond":               rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST"),
    # the author and the clinic find the report; only the careteam decides (and not before the author's 7 days)
    "reviews:report_decide":                rule("login  denied hidden denied hidden ok     hidden hidden hidden", "POST"),
    "reviews:supplier_publish":             rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "supplier_review_id"}),
    "reviews:supplier_reject":              rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"pk": "supplier_review_id"}),
    "reviews:supplier":                     rule("login  denied denied denied denied ok     denied denied denied"),
    "reviews-api:reviews":                  rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "reviews-api:review":                   rule("login  ok     hidden ok     hidden ok     hidden hidden hidden"),
    "reviews-api:reply":                    rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST"),
    "reviews-api:report":                   rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST"),
    "reviews-api:publish":                  rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "reviews-api:reject":                   rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "reviews-api:report_respond":           rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST"),
    "reviews-api:report_decide":            rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    # public: a verified provider's published reviews and rating
    "reviews-api:provider":                 rule("ok     ok     ok     ok     ok     ok     ok     ok     ok"),
    "reviews-api:member_reviews":           rule("login  denied denied ok     ok     denied denied denied denied"),
    "reviews-api:moderation":               rule("login  denied denied denied denied ok     denied denied denied"),
    "reviews-api:supplier_reviews":         rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "reviews-api:supplier_publish":         rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"review_id": "supplier_review_id"}),
    "reviews-api:supplier_reject":          rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"review_id": "supplier_review_id"}),
    # --- Messaging: threads on the world's booking (the clinic opted in), their attachments
    # every signed-in person has an inbox (their own threads only)
    "messaging:inbox":                      rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    # the thread's participants: the patient, the clinic's members (opted in), the careteam; anyone else 404, writing too
    "messaging:thread":                     rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", also="POST"),
    "messaging:messages":                   rule("login  ok     hidden ok     hidden ok     hidden hidden hidden"),
    "messaging:attachment":                 rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", args={"document_id": "thread_document_id"}),
    # the booking's thread by its subject: a redirect to the thread for its participants
    "messaging:subject":                    rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", also="POST", args={"kind": "thread_kind", "subject_id": "booking_id"}),
    # a provider's messaging settings: its administrators only
    "messaging:provider_settings":          rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "messaging-api:threads":                rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "messaging-api:thread":                 rule("login  ok     hidden ok     hidden ok     hidden hidden hidden"),
    "messaging-api:messages":               rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", also="POST"),
    "messaging-api:read":                   rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", "POST"),
    "messaging-api:attachment":             rule("login  ok     hidden ok     hidden ok     hidden hidden hidden", args={"document_id": "thread_document_id"}),
    # --- Disputes: the patient's dispute over the booking's deposit, awaiting the clinic's answer.
    # Its parties (the patient, the clinic's members), the careteam and finance see it; others get 404.
    "disputes:list":                        rule("login  ok     ok     ok     ok     ok     ok     ok     ok"),
    # opening: the booking's patient and its provider's members (a dispute is open already: 409), the order's patient
    "disputes:open_booking":                rule("login  ok     hidden ok     hidden hidden hidden hidden hidden", also="POST"),
    "disputes:open_order":                  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST"),
    "disputes:detail":                      rule("login  ok     hidden ok     hidden ok     ok     hidden hidden", args={"pk": "dispute_id"}),
    # forms posted empty: 400 to who may act (the clinic answers, the parties add documents, the careteam
    # decides, finance sends back); 403 to the others who see the dispute
    "disputes:answer":                      rule("login  denied hidden ok     hidden denied denied hidden hidden", "POST", args={"pk": "dispute_id"}),
    "disputes:evidence":                    rule("login  ok     hidden ok     hidden denied denied hidden hidden", "POST", args={"pk": "dispute_id"}),
    "disputes:decide":                      rule("login  denied hidden denied hidden ok     denied hidden hidden", "POST", args={"pk": "dispute_id"}),
    "disputes:send_back":                   rule("login  denied hidden denied hidden denied ok     hidden hidden", "POST", args={"pk": "dispute_id"}),
    # the side that opened it withdraws; finance approves (nothing to approve yet: back with the reason)
    "disputes:withdraw":                    rule("login  ok     hidden denied hidden denied denied hidden hidden", "POST", args={"pk": "dispute_id"}),
    "disputes:approve":                     rule("login  denied hidden denied hidden denied ok     hidden hidden", "POST", args={"pk": "dispute_id"}),
    # without a booking or an order: 400
    "disputes-api:list":                    rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="POST"),
    "disputes-api:detail":                  rule("login  ok     hidden ok     hidden ok     ok     hidden hidden"),
    "disputes-api:answer":                  rule("login  denied hidden ok     hidden denied denied hidden hidden", "POST"),
    "disputes-api:evidence":                rule("login  ok     hidden ok     hidden denied denied hidden hidden", "POST"),
    "disputes-api:withdraw":                rule("login  ok     hidden denied hidden denied denied hidden hidden", "POST"),
    # the careteam decides (empty: 400)
    "disputes-api:decide":                  rule("login  denied hidden denied hidden ok     denied hidden hidden", "POST"),
    "disputes-api:approve":                 rule("login  denied hidden denied hidden denied ok     hidden hidden", "POST"),
    "disputes-api:send_back":               rule("login  denied hidden denied hidden denied ok     hidden hidden", "POST"),
    # --- Aftercare: the discharge pack (bookings) and the careteam's setting (providers)
    # the provider's members add items (the world's booking's pack is not open yet: 400/409); the patient and careteam see the booking but may not
    "bookings:pack_item":                   rule("login  denied hidden ok     hidden denied hidden hidden hidden", "POST"),
    "bookings:pack_link_create":            rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "bookings:pack_link_revoke":            rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST", args={"link_id": "pack_link_id"}),
    # public behind the token (the home doctor has no account)
    "bookings:pack_shared":                 rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", args={"token": "pack_token"}),
    "bookings:pack_shared_file":            rule("ok     ok     ok     ok     ok     ok     ok     ok     ok", args={"token": "pack_token", "item_id": "pack_item_id"}),
    "api_booking_discharge_pack":           rule("login  ok     hidden ok     hidden ok     hidden hidden hidden"),
    "api_booking_discharge_items":          rule("login  denied hidden ok     hidden denied hidden hidden hidden", "POST"),
    "api_booking_pack_links":               rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "api_booking_pack_link":                rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "DELETE", args={"link_id": "pack_link_id"}),
    "providers:discharge_pack_setting":     rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    "api_careteam_provider_discharge_pack": rule("login  denied denied denied denied ok     denied denied denied", also="PUT"),
    # --- API for finance (payments/finance_api.py): finance only, as the pages; empty writes are refused
    # as input (400), or by the release's state (409), or reach Stripe, which does not run here (502)
    "api_finance_releases":                 rule("login  denied denied denied denied denied ok     denied denied"),
    "api_finance_release":                  rule("login  denied denied denied denied denied ok     denied denied"),
    "api_finance_release_approve":          rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_release_reject":           rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_release_wire":             rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_release_retry":            rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_orphaned_charges":         rule("login  denied denied denied denied denied ok     denied denied"),
    "api_finance_orphaned_charge_refund":   rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_stripe_events":            rule("login  denied denied denied denied denied ok     denied denied"),
    "api_finance_stripe_event_retry":       rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_payout_accounts":          rule("login  denied denied denied denied denied ok     denied denied"),
    "api_finance_payout_change_new":        rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_payout_change_approve":    rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_payout_change_reject":     rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_reconciliation":           rule("login  denied denied denied denied denied ok     denied denied"),
    "api_finance_reconciliation_run":       rule("login  denied denied denied denied denied ok     denied denied", "POST"),
    "api_finance_trust_register":           rule("login  denied denied denied denied denied ok     denied denied"),
    "api_finance_booking_ledger":           rule("login  denied denied denied denied denied ok     denied denied"),
    # --- API for the careteam's verification of providers (providers/verification_api.py): the careteam only
    "api_careteam_verification_queue":      rule("login  denied denied denied denied ok     denied denied denied"),
    "api_careteam_provider_verification":   rule("login  denied denied denied denied ok     denied denied denied", also="POST"),

    # --- API parity: the API twins of page actions that had none (each as its page's row)
    "api_my_photos":                        rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "api_concierge_order_refund":           rule("login  denied denied denied denied ok     ok     denied denied", "POST"),
    "api_concierge_assistance_refuse":      rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"order_id": "assistance_order_id"}),
    "api_concierge_assistance_complete":    rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"order_id": "assistance_order_id"}),
    "privacy-api:careteam_request":         rule("login  denied denied denied denied ok     denied denied denied", args={"request_id": "data_request_id"}),
    "privacy-api:careteam_extend":          rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"request_id": "data_request_id"}),
    "privacy-api:careteam_complete":        rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"request_id": "data_request_id"}),
    "privacy-api:careteam_refuse":          rule("login  denied denied denied denied ok     denied denied denied", "POST", args={"request_id": "data_request_id"}),
    "messaging-api:provider_settings":      rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", also="PUT"),
    "api_notification_preferences":         rule("login  ok     ok     ok     ok     ok     ok     ok     ok", also="PUT"),

    # --- API for payments and a booking's life (twins of the card pages, the confirmation, closing, evidence review, the release request)
    # the patient's own booking only (the world's is paid: POST answers 409 already_paid)
    "api_booking_payment":                  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST"),
    "api_booking_payment_confirm":          rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
    "api_booking_confirmation":             rule("login  ok     hidden hidden hidden hidden hidden hidden hidden"),
    # the provider's members, as the calendar's buttons (too early or already closed: 409)
    "api_booking_complete":                 rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "api_booking_no_show":                  rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    "api_booking_release_request":          rule("login  hidden hidden ok     hidden hidden hidden hidden hidden", "POST"),
    # the careteam's evidence queue and review (empty body: 400)
    "api_booking_evidence_queue":           rule("login  denied denied denied denied ok     denied denied denied"),
    "api_booking_evidence_review":          rule("login  denied denied denied denied ok     denied denied denied", "POST"),
    # the order's patient only (POST reaches Stripe, which does not run here: 502)
    "api_concierge_order_payment":          rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", also="POST"),
    "api_concierge_order_payment_confirm":  rule("login  ok     hidden hidden hidden hidden hidden hidden hidden", "POST"),
}
# fmt: on
