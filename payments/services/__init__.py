"""Payments' writes, by subdomain: deposits, card payments (for what the apps above sell, such as
concierge's add-on orders), refunds, disputes, releases, payouts and reconciliation. The ledger
(`payments.ledger`), Stripe (`payments.gateway`) and webhooks (`payments.webhooks`) sit beside them."""
