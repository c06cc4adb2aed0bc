"""Concierge's API under /api/v1/concierge/, by subdomain (`concierge/api_urls.py` routes them)."""
