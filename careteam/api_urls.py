"""The case board's API routes, included under "api/v1/concierge/board/" by the project's urls."""

from django.urls import path

from careteam import api

urlpatterns = [
    path("", api.BoardAPI.as_view(), name="api_board"),
    path("<str:key>/assign/", api.AssignAPI.as_view(), name="api_board_assign"),
    path("<str:key>/notes/", api.NotesAPI.as_view(), name="api_board_notes"),
]
