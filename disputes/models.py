"""Disputes opened by a patient or a provider on a booking or an add-on order, and card chargebacks."""
