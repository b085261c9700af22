"""An institution's list of check-ins (a school's, an employer's) as a kind of import:
`wangge import check-ins FILE`, the upload page and `POST /api/v1/imports` with
``kind=check-ins``, and its template workbook.

The imports app stands below this one (it knows persons, places and organizations, not
check-ins), so this kind joins its table of kinds when the app is ready. Each row names a
person by name and full ID number (the institution holds both): a row whose name and number
do not name one registered person in the importer's jurisdiction is refused with the same
words as an unknown number, so a list cannot be used to find out who lives where.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.foundation.actors import Actor, actor_checked
from wangge.foundation.permissions import Action
from wangge.imports.cells import LIST_SEPARATORS, choice, choice_words, tidy
from wangge.imports.rows import Outcome, Row, RowError, RowWarning
from wangge.imports.services import KINDS
from wangge.imports.templates import NOTES
from wangge.normalisers import parse_resident_id
from wangge.normalisers.text import fold_width
from wangge.people.models import Person
from wangge.spreadsheets import cell_text

from .models import CheckInChannel, EnteredBy, Symptom, TestResult
from .services import NOT_FOUND, Answer, Entry, answer_checked, check_ins_save

CHECK_IN_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "学生姓名", "员工姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "id number"),
    "temperature": ("体温", "体温℃", "体温(℃)", "温度", "temperature"),
    "symptoms": ("症状", "有无症状", "身体状况", "symptoms"),
    "test_result": ("核酸结果", "核酸检测结果", "检测结果", "test result"),
    "day": ("日期", "打卡日期", "监测日期", "date", "day"),
}
SYMPTOM_WORDS: dict[str, str] = {
                 "咳嗽": Symptom.COUGH, "干咳": Symptom.COUGH, "咽痛": Symptom.SORE_THROAT,
                 "咽喉痛": Symptom.SORE_THROAT, "嗓子疼": Symptom.SORE_THROAT,
                 "气促": Symptom.SHORT_OF_BREATH, "呼吸困难": Symptom.SHORT_OF_BREATH,
                 "胸闷": Symptom.SHORT_OF_BREATH, "乏力": Symptom.FATIGUE,
                 "嗅觉减退": Symptom.SMELL_TASTE, "味觉减退": Symptom.SMELL_TASTE,
                 "嗅觉味觉减退": Symptom.SMELL_TASTE, "腹泻": Symptom.DIARRHOEA}
# "No symptom", written as lists write it.
NONE_WORDS = {"无", "无症状", "正常", "否", "none", "no", "-"}
TEST_WORDS: dict[str, str] = {"阴性": TestResult.NEGATIVE, "阳性": TestResult.POSITIVE}


@dataclass
class CheckInRow:
    """A row made into an entry, and the ID number to find its person by."""

    id_number: str
    name: str
    answer: Answer
    day: datetime.date | None
    key: tuple


class CheckInKind:
    """Rows of an institution's list: person by name and ID number, the answer, the day."""

    name = "check-ins"
    headers = CHECK_IN_HEADERS
    required_columns = ("name", "id_number", "temperature")
    key_column = "id_number"
    choices = {"test_result": (TestResult, TEST_WORDS)}
    example = {"name": "张三（示例）", "id_number": "420102198001011231", "temperature": "36.5",
               "symptoms": "无", "test_result": "", "day": "2025-01-31"}
    duplicate = gettext_lazy("The same person and day as row %(row)d: one row per person "
                             "and day.")

    def __init__(self, user: Actor):
        self.user = actor_checked(user)
        self._symptoms = choice_words(Symptom, SYMPTOM_WORDS)
        self._tests = choice_words(TestResult, TEST_WORDS)

    def prepare(self, row: Row) -> CheckInRow:
        errors: dict[str, list[str]] = {}
        text = {name: tidy(cell_text(value)) for name, value in row.values.items()}
        for name in self.required_columns:
            if not text.get(name):
                errors[name] = [_("This cell must be filled in.")]
        number = fold_width(text.get("id_number", "")).upper()
        try:
            number = parse_resident_id(number).number if number else number
        except ValidationError as error:
            errors["id_number"] = error.messages
        symptoms: list[str] = []
        for word in LIST_SEPARATORS.split(text.get("symptoms", "")):
            if word and word.lower() not in NONE_WORDS:
                try:
                    symptoms.append(choice(self._symptoms, Symptom, word))
                except ValidationError as error:
                    errors["symptoms"] = error.messages
        test = ""
        if text.get("test_result"):
            try:
                test = choice(self._tests, TestResult, text["test_result"])
            except ValidationError as error:
                errors["test_result"] = error.messages
        day = self._day(row.values.get("day"), text.get("day", ""), errors)
        answer = None
        if not errors:
            try:
                answer = answer_checked(temperature=text["temperature"].rstrip("℃°C "),
                                        symptoms=symptoms, test_result=test)
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors or answer is None:
            raise RowError(errors)
        return CheckInRow(id_number=number, name=text["name"], answer=answer, day=day,
                          key=(number, day))

    @staticmethod
    def _day(value: Any, text: str, errors: dict[str, list[str]]) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text.replace("/", "-").replace(".", "-"))
        except ValueError:
            errors["day"] = [_("Write the date as 2025-01-31.")]
            return None

    def write(self, rows: list[tuple[Row, CheckInRow]], *, reason: str
              ) -> list[Outcome | RowError]:
        """Find the rows' persons by ID number (one query), then store the lot through
        ``check_ins_save``; a row whose name does not match is refused as unknown."""
        numbers = [prepared.id_number for _row, prepared in rows]
        persons = {person.id_number: person for person in
                   Person.objects.matching(id_number=numbers).filter(merged_into=None)
                   .only("id", "name", "id_number")}
        outcomes: list[Outcome | RowError | None] = [None] * len(rows)
        entries, positions = [], []
        for position, (_row, prepared) in enumerate(rows):
            person = persons.get(prepared.id_number)
            if person is None or "".join(person.name.split()) != "".join(prepared.name.split()):
                outcomes[position] = RowError({"id_number": [str(NOT_FOUND)]})
                continue
            entries.append(Entry(person_id=person.pk, answer=prepared.answer,
                                 entered_by=EnteredBy.INSTITUTION, channel=CheckInChannel.IMPORT,
                                 recorder_id=getattr(self.user, "pk", None), day=prepared.day))
            positions.append(position)
        outcome = check_ins_save(entries=entries, by=self.user, partial=True)
        for index, position in enumerate(positions):
            if index in outcome.refused:
                outcomes[position] = RowError(outcome.refused[index])
            else:
                saved = outcome.saved[index]
                outcomes[position] = (Outcome.UPDATED if saved and saved.updated
                                      else Outcome.CREATED)
        return [outcome for outcome in outcomes if outcome is not None]

    def plausible(self, landed: list[tuple[Row, CheckInRow]]) -> list[RowWarning]:
        return []


def register_import_kind() -> None:
    """Add the kind to the imports' table (and its columns' notes to the template's)."""
    KINDS[CheckInKind.name] = (CheckInKind, Action.RECORD_CHECK_INS)
    NOTES.update({
        "temperature": gettext_lazy("In degrees Celsius, such as 36.5."),
        "symptoms": gettext_lazy("Listed symptoms separated by 、, or 无 for none."),
        "test_result": gettext_lazy("Only where a test result is required: 阴性 or 阳性."),
        "day": gettext_lazy("Such as 2025-01-31; today when empty."),
    })
