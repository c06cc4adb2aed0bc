"""Payments' writes, by subdomain (DESIGN.md §1): deposits, refunds, releases, add-on orders and
reconciliation. The ledger (`payments.ledger`), Stripe (`payments.gateway`) and webhooks
(`payments.webhooks`) sit beside them."""
