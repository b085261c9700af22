import datetime

import pytest
from django.core.exceptions import ValidationError

from wangge.normalisers import (
    DocumentType,
    normalise_credit_code,
    normalise_document_number,
    normalise_phone,
    parse_resident_id,
    resident_id_from_legacy,
)


def test_resident_id_derives_birth_date_and_sex():
    parsed = parse_resident_id("11010519491231002X")
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.sex == "F"  # 17th digit 2 is even


@pytest.mark.parametrize("raw", ["１１０１０５１９４９１２３１００２ｘ", " 110105 19491231 002x "])
def test_full_width_spaces_and_lowercase_x_are_normalised(raw):
    assert parse_resident_id(raw).number == "11010519491231002X"


def test_legacy_15_digit_id_is_converted():
    assert resident_id_from_legacy("110105491231002") == "11010519491231002X"
    assert parse_resident_id("110105491231002").number == "11010519491231002X"


@pytest.mark.parametrize(("raw", "code"), [
    ("110105194912310021", "id_checksum"),
    ("1101051949123100", "id_format"),
    ("4.20102E+17", "scientific_notation"),
    ("110105194913310021", "id_birth_date"),
])
def test_bad_resident_ids_are_refused_with_the_rule(raw, code):
    with pytest.raises(ValidationError) as error:
        parse_resident_id(raw)
    assert error.value.code == code


def test_checksum_message_names_the_expected_digit():
    with pytest.raises(ValidationError) as error:
        parse_resident_id("110105194912310021")
    assert "X" in error.value.messages[0]


def test_other_documents_are_typed_not_forced_into_the_id_rule():
    assert normalise_document_number(DocumentType.HK_MACAU_PERMIT, "h12345678") == "H12345678"
    assert normalise_document_number(DocumentType.PASSPORT, "E1234 5678") == "E12345678"
    with pytest.raises(ValidationError):
        normalise_document_number(DocumentType.HK_MACAU_PERMIT, "12345")


@pytest.mark.parametrize(("raw", "expected"), [
    ("138 0013 8000", "13800138000"),
    ("+86 138-0013-8000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),
    ("027-85551234", "02785551234"),
])
def test_phones_are_normalised(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "23800138000", "1380013800", "phone"])
def test_non_phones_are_refused(raw):
    with pytest.raises(ValidationError) as error:
        normalise_phone(raw)
    assert error.value.code == "phone"


def test_credit_codes_are_checked():
    assert normalise_credit_code(" 91420102300000000t ") == "91420102300000000T"
    with pytest.raises(ValidationError) as error:
        normalise_credit_code("91420102300000000A")
    assert error.value.code == "credit_code"
