"""Creates the first accounts of a deployment (or of a new center) from the command line:
a temporary password that must be changed at first sign-in, the role, an audit row."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from onsite.accounts.models import Role, RoleGrant, User
from onsite.accounts.services import (
    GRANTABLE_ROLES,
    check_role_combination,
    make_temporary_password,
)
from onsite.audit.services import record_event
from onsite.core.models import Center


class Command(BaseCommand):
    help = "Creates an account with a temporary password (e.g. a center's first system admin)."

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

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        center = Center.objects.filter(code=options["center"]).first()
        if center is None:
            raise CommandError(f"No service center with code {options['center']!r}.")
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"The username {options['username']!r} is taken.")
        try:
            check_role_combination(options["role"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        temporary = make_temporary_password()
        user = User(
            username=options["username"],
            center=center,
            full_name=options["full_name"],
            must_change_password=True,
        )
        user.set_password(temporary)
        user.save()
        for role in sorted(set(options["role"])):
            RoleGrant.objects.create(user=user, role=role)
        record_event(
            None,
            action="auth.account_create",
            obj=user,
            center=center,
            detail={"roles": sorted(set(options["role"])), "by": "command line"},
        )
        labels = ", ".join(str(Role(role).label) for role in sorted(set(options["role"])))
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.username} ({labels}) in {center.name}.")
        )
        self.stdout.write(f"Temporary password (must be changed at first sign-in): {temporary}")
