"""Concierge's pages, by subdomain (one module each; `concierge/urls.py` routes them)."""
