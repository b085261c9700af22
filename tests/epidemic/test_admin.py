"""The back office: a case corrected through the service with a reason; a role that sees
health status masked sees no status or dates there, and cannot sort or filter by them."""

from tests.epidemic.conftest import confirmed, days_ago
from wangge.epidemic.models import CaseStatus


def test_the_case_admin(world_town, page_as):
    town = world_town.town
    case = confirmed(world_town)
    staff = page_as(town.community)
    path = f"/admin/epidemic/case/{case.pk}/change/"
    form = staff.get(path)
    assert form.status_code == 200
    assert 'name="status"' in form.content.decode()
    saved = staff.post(path, {"status": "recovered", "source": "hospital",
                              "source_detail": "", "onset_on": days_ago(3),
                              "reported_on": days_ago(1), "confirmed_on": days_ago(1),
                              "ended_on": days_ago(0), "reason": "出院"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED
    assert case.history.latest().history_change_reason == "出院"
    refused = staff.post(path, {"status": "suspected", "source": "hospital",
                                "reported_on": days_ago(1), "reason": "改回"})
    assert refused.status_code == 200  # the form again, with the service's errors
    street = page_as(town.street)
    listed = street.get("/admin/epidemic/case/").content.decode()
    assert "张伟" in listed
    assert "Recovered" not in listed
    page = street.get(path).content.decode()
    assert "Recovered" not in page
    assert days_ago(3).isoformat() not in page
    assert street.get("/admin/epidemic/case/?status=recovered").status_code == 400
