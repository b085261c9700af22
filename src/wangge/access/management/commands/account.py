"""`wangge account deactivate USERNAME --reason WHY`: end an account from the command line, such
as the superuser that set up the first administrators (README, "The first administrator"); the
back office never lets an account change itself."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.access.models import User
from wangge.access.services import user_update
from wangge.foundation.actors import system_actor


class Command(BaseCommand):
    help = "Deactivate an account: `account deactivate USERNAME --reason WHY` (kept in history)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["deactivate"])
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why; kept in the history")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            user_update(user=user, by=system_actor("wangge account"),
                        reason=options["reason"], is_active=False)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{user.username} is deactivated.")
