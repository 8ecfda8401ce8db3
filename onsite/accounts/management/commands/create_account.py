"""Creates the first accounts of a deployment (or of a new center) from the command line:
a temporary password that must be changed at first sign-in, the role, an audit row."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onsite.accounts.models import Role
from onsite.accounts.services import GRANTABLE_ROLES, create_account
from onsite.core.models import Center


class Command(BaseCommand):
    help = (
        "Creates an account with a temporary password: a center's first center admin "
        "(--role admin), system admin (--role sysadmin), security admin (--role secadmin) "
        "or auditor (--role auditor)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--center", required=True, help="The service center's code.")
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            choices=[role.value for role in GRANTABLE_ROLES],
            help="Repeat for several roles.",
        )
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        center = Center.objects.filter(code=options["center"]).first()
        if center is None:
            raise CommandError(
                f"No service center with code {options['center']!r}. Create it first: "
                f'manage.py create_center {options["center"]} --name "…"'
            )
        try:
            user, temporary = create_account(
                None,
                center=center,
                username=options["username"],
                full_name=options["full_name"],
                roles=options["role"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        labels = ", ".join(str(Role(role).label) for role in sorted(user.roles))
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.username} ({labels}) in {center.name}.")
        )
        self.stdout.write(f"Temporary password (must be changed at first sign-in): {temporary}")
