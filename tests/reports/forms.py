"""Department forms as they arrive: blank xlsx files with their own title rows, merged cells,
widths and wording, built with openpyxl. Each returns the path it wrote."""

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def form(path: Path, titles: list[tuple[str, str]], headers: list[str],
         widths: dict[str, float] | None = None, blank_rows: int = 3,
         sheet: str = "Sheet1") -> Path:
    """A form: ``titles`` as (text, merged range or "") rows above the header row, the
    header row boxed, and ``blank_rows`` boxed empty rows below it, as forms are sent."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row, (text, merged) in enumerate(titles, start=1):
        worksheet.cell(row, 1, text).font = Font(bold=True, size=16 if row == 1 else 11)
        if merged:
            worksheet.merge_cells(merged)
            worksheet.cell(row, 1).alignment = Alignment(horizontal="center")
    top = len(titles) + 1
    for column, header in enumerate(headers, start=1):
        cell = worksheet.cell(top, column, header)
        cell.border, cell.font = BOX, Font(bold=True)
        for row in range(top + 1, top + 1 + blank_rows):
            worksheet.cell(row, column).border = BOX
    for letter, width in (widths or {}).items():
        worksheet.column_dimensions[letter].width = width
    workbook.save(path)
    return path


def rented_houses(folder: Path) -> Path:
    """出租房屋登记表: two title rows (the second split in two merged halves)."""
    return form(folder / "出租房屋登记表.xlsx", [
        ("江岸区出租房屋登记表", "A1:K1"),
        ("填报单位（盖章）：            填报日期：    年  月  日", "A2:K2"),
    ], ["序号", "房屋坐落地址", "房东姓名", "房东电话", "承租人姓名", "公民身份号码",
        "联系电话", "租赁起止日期", "房屋面积（㎡）", "居住人数", "备注"],
        widths={"A": 6, "B": 30, "F": 22, "H": 24})


def disability_survey(folder: Path) -> Path:
    """残疾人基本状况调查表: a department's unusual wording, headers on two lines."""
    return form(folder / "残疾人基本状况调查表.xlsx", [
        ("2026年残疾人基本状况调查表", "A1:L1"),
        ("调查员：", ""),
    ], ["编号", "残疾人姓名", "性 别", "公民身份\n号码", "第二代残疾人证号", "残疾类别",
        "残疾等级", "监护人", "监护人联系电话", "是否享受护理补贴", "就业状况",
        "家庭年收入（元）"], widths={"D": 21, "E": 23})


def chronic_followups(folder: Path) -> Path:
    """慢性病患者随访名单, from the health centre."""
    return form(folder / "慢性病患者随访名单.xlsx", [
        ("慢性病患者随访名单", "A1:I1"),
    ], ["序号", "患者姓名", "年龄", "身份证号", "手机号码", "病种", "签约医生", "随访机构",
        "末次随访日期"])


def elderly_alone(folder: Path) -> Path:
    """独居老人花名册, from civil affairs: the title says who it lists."""
    return form(folder / "独居老人花名册.xlsx", [
        ("民意社区独居老人花名册", "A1:I1"),
    ], ["序号", "老人姓名", "性别", "出生年月", "现住址", "联系电话", "能力等级", "紧急联系人",
        "紧急联系人电话"])


def floating_register(folder: Path) -> Path:
    """流动人口登记表 with the landlord's columns, from the police station."""
    return form(folder / "流动人口登记表.xlsx", [
        ("流动人口登记表", "A1:J1"),
        ("派出所：          社区：", ""),
    ], ["序号", "姓名", "证件号码", "户籍地详址", "现居住地址", "来本地日期", "工作单位",
        "房东姓名", "房东电话", "政治面貌"])


ALL = {"rented_houses": rented_houses, "disability_survey": disability_survey,
       "chronic_followups": chronic_followups, "elderly_alone": elderly_alone,
       "floating_register": floating_register}
