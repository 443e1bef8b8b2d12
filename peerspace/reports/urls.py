from django.urls import path

from . import value_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("view/", views.view, name="view"),
    path("view.pdf", views.pdf, name="pdf"),
    path("view/table/<slug:key>.<str:fmt>", views.table, name="table"),
    path("view/tables.<str:fmt>", views.all_tables, name="tables"),
    path("saved/new/", views.template_edit, name="template_new"),
    path("saved/<int:pk>/", views.template_edit, name="template_edit"),
    path("saved/<int:pk>/copy/", views.template_copy, name="template_copy"),
    path("saved/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("stories/", views.stories, name="stories"),
    path("stories/new/", views.story_edit, name="story_new"),
    path("stories/<int:pk>/", views.story_edit, name="story_edit"),
    path("social-value/", value_views.social_value, name="social_value"),
    path("social-value/lines/new/", value_views.line_edit, name="value_line_new"),
    path("social-value/lines/<int:pk>/", value_views.line_edit, name="value_line_edit"),
    path(
        "social-value/lines/<int:pk>/delete/",
        value_views.line_delete,
        name="value_line_delete",
    ),
    path("social-value/lines/<int:pk>/rates/", value_views.rates, name="value_rates"),
    path(
        "social-value/<int:year>/<int:month>/",
        value_views.month,
        name="value_month",
    ),
    path("social-value/export.<str:fmt>", value_views.export, name="value_export"),
    path("social-value/import/", value_views.import_file, name="value_import"),
    path("tally/", value_views.tally, name="tally"),
    path("tally/<int:pk>/undo/", value_views.tally_undo, name="tally_undo"),
    path("logo/", views.logo, name="logo"),
]
