"""`wangge token create USERNAME`: print a new API token for a user."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.access.models import User
from wangge.access.services import token_create


class Command(BaseCommand):
    help = "Manage API tokens: `token create USERNAME [--name NAME]` prints a new bearer token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        self.stdout.write(token_create(user=user, name=options["name"]))
