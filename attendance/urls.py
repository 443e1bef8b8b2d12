from django.urls import path

from . import rights, transfer, views

app_name = "attendance"

urlpatterns = [
    path("door/", views.door, name="door"),
    path("door/sites/", views.choose_site, name="choose_site"),
    path("door/<int:site_pk>/", views.today, name="today"),
    path("door/<int:site_pk>/here/", views.here_now, name="here_now"),
    path("door/<int:site_pk>/search/", views.search, name="search"),
    path("door/<int:site_pk>/sign-in/<int:person_pk>/", views.sign_in, name="sign_in"),
    path("door/<int:site_pk>/new/", views.register, name="register"),
    path("door/<int:site_pk>/quick-add/", views.quick_add, name="quick_add"),
    path("door/<int:site_pk>/head-count/", views.headcount, name="headcount"),
    path("door/<int:site_pk>/sign-out-all/", views.sign_out_all, name="sign_out_all"),
    path(
        "door/<int:site_pk>/sign-out-unnamed/",
        views.sign_out_unnamed,
        name="sign_out_unnamed",
    ),
    path(
        "door/<int:site_pk>/fire-register.pdf",
        views.fire_register,
        name="fire_register",
    ),
    path("visits/<int:visit_pk>/sign-out/", views.sign_out, name="sign_out"),
    path("visits/<int:visit_pk>/", views.visit_update, name="visit_update"),
    path("arrivals/<int:pk>/done/", views.pending_dismiss, name="pending_dismiss"),
    path("paper/", views.paper, name="paper"),
    path("people/", views.person_list, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path(
        "people/<int:pk>/everything.<str:fmt>",
        rights.subject_access_export,
        name="subject_access",
    ),
    path("people/<int:pk>/erase/", rights.erase, name="erase"),
    path("activities/", views.activities, name="activities"),
    path("kiosk/", views.kiosk_home, name="kiosk"),
    path("kiosk/been-before/", views.kiosk_returning, name="kiosk_returning"),
    path("kiosk/new/", views.kiosk_new, name="kiosk_new"),
    path("kiosk/welcome/", views.kiosk_done, name="kiosk_done"),
    path("kiosk/see-us/", views.kiosk_see_us, name="kiosk_see_us"),
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
