from django.urls import URLPattern, URLResolver, path

from careteam import views

app_name = "careteam"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("cases/<str:key>/", views.case, name="case"),
    path("cases/<str:key>/assign/", views.assign, name="case_assign"),
    path("cases/<str:key>/notes/", views.note_add, name="case_note_add"),
]
