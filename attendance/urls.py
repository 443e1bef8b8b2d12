from django.urls import path

from .views import arrivals, door, kiosk, offline, people, rights, transfer

app_name = "attendance"

urlpatterns = [
    path("door/", door.door, name="door"),
    path("door/sites/", door.choose_site, name="choose_site"),
    path("door/sw.js", offline.service_worker, name="service_worker"),
    path("door/<int:site_pk>/offline/", offline.offline_door, name="offline_door"),
    path(
        "door/<int:site_pk>/offline/snapshot/",
        offline.snapshot,
        name="offline_snapshot",
    ),
    path("door/<int:site_pk>/offline/send/", offline.receive, name="offline_receive"),
    path("offline/<int:pk>/match/", offline.match, name="offline_match"),
    path("door/<int:site_pk>/", door.today, name="today"),
    path("door/<int:site_pk>/here/", door.here_now, name="here_now"),
    path("door/<int:site_pk>/search/", door.search, name="search"),
    path("door/<int:site_pk>/sign-in/<int:person_pk>/", door.sign_in, name="sign_in"),
    path("door/<int:site_pk>/new/", door.register, name="register"),
    path("door/<int:site_pk>/quick-add/", door.quick_add, name="quick_add"),
    path("door/<int:site_pk>/head-count/", door.headcount, name="headcount"),
    path("door/<int:site_pk>/sign-out-all/", door.sign_out_all, name="sign_out_all"),
    path(
        "door/<int:site_pk>/sign-out-unnamed/",
        door.sign_out_unnamed,
        name="sign_out_unnamed",
    ),
    path(
        "door/<int:site_pk>/fire-register.pdf",
        door.fire_register,
        name="fire_register",
    ),
    path("visits/<int:visit_pk>/sign-out/", door.sign_out, name="sign_out"),
    path(
        "visits/<int:visit_pk>/undo-sign-out/",
        door.undo_sign_out,
        name="undo_sign_out",
    ),
    path("visits/<int:visit_pk>/", door.visit_update, name="visit_update"),
    path(
        "visits/<int:visit_pk>/contacts/",
        door.visit_contacts,
        name="visit_contacts",
    ),
    path("arrivals/<int:pk>/done/", arrivals.dismiss, name="pending_dismiss"),
    path("arrivals/<int:pk>/confirm/", arrivals.confirm, name="pending_confirm"),
    path("paper/", people.paper, name="paper"),
    path("people/", people.person_list, name="people"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path(
        "people/<int:pk>/everything.<str:fmt>",
        rights.subject_access_export,
        name="subject_access",
    ),
    path("people/<int:pk>/erase/", rights.erase, name="erase"),
    path("activities/", people.activities, name="activities"),
    path("kiosk/", kiosk.kiosk_home, name="kiosk"),
    path("kiosk/language/", kiosk.kiosk_language, name="kiosk_language"),
    path("kiosk/next/", kiosk.kiosk_next, name="kiosk_next"),
    path("kiosk/been-before/", kiosk.kiosk_returning, name="kiosk_returning"),
    path("kiosk/new/", kiosk.kiosk_new, name="kiosk_new"),
    path("kiosk/welcome/", kiosk.kiosk_done, name="kiosk_done"),
    path("kiosk/see-us/", kiosk.kiosk_see_us, name="kiosk_see_us"),
    path("kiosk/staff/", kiosk.kiosk_log_out, name="kiosk_log_out"),
    path("import-export/", transfer.import_export, name="import_export"),
    path(
        "import-export/people.<str:fmt>", transfer.export_people, name="export_people"
    ),
    path(
        "import-export/visits.<str:fmt>", transfer.export_visits, name="export_visits"
    ),
    path("import-export/people/", transfer.import_people, name="import_people"),
    path("import-export/visits/", transfer.import_visits, name="import_visits"),
]
