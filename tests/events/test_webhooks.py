"""A webhook goes only to the internet: internal targets are refused when the URL is saved
and again when sending (the name may resolve elsewhere by then), unless the deployment allows
them; the connection goes to the address that was checked."""

import socket

import pytest
from django.core.exceptions import ValidationError

from wangge.events.models import News
from wangge.notifications import webhooks
from wangge.notifications.models import NotificationPreference
from wangge.notifications.services import preference_update
from wangge.notifications.webhooks import webhook_post, webhook_target

INTERNAL = ["127.0.0.1", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fd00::1",
            "::ffff:127.0.0.1", "ff02::1"]


@pytest.fixture
def dns(monkeypatch):
    """Names resolve to what the test says (``dns["bot.example"] = [...]``)."""
    table: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror("not found")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in table[host]]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_targets_are_refused(dns, address):
    dns["bot.example"] = [address]
    with pytest.raises(ValidationError, match="internal address"):
        webhook_target("https://bot.example/hook")


def test_every_address_of_the_host_is_checked(dns):
    dns["bot.example"] = ["93.184.216.34", "10.0.0.5"]
    with pytest.raises(ValidationError, match="internal address"):
        webhook_target("https://bot.example/hook")
    dns["bot.example"] = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]
    assert webhook_target("https://bot.example:8443/hook")[2:] == (
        8443, webhooks.ipaddress.ip_address("93.184.216.34"))


@pytest.mark.parametrize("url", ["ftp://bot.example/", "file:///etc/passwd", "https:///x",
                                 "https://nowhere.example/"])
def test_odd_urls_are_refused(dns, url):
    with pytest.raises(ValidationError):
        webhook_target(url)


def test_the_deployment_may_allow_an_intranet_bot(dns, settings):
    dns["bot.intra"] = ["10.20.1.2"]
    settings.WANGGE_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert webhook_target("http://bot.intra/hook")[3] == webhooks.ipaddress.ip_address(
        "10.20.1.2")
    dns["db.intra"] = ["10.30.0.1"]
    with pytest.raises(ValidationError):
        webhook_target("http://db.intra/")
    settings.WANGGE_WEBHOOK_ALLOW_PRIVATE = True
    assert webhook_target("http://db.intra/")[1] == "db.intra"


def test_saving_an_internal_webhook_is_refused(loop, dns):
    dns["metadata.example"] = ["169.254.169.254"]
    with pytest.raises(ValidationError) as refused:
        preference_update(user=loop.community, kinds={"webhook": [News.REPORTED]},
                          webhook_url="http://metadata.example/latest/meta-data/")
    assert list(refused.value.message_dict) == ["webhook_url"]
    assert not NotificationPreference.objects.filter(user=loop.community).exists()


def test_sending_checks_again_and_connects_to_the_checked_address(dns, monkeypatch):
    dns["bot.example"] = ["127.0.0.1"]  # rebound after it was saved
    connected = []
    monkeypatch.setattr(webhooks.socket, "create_connection",
                        lambda address, *args: connected.append(address))
    with pytest.raises(ValidationError):
        webhook_post("http://bot.example/hook", b"{}")
    assert connected == []
    dns["bot.example"] = ["93.184.216.34"]

    def refuse(address, *args):
        connected.append(address)
        raise ConnectionRefusedError

    monkeypatch.setattr(webhooks.socket, "create_connection", refuse)
    with pytest.raises(ConnectionRefusedError):
        webhook_post("http://bot.example/hook", b"{}")
    assert connected == [("93.184.216.34", 80)]
