from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("2fa/", views.verify, name="two_factor"),
    path("2fa/setup/", views.setup, name="two_factor_setup"),
    path("password/", views.choose_password, name="choose_password"),
    path("team/", views.team, name="team"),
    path("team/<int:user_pk>/remove/", views.remove_member, name="remove_member"),
    path("team/sites/", views.site_add, name="site_add"),
    path("team/sites/<int:pk>/", views.site_toggle, name="site_toggle"),
    path("team/privacy-notice/", views.privacy_notice, name="privacy_notice"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
