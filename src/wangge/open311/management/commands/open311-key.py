"""`wangge open311-key create NAME --jurisdiction CODE`: print a new Open311 API key."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.open311.services import open311_key_create


class Command(BaseCommand):
    help = ("Manage Open311 API keys: `open311-key create NAME --jurisdiction CODE` prints a "
            "new key bound to a division or grid; only its digest is stored.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("name", help="the client the key is for")
        parser.add_argument("--jurisdiction", required=True,
                            help="the 12-digit division code or 15-digit grid code it serves")

    def handle(self, *args: object, **options: str) -> None:
        try:
            _key, secret = open311_key_create(name=options["name"],
                                              jurisdiction_code=options["jurisdiction"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(secret)
