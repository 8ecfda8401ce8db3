from django.urls import path

from onsite.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login-verify"),
    path("login/enrol/", views.login_enrol, name="login-enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("sso/", views.sso_start, name="sso-start"),
    path("sso/callback/", views.sso_callback, name="sso-callback"),
    path("password/", views.password_change, name="password-change"),
    path("profile/", views.profile, name="profile"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("users/", views.user_list, name="user-list"),
    # Before users/<username>/: services.RESERVED_USERNAMES keeps these names free.
    path("users/new/", views.user_create, name="user-create"),
    path("users/passwords/", views.user_passwords, name="user-passwords"),
    path("users/<str:username>/", views.user_detail, name="user-detail"),
    path("users/<str:username>/roles/", views.user_roles, name="user-roles"),
    path("users/<str:username>/password/", views.user_password_reset, name="user-password-reset"),
    path("users/<str:username>/active/", views.user_active, name="user-active"),
    path("users/<str:username>/unlock/", views.user_unlock, name="user-unlock"),
    path(
        "users/<str:username>/two-factor/",
        views.user_two_factor_reset,
        name="user-two-factor-reset",
    ),
]
