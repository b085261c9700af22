"""A resident signs in on a phone with a one-time code sent to the number on their record:
codes are kept hashed, expire, work once and for a few tries; asking and trying are limited per
number and per network; and no answer tells whether a number is registered."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import GRID_A, GRID_B, make_person
from wangge.auditlog.models import Entry, Kind
from wangge.foundation.permissions import Role
from wangge.residents.models import ResidentAccount, SignInCode

from .conftest import ask_code, type_code


def test_a_resident_signs_in_with_the_code_sent_to_their_phone(resident, phone_client,
                                                               sent_codes):
    assert ask_code(phone_client, "139 1234 5678") == 302
    page = phone_client.get("/me/sign-in/code/")
    [code] = sent_codes()
    assert code not in page.content.decode()  # never on the page
    assert "139****5678" in page.content.decode()
    answer = type_code(phone_client, code)
    assert answer.status_code == 302
    assert answer["Location"] == "/me/"
    account = ResidentAccount.objects.get(person=resident)
    assert account.user.role == Role.RESIDENT
    assert not account.user.has_usable_password()
    assert [j.code for j in account.user.jurisdictions.all()] == [GRID_A]
    # The sign-in is in the security log, like every other.
    assert Entry.objects.filter(kind=Kind.LOGIN, user_id=account.user.pk).exists()
    me = phone_client.get("/me/")
    assert me.status_code == 200
    assert "王芳" in me.content.decode()


def test_the_code_is_stored_hashed_and_works_once(resident, phone_client, sent_codes):
    ask_code(phone_client, "13912345678")
    [code] = sent_codes()
    stored = SignInCode.objects.get()
    assert code not in stored.digest
    assert "13912345678" not in stored.phone_digest
    assert type_code(phone_client, code).status_code == 302
    again = phone_client.__class__(headers={"Accept-Language": "en"})
    ask_code(again, "13912345678")  # a second phone: a new code is sent...
    assert type_code(again, code).status_code == 400  # ... and the spent one is refused


def test_the_code_expires(resident, phone_client, sent_codes, settings):
    ask_code(phone_client, "13912345678")
    [code] = sent_codes()
    SignInCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    answer = type_code(phone_client, code)
    assert answer.status_code == 400
    assert "not right, or it has expired" in answer.content.decode()


def test_a_new_code_spends_the_last_one(resident, phone_client, sent_codes):
    ask_code(phone_client, "13912345678")
    ask_code(phone_client, "13912345678")
    first, second = sent_codes()
    assert type_code(phone_client, first).status_code == 400
    assert type_code(phone_client, second).status_code == 302


def test_a_code_is_spent_after_too_many_wrong_tries(resident, phone_client, sent_codes,
                                                     settings):
    settings.WANGGE_RESIDENT_CODE_TRIES = 3
    ask_code(phone_client, "13912345678")
    [code] = sent_codes()
    wrong = "000000" if code != "000000" else "111111"
    for _try in range(3):
        assert type_code(phone_client, wrong).status_code == 400
    assert type_code(phone_client, code).status_code == 400  # the right one, too late
    assert not ResidentAccount.objects.exists()


def test_asking_for_codes_is_limited_per_number(resident, sent_codes, settings):
    settings.WANGGE_RESIDENT_CODE_RATE = "2/h"
    statuses = [ask_code(phone_client, "13912345678") for phone_client in (
        _phone(f"10.0.0.{n}") for n in range(1, 4))]
    assert statuses == [302, 302, 429]  # from three networks: the number is counted
    assert len(sent_codes()) == 2


def test_asking_for_codes_is_limited_per_network(resident, sent_codes, settings):
    settings.WANGGE_RESIDENT_CODE_IP_RATE = "2/h"
    phone = _phone("10.0.0.9")
    statuses = [ask_code(phone, f"1391234{n:04d}") for n in range(3)]
    assert statuses == [302, 302, 429]


def test_trying_codes_is_limited_per_number(resident, phone_client, sent_codes, settings):
    settings.WANGGE_RESIDENT_CHECK_RATE = "2/h"
    ask_code(phone_client, "13912345678")
    [code] = sent_codes()
    type_code(phone_client, "999999" if code != "999999" else "888888")
    type_code(phone_client, "999998" if code != "999998" else "888887")
    answer = type_code(phone_client, code)
    assert answer.status_code == 429
    assert "Too many tries" in answer.content.decode()


def test_no_answer_tells_whether_a_number_is_registered(resident, sent_codes):
    """The same steps, statuses and words for a number on a record and one on none."""
    pages = {}
    for phone in ("13912345678", "13800000000"):
        client = _phone("10.0.0.5")
        assert ask_code(client, phone) == 302
        code_page = client.get("/me/sign-in/code/").content.decode()
        wrong = type_code(client, "123456")
        pages[phone] = (_main(code_page).replace(phone[:3] + "****" + phone[-4:], "N"),
                        wrong.status_code, _errors(wrong.content.decode()))
    assert pages["13912345678"] == pages["13800000000"]
    assert len(sent_codes()) == 1  # only the registered number got one


def test_a_malformed_number_is_refused_for_its_form_alone(world, phone_client):
    answer = phone_client.post("/me/sign-in/", {"phone": "12345"})
    assert answer.status_code == 400
    assert "not a phone number" in answer.content.decode()


def test_a_number_on_two_records_asks_for_a_link(world, phone_client, sent_codes):
    make_person(GRID_A, name="母亲", phone="13700001111")
    make_person(GRID_B, name="女儿", phone="13700001111")
    ask_code(phone_client, "13700001111")
    [code] = sent_codes()
    answer = type_code(phone_client, code)
    assert answer.status_code == 400
    assert "sign-in link" in answer.content.decode()
    assert not ResidentAccount.objects.exists()


def test_the_second_sign_in_uses_the_same_account(resident, sent_codes):
    for _time in range(2):
        client = _phone("10.0.0.7")
        ask_code(client, "13912345678")
        assert type_code(client, sent_codes()[-1]).status_code == 302
    assert ResidentAccount.objects.filter(person=resident).count() == 1


def _phone(address: str):
    from django.test import Client

    return Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=address)


def _main(page: str) -> str:
    """The page's own content, without its (random) CSRF token."""
    import re

    main = page[page.index("<main>"):page.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def _errors(page: str) -> list[str]:
    import re

    return re.findall(r'class="error"[^>]*>([^<]*)<', page)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
