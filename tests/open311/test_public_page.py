"""The residents' page: report without an account, follow by ticket number, and nothing
personal shown; abuse protection (rate limits, body size, CSRF)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.events.test_photos import TOO_MANY_PIXELS, camera_jpeg, huge_upload
from tests.factories import COMMUNITY_1, COMMUNITY_2, GRID_B, GRID_C, STREET_1, centre_of
from wangge.events.models import Channel, Event, News, State
from wangge.events.services import event_merge, event_transition
from wangge.foundation.limits import CLIENT_COOKIE
from wangge.notifications.models import Notification
from wangge.open311.models import PublicReport, Source

PAGE = f"/report/{COMMUNITY_1}/"


def form(public, **fields) -> dict:
    data = {"category": public.loop.category.pk, "building": public.house_a.pk,
            "description": "楼道灯坏了，晚上很黑", "contact_name": "", "contact_phone": ""}
    data.update(fields)
    return data


def file_report(resident, public, **fields) -> Event:
    response = resident.post(PAGE, form(public, **fields))
    assert response.status_code == 302, response.content.decode()
    number = response.url.rstrip("/").rsplit("/", 1)[1]
    return Event.objects.get(ticket=number)


def test_the_page_offers_the_communitys_buildings_and_names_the_phone(public, resident):
    response = resident.get(PAGE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "幸福里3栋" in page
    assert "幸福里8栋" in page
    assert "天声苑1栋" not in page  # another community's
    assert public.loop.category.name in page
    assert response.cookies[CLIENT_COOKIE].value
    assert response.cookies[CLIENT_COOKIE]["httponly"]


def test_only_communities_have_a_page(public, resident):
    assert resident.get(f"/report/{STREET_1}/").status_code == 404
    assert resident.get("/report/999999999999/").status_code == 404
    assert resident.get(f"/report/{COMMUNITY_2}/").status_code == 200


def test_the_poster_link_preselects_the_building(public, resident):
    page = resident.get(f"{PAGE}?building={public.house_b.pk}").content.decode()
    assert f'<option value="{public.house_b.pk}" selected>' in page


def test_a_resident_files_a_report_and_gets_a_ticket(public, resident):
    response = resident.post(PAGE, form(public, contact_name="王阿姨",
                                        contact_phone="138-1234-5678"), follow=True)
    event = Event.objects.get()
    assert event.ticket in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/report/ticket/{event.ticket}/"
    assert (event.channel, event.reporter, event.state) == (Channel.PUBLIC, None, State.REPORTED)
    assert event.building == public.house_a
    assert event.grid_code == public.house_a.grid_code
    report = PublicReport.objects.get(event=event)
    assert (report.source, report.client) == (Source.PAGE, None)
    assert (report.contact_name, report.contact_phone) == ("王阿姨", "13812345678")
    # The grid's worker hears of it, like any other report in their grid.
    assert Notification.objects.filter(recipient=public.loop.worker, event=event,
                                       kind=News.REPORTED).exists()


def test_use_my_location_places_the_report_in_the_grid_there(public, resident):
    lon, lat = centre_of(GRID_B)
    event = file_report(resident, public, building="", longitude=lon, latitude=lat)
    assert event.grid_code == GRID_B
    assert event.building is None


def test_a_place_outside_the_community_is_refused(public, resident):
    lon, lat = centre_of(GRID_C)
    response = resident.post(PAGE, form(public, building="", longitude=lon, latitude=lat))
    assert response.status_code == 200
    assert "outside the area this page" in response.content.decode()
    response = resident.post(PAGE, form(public, building=public.house_c.pk))
    assert "Select a valid choice" in response.content.decode()
    response = resident.post(PAGE, form(public, building=""))
    assert "Choose the building, or use your location." in response.content.decode()
    assert not Event.objects.exists()


def test_a_wrong_phone_and_an_empty_description_are_named(public, resident):
    page = resident.post(PAGE, form(public, description=" ")).content.decode()
    assert 'id="id_description_error"' in page
    page = resident.post(PAGE, form(public, contact_phone="12345")).content.decode()
    assert "12345 is not a phone number" in page
    assert not Event.objects.exists()


def test_photos_go_through_the_events_checks(public, resident, settings):
    settings.WANGGE_PUBLIC_MAX_PHOTOS = 2
    photo = SimpleUploadedFile("IMG_0001.jpg", camera_jpeg(), content_type="image/jpeg")
    event = file_report(resident, public, photos=[photo])
    stored = event.photos.get()
    assert stored.content_type == "image/jpeg"
    assert b"HUAWEI" not in stored.image.read()
    three = [SimpleUploadedFile(f"{n}.jpg", camera_jpeg(), content_type="image/jpeg")
             for n in range(3)]
    page = resident.post(PAGE, form(public, photos=three)).content.decode()
    assert "Send at most 2 photos." in page
    text = SimpleUploadedFile("note.jpg", b"not a photo", content_type="image/jpeg")
    page = resident.post(PAGE, form(public, photos=[text])).content.decode()
    assert "This file is not a photo we can read." in page
    assert Event.objects.count() == 1


def test_a_body_over_the_limit_is_refused_before_it_is_read(public, resident, settings):
    settings.WANGGE_PUBLIC_MAX_PHOTOS = 1
    settings.WANGGE_PHOTO_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.jpg", b"x" * (2 * 2**20), content_type="image/jpeg")
    response = resident.post(PAGE, form(public, photos=[big]))
    assert response.status_code == 413
    assert "too much to send at once" in response.content.decode()
    assert not Event.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(public):
    phone = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    phone.get(PAGE)
    assert phone.post(PAGE, form(public)).status_code == 403
    assert not Event.objects.exists()


def test_one_phone_is_limited_and_so_is_one_network(public, resident, settings):
    settings.WANGGE_PUBLIC_REPORT_RATE = "2/h"
    settings.WANGGE_PUBLIC_REPORT_IP_RATE = "4/h"
    resident.get(PAGE)  # the cookie that names the phone
    file_report(resident, public)
    file_report(resident, public)
    refused = resident.post(PAGE, form(public))
    assert refused.status_code == 429
    assert "Too many reports from this phone or network" in refused.content.decode()
    # Another phone behind the same router still gets through, until the network's limit.
    neighbour = Client(headers={"Accept-Language": "en"})
    neighbour.get(PAGE)
    file_report(neighbour, public)
    assert neighbour.post(PAGE, form(public)).status_code == 429
    # A phone from elsewhere is not affected.
    elsewhere = Client(headers={"Accept-Language": "en"}, REMOTE_ADDR="10.1.2.3")
    elsewhere.get(PAGE)
    file_report(elsewhere, public)
    assert Event.objects.count() == 4


def test_the_status_page_shows_the_state_and_steps_and_nothing_personal(public, resident):
    event = file_report(resident, public, contact_name="王阿姨", contact_phone="13812345678",
                        description="3楼王阿姨家门口灯坏了")
    loop = public.loop
    event_transition(event=event, name="accept", by=loop.worker, comment="已联系王阿姨")
    event_transition(event=event, name="dispatch", by=loop.worker, organization=loop.police)
    page = resident.get(f"/report/ticket/{event.ticket}/").content.decode()
    for shown in [event.ticket, "Dispatched", "Accepted", "Reported", "幸福里3栋", "民意社区",
                  loop.police.name, loop.category.name]:
        assert shown in page
    for hidden in ["王阿姨", "13812345678", "灯坏了", loop.worker.username,
                   public.house_a.address, str(public.house_a.longitude)]:
        assert hidden not in page


def test_a_merged_report_shows_how_the_one_it_joined_stands(public, resident):
    event = file_report(resident, public)
    earlier = public.loop.report(building=public.house_a)
    event_transition(event=earlier, name="accept", by=public.loop.worker)
    event_merge(event=event, into=earlier, by=public.loop.worker)
    page = resident.get(f"/report/ticket/{event.ticket}/").content.decode()
    assert "Merged" in page
    assert "The same problem, reported earlier" in page
    assert "Accepted" in page


def test_only_public_reports_can_be_followed(public, resident):
    internal = public.loop.report()
    response = resident.get(f"/report/ticket/{internal.number}/")
    assert response.status_code == 404
    assert internal.description not in response.content.decode()
    assert resident.get("/report/ticket/SJ99999999/").status_code == 404
    assert resident.get("/report/ticket/nonsense/").status_code == 404


def test_the_follow_box_leads_to_the_ticket(public, resident):
    event = file_report(resident, public)
    response = resident.get("/report/ticket/", {"number": event.ticket.lower()})
    assert response.url == f"/report/ticket/{event.ticket}/"


def test_look_ups_are_limited_per_network(public, resident, settings):
    settings.WANGGE_PUBLIC_LOOKUP_RATE = "2/h"
    event = file_report(resident, public)
    assert resident.get(f"/report/ticket/{event.ticket}/").status_code == 200
    assert resident.get("/report/ticket/SJ99999999/").status_code == 404
    assert resident.get(f"/report/ticket/{event.ticket}/").status_code == 429


def test_a_photo_with_too_many_pixels_is_refused_and_nothing_filed(public, resident):
    page = resident.post(PAGE, form(public, photos=[huge_upload()])).content.decode()
    assert TOO_MANY_PIXELS in page
    assert not Event.objects.exists()


def test_the_photos_are_decoded_before_the_report_opens_a_transaction(public, resident,
                                                                       decoded_in):
    photo = SimpleUploadedFile("IMG_0001.jpg", camera_jpeg(), content_type="image/jpeg")
    assert file_report(resident, public, photos=[photo]).photos.count() == 1
    assert decoded_in == [0]
