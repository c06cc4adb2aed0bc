"""Concierge's services, by subdomain: `orders` (an order's payment and refund), and the modules
beside it for the catalogue, each kind's ordering and fulfilment, visa letters and packages."""
