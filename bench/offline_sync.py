"""`make bench-offline`: what a phone's outbox sends for a 20-check, 3-photo inspection made
offline, and how long it takes to sync it on Chromium's emulated slow 3G, with the photos
prepared on the phone (longest side ≤ 2048 px, JPEG) and without (the camera's files as they
are). The photos are synthetic 12 MP camera JPEGs (`onsite.core.tests.browser.camera_photo`).
Writes bench/offline.json and prints the table docs/performance.md quotes.

A pytest module (it needs the live server, the database and Chromium the browser tests use),
outside the test paths: `make test` does not run it, and nothing in it asserts a time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from onsite.core.tests import browser
from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory
from onsite.inspections.models import AnswerPhoto, Inspection
from onsite.inspections.tests.factories import zone_with_standard
from onsite.inspections.tests.test_offline import start_inspection, submit_offline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RESULTS = Path(__file__).with_name("offline.json")
COLOURS = [(200, 60, 60), (60, 160, 60), (60, 60, 200)]
measured: dict[str, dict[str, float]] = {}


def _sync(chromium, live_server, center, tmp_path, *, prepared: bool) -> dict[str, float]:
    who = f"sup{int(prepared)}"
    UserFactory(center=center, username=who, roles=["supervisor"])
    zone, _ = zone_with_standard(center, clauses=16)
    photos = [browser.camera_photo(tmp_path / f"{who}-{n}.jpg", c) for n, c in enumerate(COLOURS)]
    context = browser.phone_context(chromium, live_server, timeout=600_000)
    page = context.new_page()
    sign_in(page, who)
    inspection = start_inspection(page, zone)
    if not prepared:
        page.evaluate("window.OnsiteOutbox.preparePhoto = file => Promise.resolve(file)")
    submit_offline(page, context, photos)

    # What waits to be sent: each item's JSON and photo bytes (the browser does not report
    # the size of a multipart body built from Blobs). Multipart framing adds ~200 B a photo.
    waiting = page.evaluate(
        """() => OnsiteOutbox.all().then(items => items.map(i => ({
            kind: i.kind,
            bytes: JSON.stringify(i.json || {}).length +
                (i.form || []).reduce((n, part) => n + (part[1].size || 0), 0)})))"""
    )
    sent = {"requests": len(waiting), "bytes": sum(i["bytes"] for i in waiting)}
    photo_bytes = sum(i["bytes"] for i in waiting if i["kind"] == "photo")
    browser.slow_network(page)
    context.set_offline(False)
    started = time.monotonic()
    page.evaluate("window.OnsiteOutbox.flush()")
    # The checklist goes to the submitted inspection once the submit went (a navigation).
    page.wait_for_url(f"**/inspections/{inspection.pk}/", timeout=900_000)
    seconds = time.monotonic() - started
    browser.outbox_empty(page)
    inspection.refresh_from_db()
    stored = AnswerPhoto.objects.filter(answer__inspection=inspection).count()
    if inspection.status != Inspection.Status.SUBMITTED or stored != len(photos):
        raise RuntimeError(f"the sync did not arrive: {inspection.status}, {stored} photos")
    context.close()
    return {
        "requests": sent["requests"],
        "bytes_sent": sent["bytes"],
        "photo_bytes": photo_bytes,
        "camera_bytes": sum(Path(p).stat().st_size for p in photos),
        "sync_seconds": round(seconds, 1),
    }


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "as-taken"])
def test_offline_sync(chromium, live_server, center, tmp_path, prepared):
    measured["prepared" if prepared else "as_taken"] = _sync(
        chromium, live_server, center, tmp_path, prepared=prepared
    )
    if len(measured) == 2:
        RESULTS.write_text(json.dumps(measured, indent=2) + "\n")
        print("\n| photos | requests | bytes sent (photos) | sync on slow 3G |")
        print("|---|---:|---:|---:|")
        for name, row in measured.items():
            print(
                f"| {name} | {row['requests']} | {row['bytes_sent']:,} ({row['photo_bytes']:,}) "
                f"| {row['sync_seconds']} s |"
            )
