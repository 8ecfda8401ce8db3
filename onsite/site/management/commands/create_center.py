"""Creates a service center on an installation, the first step of a center's first day
(docs/first-day.md): without a center no account can be created."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction

from onsite.audit.services import record_event
from onsite.core.models import Center

CODE_MAX = Center._meta.get_field("code").max_length or 32
NAME_MAX = Center._meta.get_field("name").max_length or 100


class Command(BaseCommand):
    help = (
        "Creates a service center (the code is short and permanent: it appears in addresses "
        "and exports). Then create its first accounts with create_account."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Short permanent code: letters, digits, - or _ (e.g. xx).")
        parser.add_argument("--name", required=True, help='Full name, e.g. "XX市行政服务中心".')
        parser.add_argument("--region", default="", help="Optional: the city or district.")
        parser.add_argument("--address", default="", help="Optional: the street address.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        code, name = options["code"].strip(), options["name"].strip()
        try:
            validate_slug(code)
        except ValidationError as exc:
            raise CommandError(
                f"{code!r} is not a usable center code: use letters, digits, - or _ only."
            ) from exc
        if len(code) > CODE_MAX:
            raise CommandError(f"The center code is at most {CODE_MAX} characters.")
        if not name:
            raise CommandError('Give the center\'s name: --name "XX市行政服务中心".')
        if len(name) > NAME_MAX:
            raise CommandError(f"The center's name is at most {NAME_MAX} characters.")
        taken = Center.objects.filter(code__iexact=code).first()
        if taken is not None:
            raise CommandError(
                f"The code {taken.code!r} is taken by {taken.name}. Choose another code."
            )
        try:
            with transaction.atomic():
                center = Center.objects.create(
                    code=code,
                    name=name,
                    region=options["region"].strip()[:100],
                    address=options["address"].strip()[:200],
                )
        except IntegrityError as exc:  # created by someone else at the same moment
            raise CommandError(f"The code {code!r} is taken. Choose another code.") from exc
        record_event(
            None,
            action="center.create",
            obj=center,
            center=center,
            detail={"code": code, "name": name, "by": "command line"},
        )
        self.stdout.write(self.style.SUCCESS(f"Created the service center {code}: {name}."))
        self.stdout.write(
            "Next: create its first accounts (each gets a temporary password to change at "
            "first sign-in):\n"
            f"  python manage.py create_account <username> --center {code} --role admin\n"
            f"  python manage.py create_account <username> --center {code} --role sysadmin\n"
            f"  python manage.py create_account <username> --center {code} --role secadmin\n"
            f"  python manage.py create_account <username> --center {code} --role auditor\n"
            "The center admin then imports the organisation; the system admin creates the other "
            "accounts in the pages (see docs/first-day.md)."
        )
