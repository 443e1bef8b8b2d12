from django.urls import path

from . import public, sharing, views

app_name = "signposting"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/checked/", views.service_checked, name="service_checked"),
    path("to-check/", views.to_check, name="to_check"),
    path("categories/", views.categories, name="categories"),
    path("categories/<slug:slug>/", views.category_edit, name="category_edit"),
    path("log/", views.signpost_list, name="log"),
    path("log/new/", views.signpost_new, name="signpost_new"),
    path("print/", views.printables, name="printables"),
    path("print/poster/<slug:slug>.pdf", views.poster, name="poster"),
    path("print/crisis-card.pdf", views.crisis_card, name="crisis_card"),
    path("sharing/", sharing.sharing, name="sharing"),
    path("export/open-referral/", sharing.export_hsds, name="export_hsds"),
    path("export/spreadsheet/", sharing.export_table, name="export_table"),
    path("import/open-referral/", sharing.import_hsds, name="import_hsds"),
    path("import/spreadsheet/", sharing.import_table, name="import_table"),
    path("feeds/", sharing.feeds, name="feeds"),
    path("feeds/<int:pk>/", sharing.feed, name="feed"),
    path("feeds/<int:pk>/do/", sharing.feed_action, name="feed_action"),
    # Public: no login, no cookies, and only when the organisation turns them on.
    path("public/<slug:slug>/", public.public_directory, name="public"),
    path("api/<slug:slug>/", public.api_root, name="api_root"),
    path("api/<slug:slug>/services", public.api_services, name="api_services"),
    path("api/<slug:slug>/services/<str:id>", public.api_service, name="api_service"),
    path(
        "api/<slug:slug>/service_at_locations",
        public.api_service_at_locations,
        name="api_service_at_locations",
    ),
    path(
        "api/<slug:slug>/service_at_locations/<str:id>",
        public.api_service_at_location,
        name="api_service_at_location",
    ),
    path("api/<slug:slug>/taxonomies", public.api_taxonomies, name="api_taxonomies"),
    path(
        "api/<slug:slug>/taxonomies/<str:id>", public.api_taxonomy, name="api_taxonomy"
    ),
    path(
        "api/<slug:slug>/taxonomy_terms",
        public.api_taxonomy_terms,
        name="api_taxonomy_terms",
    ),
    path(
        "api/<slug:slug>/taxonomy_terms/<str:id>",
        public.api_taxonomy_term,
        name="api_taxonomy_term",
    ),
]
