"""Real files to upload: a persons workbook with a title row, and how the tests send it."""

from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import GRID_A, GRID_C

HEADER = ["姓名", "身份证号", "手机号", "网格编码"]
GOOD = [["张伟", "420102198001011231", "13800138000", GRID_A],
        ["李娜", "42010219900202002X", "13900139000", GRID_A]]
# Excel turned the ID into a number; the last row is outside a street-1 jurisdiction.
BAD = [["王芳", 4.20102e17, "13700137000", GRID_A],
       ["赵磊", "420102198505050015", "13600136000", GRID_C]]


def persons_xlsx(path: Path, rows: list[list]) -> Path:
    workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("名单")
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "民意社区居民信息表")
    sheet.write_row(1, 0, HEADER)
    for number, row in enumerate(rows, start=2):
        sheet.write_row(number, 0, row)
    workbook.close()
    return path


def upload_of(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run inline, as with WANGGE_TASKS=immediate."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
