"""`wangge open311-key create`, and the building's QR poster."""

import hashlib
import io

import pytest
import segno
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import COMMUNITY_1, GRID_A, make_user
from tests.open311.test_georeport import create
from tests.open311.test_public_page import file_report
from wangge.access.models import User
from wangge.foundation.permissions import Action, Role, SensitiveField, can, sees_unmasked
from wangge.open311.models import Open311Key
from wangge.open311.services import open311_key_authenticate


def test_the_command_prints_a_key_and_stores_only_its_digest(public):
    out = io.StringIO()
    call_command("open311-key", "create", "街道 12345 热线", "--jurisdiction", GRID_A,
                 stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("o311_")
    key = Open311Key.objects.get(name="街道 12345 热线")
    assert key.jurisdiction_code == GRID_A
    assert key.scope_prefix == GRID_A
    assert key.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(Open311Key.objects.values_list()))
    assert open311_key_authenticate(secret, record_use=False) == key
    assert Open311Key.objects.get(pk=key.pk).last_used_at is None  # a read writes nothing
    assert open311_key_authenticate(secret, record_use=True) == key
    assert Open311Key.objects.get(pk=key.pk).last_used_at is not None
    key.active = False
    key.save()
    assert open311_key_authenticate(secret, record_use=True) is None


@pytest.mark.parametrize(("name", "code", "message"), [
    ("12345 hotline", COMMUNITY_1, "A key named 12345 hotline exists already."),
    ("new", "990000000000", "No division or grid has the code 990000000000."),
    ("new", "123", "123 is not a division code"),
    (" ", COMMUNITY_1, "Name the client."),
])
def test_the_command_refuses_with_a_clear_message(public, name, code, message):
    with pytest.raises(CommandError, match=message):
        call_command("open311-key", "create", name, "--jurisdiction", code)


@pytest.fixture
def staff(public) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(public.loop.worker)
    return client


def test_the_building_page_links_to_its_poster(public, staff):
    page = staff.get(f"/buildings/{public.house_a.pk}/").content.decode()
    assert f'href="/report/poster/{public.house_a.pk}/"' in page


def test_the_poster_carries_a_qr_code_of_the_community_page(public, staff, settings):
    response = staff.get(f"/report/poster/{public.house_a.pk}/")
    page = response.content.decode()
    url = f"http://testserver/report/{COMMUNITY_1}/?building={public.house_a.pk}"
    assert response.status_code == 200
    assert url in page
    assert "幸福里3栋" in page
    assert "民意社区" in page
    # The SVG is the QR code of exactly that address.
    expected = segno.make(url, error="m").svg_inline(scale=10, border=2, omitsize=True)
    assert expected in page
    settings.WANGGE_PUBLIC_BASE_URL = "https://wangge.example.gov.cn"
    page = staff.get(f"/report/poster/{public.house_a.pk}/").content.decode()
    assert f"https://wangge.example.gov.cn/report/{COMMUNITY_1}/?building=" in page


def test_the_poster_is_for_staff_of_the_buildings_grid(public):
    assert Client().get(f"/report/poster/{public.house_a.pk}/").status_code == 302
    outsider = Client()
    outsider.force_login(make_user(Role.GRID_WORKER, "420102002001001"))
    assert outsider.get(f"/report/poster/{public.house_a.pk}/").status_code == 404


def test_every_back_office_role_that_sees_events_sees_phones():
    """The back office shows a sender's phone as left: that is only right while this holds."""
    for role in Role:
        user = User(role=role, is_active=True)
        if can(user, Action.USE_ADMIN) and can(user, Action.VIEW_EVENTS):
            assert sees_unmasked(user, SensitiveField.PHONE), role


def test_the_back_office_lists_public_reports_in_scope_and_keys_for_administrators(
        public, resident):
    resident.get(f"/report/{COMMUNITY_1}/")
    file_report(resident, public, contact_name="王阿姨", contact_phone="13812345678")
    community = Client()
    community.force_login(public.loop.community)
    page = community.get("/admin/open311/publicreport/").content.decode()
    assert "王阿姨" in page
    assert "13812345678" in page
    assert community.get("/admin/open311/open311key/").status_code == 403
    other = Client()
    other.force_login(make_user(Role.COMMUNITY_STAFF, "420102002001"))
    assert "王阿姨" not in other.get("/admin/open311/publicreport/").content.decode()
    district = Client()
    district.force_login(public.loop.district)
    assert "12345 hotline" in district.get("/admin/open311/open311key/").content.decode()


def test_a_key_that_reads_writes_nothing_and_one_that_files_is_marked_used(public):
    # On SQLite an import holds the only write lock for minutes: a read must not need it.
    app = Client(headers={"Accept-Language": "en"})
    response = app.get("/open311/v2/requests.json", {"api_key": public.secret})
    assert response.status_code == 200
    assert Open311Key.objects.get(pk=public.key.pk).last_used_at is None
    assert create(app, public).status_code == 200
    assert Open311Key.objects.get(pk=public.key.pk).last_used_at is not None
