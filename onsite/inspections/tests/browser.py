"""Steps the phone browser tests of inspections share."""


def start_inspection(page, zone) -> None:
    """Opens the zone's QR address and starts an inspection, as a scan on the floor does;
    returns on the checklist."""
    page.goto(f"/z/{zone.code}/inspect")
    page.click("[data-testid=start]")
    page.wait_for_url("**/inspections/*/edit/")
