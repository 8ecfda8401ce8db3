"""The issue's flow in a real Chromium: the director opens the dashboard in Chinese and in
English, the heat map's colours match the zones' latest scores, a click opens the zone; a
monthly PDF report is requested, its progress bar moves while the task worker makes it, the
PDF downloads and its text layer has the center's name and the ranking."""

import datetime
import shutil
import subprocess
import threading

import pytest
from django.db import connection
from django.utils import timezone

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory
from onsite.dashboards import rollups
from onsite.dashboards.models import ReportJob
from onsite.dashboards.tests.factories import hall, record_inspection, record_ratings
from onsite.inspections.models import InspectionSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "var/screenshots"
FILL = {"green": "rgb(25, 135, 84)", "yellow": "rgb(255, 193, 7)", "red": "rgb(220, 53, 69)",
        "none": "rgb(233, 236, 239)"}  # fmt: skip


def run_worker():
    """The task worker `make run` starts (manage.py db_worker), in a thread: it takes the
    queued tasks from the database, runs them and stops when none is left."""
    from django_tasks_db.management.commands.db_worker import Worker

    try:
        Worker(queue_names=["default"], interval=0.2, batch=True, backend_name="default",
               startup_delay=False, max_tasks=None, worker_id="browser-test",
               excluded_queue_names=[]).run()  # fmt: skip
    finally:
        connection.close()


@pytest.fixture
def hall_with_scores(center):
    the_hall = hall(center, units=3, zones_per_unit=2)
    today = timezone.localdate()
    scores = {"w01-1": 96, "w01-2": 84, "w02-1": 71, "w02-2": 45, "w03-1": 30}  # w03-2: never
    for code, score in scores.items():
        zone = next(z for z in the_hall.zones if z.code == code)
        # An older, different score first: the map must show the latest one.
        record_inspection(zone, on=today - datetime.timedelta(days=40), score=100 - score,
                          inspector=the_hall.inspector)  # fmt: skip
        record_inspection(zone, on=today, score=score, inspector=the_hall.inspector)
    record_ratings(center, the_hall.units[0], on=today, ratings=[5, 5, 4, 3])
    record_ratings(center, the_hall.units[2], on=today, ratings=[2, 1])
    rollups.refresh(center)
    return the_hall


