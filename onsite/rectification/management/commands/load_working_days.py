from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onsite.rectification.calendar import coming_year_warning, load_from_package


class Command(BaseCommand):
    help = (
        "Copies holidays and make-up working days from the chinesecalendar package into the "
        "working-day calendar (years an admin entered by hand are left alone)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="*", type=int, help="Only these years.")

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_from_package(options["years"] or None)
        self.stdout.write(self.style.SUCCESS(f"Loaded: {', '.join(map(str, loaded)) or '-'}"))
        year = coming_year_warning()
        if year:
            self.stdout.write(
                self.style.WARNING(f"{year} is not confirmed: enter its notice in the calendar.")
            )
