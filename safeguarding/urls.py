from django.urls import path

from . import views

app_name = "safeguarding"

urlpatterns = [
    path("", views.worry_list, name="worries"),
    path("worries/new/", views.worry_new, name="worry_new"),
    path("worries/new/find/", views.find_her, name="find_her"),
    path("worries/<int:pk>/", views.worry_detail, name="worry"),
    path("worries/<int:pk>/raised/", views.worry_raised, name="worry_raised"),
    path("worries/<int:pk>/edit/", views.worry_edit, name="worry_edit"),
    path("worries/<int:pk>/status/", views.worry_status, name="worry_status"),
    path("alerts/<int:pk>/retry/", views.alert_retry, name="alert_retry"),
    path(
        "alerts/<int:pk>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("people/<int:person_pk>/chronology/", views.chronology, name="chronology"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/bring/", views.session_bring, name="session_bring"),
    path(
        "sessions/<int:pk>/invitation/",
        views.session_invitation,
        name="session_invitation",
    ),
    path(
        "sessions/<int:pk>/worries/<int:worry_pk>/",
        views.session_review,
        name="review",
    ),
    path("sessions/<int:pk>/minutes.pdf", views.minutes, name="minutes"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("partners/", views.partners, name="partners"),
    path("partners/code/", views.partnership_code, name="partnership_code"),
    path(
        "partners/<int:pk>/answer/",
        views.partnership_answer,
        name="partnership_answer",
    ),
    path("partners/<int:pk>/end/", views.partnership_end, name="partnership_end"),
    path("access-log/", views.access_log, name="access_log"),
    path("settings/", views.settings_edit, name="settings"),
]
