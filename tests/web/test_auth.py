"""Login, logout, password change and lockout after repeated failed logins."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_and_logout(users, client):
    response = post_login(client, "vq", "Mat-khau-2026")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_a_vietnamese_error(users, client):
    response = post_login(client, "vq", "sai-mat-khau")
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_lockout_after_repeated_failures(users, client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "vq", "sai-mat-khau").status_code == 200
    response = post_login(client, "vq", "sai-mat-khau")
    assert response.status_code == 429
    html = response.content.decode()
    assert (
        "Tài khoản tạm bị khóa" in html and f"{settings.AXES_FAILURE_LIMIT} lần" in html and "30 phút" in html
    )
    # even the right password is refused while locked
    response = post_login(client, "vq", "Mat-khau-2026")
    assert response.status_code == 429
    assert client.get(reverse("home")).status_code == 302


def test_lockout_is_per_user_name(users, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "vq", "sai-mat-khau")
    assert post_login(client, "ht", "Mat-khau-2026").status_code == 302


def test_password_change(users, login):
    client = login(users["van_quan"])
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Mat-khau-2026",
            "new_password1": "Tre-em-Van-Quan-2026",
            "new_password2": "Tre-em-Van-Quan-2026",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert "Đã đổi mật khẩu" in client.get(response["Location"]).content.decode()
    users["van_quan"].refresh_from_db()
    assert users["van_quan"].check_password("Tre-em-Van-Quan-2026")


def test_password_change_rejects_a_weak_password(users, login):
    client = login(users["van_quan"])
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Mat-khau-2026",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert "quá phổ biến" in response.content.decode() or "hoàn toàn là số" in response.content.decode()
