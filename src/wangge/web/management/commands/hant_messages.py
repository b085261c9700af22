"""Write the Traditional Chinese catalogue from the Simplified one with OpenCC, so zh_Hant is
regenerated whenever zh_Hans changes instead of being translated twice by hand."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

CATALOGUE = Path("LC_MESSAGES") / "django.po"


def to_traditional(po_text: str, convert: Any) -> str:
    """The catalogue with every msgstr (and its continuation lines) converted; msgids,
    comments and placeholders are ASCII or kept as they are."""
    lines, in_msgstr = [], False
    for line in po_text.splitlines(keepends=True):
        if line.startswith("msgstr"):
            in_msgstr = True
        elif not line.startswith('"'):
            in_msgstr = False
        lines.append(convert(line) if in_msgstr else line)
    return "".join(lines).replace('"Language: zh_Hans\\n"', '"Language: zh_Hant\\n"')


class Command(BaseCommand):
    help = "Regenerate locale/zh_Hant from locale/zh_Hans with OpenCC (Simplified → Traditional)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from opencc import OpenCC
        except ImportError as error:
            raise CommandError("Install the dev extra: pip install -e '.[dev]'") from error
        locale = Path(settings.LOCALE_PATHS[0])
        source, target = locale / "zh_Hans" / CATALOGUE, locale / "zh_Hant" / CATALOGUE
        target.parent.mkdir(parents=True, exist_ok=True)
        # s2tw: Taiwan-standard characters (群, not 羣) but no vocabulary rewriting, which
        # would turn 权限 into 許可權 and drift from the product's glossary.
        target.write_text(to_traditional(source.read_text(), OpenCC("s2tw").convert))
        self.stdout.write(f"Wrote {target}")
