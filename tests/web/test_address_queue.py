"""The address queue in a browser at phone size: a list with only an address column lands
every row on the right flat, the ambiguous one once its building is chosen."""

import pytest

from tests.factories import make_user
from tests.imports.test_addresses import HEADER, IDS, _flat, town
from tests.imports.test_import_command import write_xlsx
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from tests.web.test_imports_page import worker_process
from wangge.foundation.permissions import Role
from wangge.imports.models import QueuedRow
from wangge.people.models import Person
from wangge.places.models import BuildingAlias

__all__ = ["town", "worker_process"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_list_with_only_an_address_column_lands_every_row_at_phone_size(
        in_browser, live_server, town, worker_process, tmp_path):
    """Uploaded on a phone: three rows placed from their address alone, the fourth (惠民家园,
    in two streets) waits until the building is chosen on the address queue page."""
    admin = make_user(Role.DISTRICT_ADMIN, "420102000000", username="district-1")
    admin.set_password(PASSWORD)
    admin.save()
    rows = [["张伟", IDS[0], "武汉市江岸区香港路188号同心苑1栋1单元101室"],
            ["李娜", IDS[1], "同心苑2号楼1-502"],
            ["王芳", IDS[2], "同心苑十二栋二单元六零一"],
            ["赵磊", IDS[3], "惠民家园1栋1单元101"]]
    workbook = write_xlsx(tmp_path / "民政局名单.xlsx", rows, header=HEADER)
    base = live_server.url
    SHOTS.mkdir(exist_ok=True)

    def upload_and_place(chromium) -> list[str]:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, admin.username)
        page.goto(f"{base}/imports/")
        page.set_input_files("input[name=file]", str(workbook))
        page.check("input[name=partial][value='1']")
        page.click("form.form button.primary")
        page.wait_for_selector("dl.summary", timeout=60_000)
        page.click("dl.summary a[href$='/imports/addresses/']")
        page.screenshot(path=SHOTS / "address-queue-phone.png", full_page=True)
        page.click("button:has-text('大智街道 民意社区')")  # the building in GRID_B
        page.wait_for_selector("p.message.success", timeout=30_000)
        page.screenshot(path=SHOTS / "address-queue-placed-phone.png", full_page=True)
        texts = page.locator("main").all_inner_texts()
        page.close()
        return texts

    in_browser(upload_and_place)
    placed = {person.name: person.dwelling for person in Person.objects.all()}
    assert placed == {"张伟": _flat(town, "tongxin1", 1, "101"),
                      "李娜": _flat(town, "tongxin2", 1, "502"),
                      "王芳": _flat(town, "tongxin12", 2, "601"),
                      "赵磊": _flat(town, "huimin_1", 1, "101")}
    assert not QueuedRow.objects.exists()
    assert BuildingAlias.objects.get().text == "惠民家园1栋"
