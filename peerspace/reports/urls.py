from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("view/", views.view, name="view"),
    path("view.pdf", views.pdf, name="pdf"),
    path("view/table/<slug:key>.<str:fmt>", views.table, name="table"),
    path("saved/new/", views.template_edit, name="template_new"),
    path("saved/<int:pk>/", views.template_edit, name="template_edit"),
    path("saved/<int:pk>/copy/", views.template_copy, name="template_copy"),
    path("saved/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("stories/", views.stories, name="stories"),
    path("stories/new/", views.story_edit, name="story_new"),
    path("stories/<int:pk>/", views.story_edit, name="story_edit"),
    path("social-value/", views.social_value, name="social_value"),
    path("logo/", views.logo, name="logo"),
]
