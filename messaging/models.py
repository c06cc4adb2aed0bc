"""Secure threads between a patient, a provider's members and the careteam."""
