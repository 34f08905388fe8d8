"""Simplified Chinese by default, whatever the browser says; English when chosen."""

from django.test import Client
from django.urls import reverse


def test_chinese_by_default_even_for_an_english_browser(db):
    page = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert "加入会议" in page.content.decode()


def test_english_when_chosen_with_the_switcher(db):
    browser = Client()
    response = browser.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = browser.get(reverse("home"))
    assert page["Content-Language"] == "en"
    assert "Join a meeting" in page.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(db):
    browser = Client()
    browser.cookies["django_language"] = "xx"
    assert browser.get(reverse("home"))["Content-Language"] == "zh-hans"
