"""Payments' writes, by subdomain (docs/architecture.md#inside-an-app): deposits, refunds, releases, add-on orders and
reconciliation. The ledger (`payments.ledger`), Stripe (`payments.gateway`) and webhooks
(`payments.webhooks`) sit beside them."""
