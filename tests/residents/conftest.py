"""Residents with phones on their records, and the code the log sender wrote."""

import logging
import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import GRID_A, make_person


@pytest.fixture(autouse=True)
def fresh_limits(db):
    """Rate limits count in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def phone_client():
    """A phone's browser, in English."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def resident(world):
    return make_person(GRID_A, name="王芳", phone="13912345678")


@pytest.fixture
def sent_codes(caplog):
    """``sent_codes()``: the codes the development sender wrote to the log, in order (the
    tests read them where the sender put them, never from a page)."""
    caplog.set_level(logging.INFO, logger="wangge.residents.codes")

    def codes() -> list[str]:
        return [re.search(r"\b(\d{6})\b", record.getMessage())[1]
                for record in caplog.records if record.name == "wangge.residents.codes"]

    return codes


def ask_code(client: Client, phone: str) -> int:
    return client.post("/me/sign-in/", {"phone": phone}).status_code


def type_code(client: Client, code: str):
    return client.post("/me/sign-in/code/", {"code": code})
