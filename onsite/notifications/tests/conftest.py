"""The local WeCom and DingTalk peers, one per test."""

import pytest

from onsite.notifications.tests import receivers as r


@pytest.fixture
def wecom():
    receiver = r.Receiver("wecom")
    server = r.serve(receiver)
    yield receiver
    server.shutdown()


@pytest.fixture
def dingtalk():
    receiver = r.Receiver("dingtalk")
    server = r.serve(receiver)
    yield receiver
    server.shutdown()


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://onsite.example.gov.cn"