def test_director_dashboard_heat_map_and_monthly_report(
    page, phone_page, center, hall_with_scores, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    UserFactory(center=center, username="director", full_name="王主任", roles=["leader"])
    bands = InspectionSettings.for_center(center)
    sign_in(page, "director")

    # The dashboard, in Chinese (the default) …
    page.goto("/dashboards/")
    assert page.locator("h1").first.inner_text().startswith("数据看板")
    page.locator("#chart-trend svg").first.wait_for()
    page.screenshot(path=f"{SHOTS}/dashboards-dashboard-zh.png", full_page=True)

    # … and in English.
    page.locator("[data-testid=language-switcher] button[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text().startswith("Dashboard")
    assert "Hall heat map" in page.locator("#heatmap-title").inner_text()
    page.screenshot(path=f"{SHOTS}/dashboards-dashboard-en.png", full_page=True)

    # The heat map: each zone's colour is its latest score's band.
    zones = page.locator("#heatmap g.heat-zone")
    assert zones.count() == 6
    for zone in hall_with_scores.zones:
        g = page.locator(f"#heatmap g.heat-zone[data-code='{zone.code}']")
        latest = zone.inspections.order_by("-inspected_on", "-pk").first()
        expected = bands.band_for(latest.score) if latest else "none"
        assert g.get_attribute("data-band") == expected
        fill = g.locator("rect").evaluate("el => getComputedStyle(el).fill")
        assert fill == FILL[expected], (zone.code, fill)
    assert [page.locator(f"g[data-code='{c}']").get_attribute("data-band") for c in
            ["w01-1", "w02-1", "w03-1", "w03-2"]] == ["green", "yellow", "red", "none"]  # fmt: skip

    # Pointing at a zone shows its owner, last inspection and open findings; a click opens it.
    target = page.locator("#heatmap g.heat-zone[data-code='w02-2']")
    target.hover()
    info = page.locator("[data-testid=heat-info]")
    info.wait_for()
    assert "w02-2" in info.inner_text()
    assert "责任人2" in info.inner_text()
    assert "45" in info.inner_text()
    target.click()
    page.wait_for_url("**/org/zones/w02-2/")
    assert "w02-2" in page.locator("main").inner_text()

    # Back to Chinese; the monthly report of the center.
    page.goto("/dashboards/reports/")
    page.locator("[data-testid=language-switcher] button[value=zh-hans]").click()
    page.wait_for_load_state()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page.click("[data-testid=request-report]")
    page.wait_for_url("**/dashboards/jobs/*/")
    bar = page.locator("[data-testid=job-progress]")
    assert bar.get_attribute("value") == "0"  # queued: no worker has it yet
    assert "等待后台任务处理" in page.locator("[data-testid=job-stage]").inner_text()
    # Record every value the bar shows as htmx swaps it in.
    page.evaluate(
        """() => {
          window.seen = [Number(document.querySelector('[data-testid=job-progress]').value)];
          new MutationObserver(() => {
            const bar = document.querySelector('[data-testid=job-progress]');
            if (bar) { window.seen.push(Number(bar.value)); }
          }).observe(document.querySelector('main'), {childList: true, subtree: true});
        }"""
    )
    worker = threading.Thread(target=run_worker)
    worker.start()
    link = page.locator("[data-testid=job-download]")
    link.wait_for(timeout=120_000)
    worker.join(timeout=120)
    seen = page.evaluate("window.seen")
    assert seen[0] == 0
    assert seen[-1] == 100
    assert seen == sorted(seen)  # it only ever moves forward
    assert bar.get_attribute("value") == "100"
    page.screenshot(path=f"{SHOTS}/dashboards-report-ready.png", full_page=True)
    job = ReportJob.objects.get(center=center)
    assert (job.kind, job.status, job.language) == ("center_report", "done", "zh-hans")

    with page.expect_download() as download:
        link.click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(  # noqa: S603 - our own PDF into a system tool
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert center.name in text
    ranking = text[text.index("月度评比排名") :]
    assert ranking.index("窗口1") < ranking.index("窗口2") < ranking.index("窗口3")

    # On a phone: the first tap on a zone shows its details, the second opens it.
    sign_in(phone_page, "director")
    phone_page.goto("/dashboards/heatmap/")
    zone = phone_page.locator("#heatmap g.heat-zone[data-code='w01-1']")
    zone.tap()
    phone_page.locator("[data-testid=heat-info]").wait_for()
    assert phone_page.url.endswith("/dashboards/heatmap/")
    phone_page.screenshot(path=f"{SHOTS}/dashboards-heatmap-phone.png", full_page=True)
    zone.tap()
    phone_page.wait_for_url("**/org/zones/w01-1/")


# --- the hall's big screen at 1920×1080 -------------------------------------------------------

CHECKS = {
    "clause:QT-SO-1": "QT-SO-1 台面只摆放执行标准允许的物品，其他物品须向中心报备；无私人物品。",
    "clause:QT-SIO-1": "QT-SIO-1 物品按定置图摆放：定位、定容、定数量。",
    "clause:QT-SH-1": "QT-SH-1 台面、显示器、电话、高拍仪无灰尘、无污渍。",
    "clause:QT-SA-1": "QT-SA-1 电源线理线收纳，无裸露、无私拉乱接。",
    "clause:QT-VI-1": "QT-VI-1 行迹线、颜色标识清晰完整，无脱落、无破损。",
    "items:quantity": "显示器 ≤ 1 · 电话 ≤ 1 · 水杯 ≤ 1",
}
# Every tile label in screen pixels (its font size times the plan's scale) and whether it
# stays inside its tile; the plan's box, its container's and the screen's.
MEASURE_MAP = """() => {
  const svg = document.querySelector('#heatmap svg.heat-plan');
  const box = svg.getBoundingClientRect(), outer = svg.closest('.heat-box').getBoundingClientRect();
  const labels = [...svg.querySelectorAll('g.heat-zone')].map(g => {
    const text = g.querySelector('text.heat-label');
    if (!text) { return { code: g.dataset.code, text: '', px: 0, inside: true }; }
    const r = g.querySelector('rect').getBoundingClientRect(), t = text.getBoundingClientRect();
    return { code: g.dataset.code, text: text.textContent,
             px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
             inside: t.left >= r.left - 0.5 && t.right <= r.right + 0.5 &&
                     t.top >= r.top - 0.5 && t.bottom <= r.bottom + 0.5 };
  });
  return { box: [box.left, box.top, box.right, box.bottom],
           outer: [outer.left, outer.top, outer.right, outer.bottom],
           screen: [window.innerWidth, window.innerHeight], labels };
}"""
PARETO_AXIS = """() => echarts.getInstanceByDom(document.getElementById('chart-pareto'))
  .getOption().xAxis[0].data"""
# The fill of the trend chart's legend texts (SVG renderer: real <text> elements).
LEGEND_FILL = """(name) => [...document.querySelectorAll('#chart-trend svg text')]
  .filter(t => t.textContent === name).map(t => getComputedStyle(t).fill)"""


@pytest.fixture
def hall_with_findings(center, hall_with_scores):
    from onsite.dashboards.tests.factories import record_finding
    from onsite.inspections.models import Answer

    today = timezone.localdate()
    for n, zone in enumerate(hall_with_scores.zones[:5]):
        inspection = zone.inspections.get(inspected_on=today)
        for key in list(CHECKS)[: 6 - n]:
            record_finding(inspection, key=key)
    for key, text in CHECKS.items():
        Answer.objects.filter(key__startswith=f"{key}#").update(text=text)
    rollups.refresh(center)
    return hall_with_scores


def within(inner, outer, slack=1.0):
    """Whether the box (left, top, right, bottom) `inner` lies inside `outer`."""
    return all(
        [
            inner[0] >= outer[0] - slack,
            inner[1] >= outer[1] - slack,
            inner[2] <= outer[2] + slack,
            inner[3] <= outer[3] + slack,
        ]
    )


def assert_legible_map(measured):
    width, height = measured["screen"]
    # The whole plan is on the screen and in its box: nothing cut off.
    assert within(measured["box"], [0, 0, width, height], slack=0), measured
    assert within(measured["box"], measured["outer"]), measured
    labels = measured["labels"]
    assert labels
    for label in labels:
        assert label["text"], label  # every tile of the hall has room for a label
        assert label["px"] >= 12, label
        assert label["inside"], label
        # The zone's name ("窗口1区域1": the unit, then the rest), not only its code.
        assert "区域" in label["text"] or "窗口" in label["text"], label


def test_the_big_screen_is_legible_at_1920_by_1080(page, center, hall_with_findings):
    """The issue: on the hall's screen the legends were dark on dark, the heat map was cut off,
    its tiles showed codes at ~7 px, the Pareto axis read "1", "2"."""
    UserFactory(center=center, username="director", full_name="王主任", roles=["leader"])
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(page, "director")
    for language in ("zh-hans", "en"):
        page.goto("/dashboards/")
        if language == "en":  # through the switcher, as a person would
            page.locator("[data-testid=language-switcher] button[value=en]").click()
            page.wait_for_load_state()
        page.locator("#chart-pareto svg").first.wait_for()
        # On the desk: scrolled to, the whole map is on the screen, the labels are legible.
        page.evaluate(
            "document.querySelector('#heatmap .heat-box').scrollIntoView({block: 'center', behavior: 'instant'})"
        )
        assert_legible_map(page.evaluate(MEASURE_MAP))
        names = page.evaluate(PARETO_AXIS)
        assert set(names[:2]) == {
            "台面只摆放执行标准允许的物品，其他物品须向中心报备；无私人物品。",
            "物品按定置图摆放：定位、定容、定数量。",
        }
        assert names[-1] == ("定数量" if language == "zh-hans" else "Fixed quantity")
        assert not any(str(name).isdigit() for name in names)
        axis_text = page.evaluate(
            "() => [...document.querySelectorAll('#chart-pareto svg text')].map(t => t.textContent)"
        )
        assert any(text.startswith("物品按定置图") for text in axis_text), axis_text

        # The big screen: everything on one dark screen, light text.
        page.click("[data-testid=fullscreen]")
        page.wait_for_function("document.fullscreenElement !== null")
        legend = "平均得分" if language == "zh-hans" else "Average score"
        page.wait_for_function(f"() => ({LEGEND_FILL})({legend!r}).includes('rgb(248, 249, 250)')")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#heatmap text.heat-label')].every(t =>"
            " parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a >= 13.9)"
        )
        assert_legible_map(page.evaluate(MEASURE_MAP))
        panels = page.evaluate(
            "() => [...document.querySelectorAll('.dash-panel')].map(p => {"
            " const r = p.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        )
        assert len(panels) == 6
        for panel in panels:  # one screen, nothing to scroll to
            assert within(panel, [0, 0, 1920, 1080], slack=0), panels
        page.screenshot(path=f"{SHOTS}/dashboards-big-screen-{language}.png")
        page.evaluate("document.exitFullscreen()")
        page.wait_for_function("document.fullscreenElement === null")
