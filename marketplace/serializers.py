from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer):
    """The body of every error: a stable code, a message for people, and messages per field."""

    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField(help_text="Field name → list of messages; empty when no field is at fault.")
