from django.contrib.auth import views as auth_views
from django.urls import include, path

from peerspace import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", views.logout, name="logout"),
    path("", include("peerspace.accounts.urls")),
    path("healthz/", views.healthz, name="healthz"),
    path("jsi18n/", views.javascript_catalog, name="javascript_catalog"),
    path("", include("attendance.urls")),
    path("signposting/", include("signposting.urls")),
    path("safeguarding/", include("safeguarding.urls")),
    path("reports/", include("peerspace.reports.urls")),
]

handler403 = "peerspace.views.permission_denied"
handler404 = "peerspace.views.page_not_found"
handler500 = "peerspace.views.server_error"
