"""The patrol pages: start, the checklist (htmx check-off and search), record a finding, end;
the coverage report and the history, each within the jurisdiction."""


from tests.factories import GRID_A, GRID_B, GRID_C
from wangge.events.models import Event
from wangge.patrols.models import Patrol, PatrolVisit
from wangge.patrols.services import patrol_start, patrol_visit


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in ["/patrols/", "/patrols/coverage/", "/patrols/history/", "/patrols/1/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/login/?next=")


def test_a_patrol_on_the_phone(beat, page_as):
    client = page_as(beat.worker)
    home = client.get("/patrols/").content.decode()
    assert "Start patrol" in home
    assert f'name="grid" value="{GRID_A}"' in home  # one grid: no need to choose
    response = client.post("/patrols/start/", {"grid": GRID_A})
    assert response.status_code == 302
    patrol = Patrol.objects.get(patroller=beat.worker)
    page = client.get("/patrols/").content.decode()
    assert "End patrol" in page
    assert "Record a finding" in page
    assert "0 / 3" in page
    for name in ("1栋", "2栋商铺", "3栋"):
        assert name in page
    # htmx: the search answers with the checklist alone, the check-off with its row alone.
    found = client.get(f"/patrols/{patrol.pk}/buildings/", {"q": "商铺"},
                       headers={"HX-Request": "true"}).content.decode()
    assert found.strip().startswith('<ul class="checklist"')
    assert "2栋商铺" in found
    assert "1栋" not in found
    row = client.post(f"/patrols/{patrol.pk}/visit/{beat.shop.pk}/",
                      headers={"HX-Request": "true"}).content.decode()
    assert row.strip().startswith(f'<li id="building-{beat.shop.pk}" class="visited"')
    assert "✓" in row
    assert '<dd id="visit-count" hx-swap-oob="true">1 / 3</dd>' in row
    assert PatrolVisit.objects.filter(patrol=patrol, building=beat.shop).exists()
    assert "1 / 3" in client.get("/patrols/").content.decode()
    # A finding becomes an event at once, and the patrol goes on.
    form = client.get(f"/patrols/{patrol.pk}/finding/?building={beat.gate.pk}").content.decode()
    assert f'<option value="{beat.gate.pk}" selected>' in form
    response = client.post(f"/patrols/{patrol.pk}/finding/", {
        "category": beat.category.pk, "priority": "high", "description": "消防通道被占用",
        "building": beat.gate.pk})
    assert response.status_code == 302
    assert response.url == "/patrols/"
    event = Event.objects.get()
    assert (event.building, event.reporter, event.patrol_finding.patrol) == (
        beat.gate, beat.worker, patrol)
    assert f"Reported as {event.number}." in client.get("/patrols/").content.decode()
    response = client.post(f"/patrols/{patrol.pk}/end/")
    assert response.url == f"/patrols/{patrol.pk}/"
    detail = client.get(response.url).content.decode()
    assert "Patrol ended. Buildings visited: 2; findings: 1." in detail
    assert event.number in detail
    assert "Start patrol" in client.get("/patrols/").content.decode()


def test_a_finding_with_errors_is_shown_again(beat, page_as):
    patrol = patrol_start(grid_code=GRID_A, by=beat.worker)
    client = page_as(beat.worker)
    page = client.post(f"/patrols/{patrol.pk}/finding/", {
        "category": beat.category.pk, "priority": "normal", "description": "楼道堆物"})
    assert page.status_code == 200
    assert "Give the location of the event, or its building." in page.content.decode()
    assert not Event.objects.exists()


def test_someone_elses_patrol_is_theirs_to_change(beat, page_as):
    patrol = patrol_start(grid_code=GRID_A, by=beat.worker)
    colleague = page_as(beat.colleague)
    assert colleague.get(f"/patrols/{patrol.pk}/").status_code == 200
    response = colleague.post(f"/patrols/{patrol.pk}/end/", follow=True)
    assert "Only the patroller may change this patrol." in response.content.decode()
    assert Patrol.objects.get().is_open
    outsider = page_as(beat.outsider)
    assert outsider.get(f"/patrols/{patrol.pk}/").status_code == 404
    assert outsider.post(f"/patrols/{patrol.pk}/visit/{beat.gate.pk}/").status_code == 404
    assert page_as(beat.resident).get("/patrols/").status_code == 403


def test_coverage_and_history_for_those_who_oversee(beat, page_as):
    patrol = patrol_start(grid_code=GRID_A, by=beat.worker)
    patrol_visit(patrol=patrol, building=beat.gate, by=beat.worker)
    street = page_as(beat.street)
    assert street.get("/patrols/").url == "/patrols/coverage/"  # no patrols of their own
    page = street.get("/patrols/coverage/").content.decode()
    assert "民意一网格" in page
    assert "民意二网格" in page
    assert "天声一网格" not in page
    assert "last 30 days" in page
    narrowed = street.get("/patrols/coverage/", {"code": GRID_B, "days": 7}).content.decode()
    assert "民意二网格" in narrowed
    assert "民意一网格" not in narrowed
    assert "last 7 days" in narrowed
    grid = street.get(f"/patrols/coverage/{GRID_A}/").content.decode()
    assert "2栋商铺" in grid
    assert "3栋" in grid
    assert "1栋" not in grid
    assert street.get(f"/patrols/coverage/{GRID_C}/").status_code == 404
    history = street.get("/patrols/history/").content.decode()
    assert "worker-a" in history
    only = street.get("/patrols/history/", {"patroller": beat.colleague.pk}).content.decode()
    assert "No patrols here." in only
    assert page_as(beat.outsider).get("/patrols/history/").content.decode().count(
        "worker-a") == 0
