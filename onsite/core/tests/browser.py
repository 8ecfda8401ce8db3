"""What browser tests share: signing in through the real form."""

from __future__ import annotations

TEST_PASSWORD = "pw-Onsite-2026"  # the factories' password


def sign_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    """Signs `username` in through the login form, as a person would, and returns once the
    browser has left the form. Whoever was signed in before is signed out first. A sign-in
    that stays on the form fails at once with what the form said, not after a timeout."""
    page.context.clear_cookies(name="sessionid")
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation(wait_until="commit"):
        page.click("main button[type=submit]")
    if "/accounts/login" in page.url:
        page.wait_for_load_state()
        said = page.locator("main").inner_text()
        raise AssertionError(f"{username} was not signed in; the form says: {said}")


def camera_photo(path, colour=(200, 60, 60), size=(4000, 3000)) -> str:
    """A photo as a phone camera makes one: 12 MP JPEG of a scene with shapes, light and
    sensor noise (a flat colour would make a photo of a few kilobytes and measure nothing)."""
    import random

    from PIL import Image, ImageDraw

    width, height = size
    scene = Image.linear_gradient("L").resize(size).convert("RGB")
    scene = Image.blend(scene, Image.new("RGB", size, colour), 0.6)
    draw = ImageDraw.Draw(scene)
    rnd = random.Random(f"{path}")
    for _ in range(60):
        x, y, r = rnd.randrange(width), rnd.randrange(height), rnd.randrange(20, 300)
        draw.ellipse([x, y, x + r, y + r * 0.6], fill=tuple(rnd.randrange(256) for _ in "rgb"))
    scene = Image.blend(scene, Image.effect_noise(size, 25).convert("RGB"), 0.12)
    scene.save(path, format="JPEG", quality=92)
    return str(path)


# Chromium's "Slow 3G" (DevTools' preset): 400 ms latency, 400 kbit/s each way.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 500 * 1024 / 8 * 0.8,
    "uploadThroughput": 500 * 1024 / 8 * 0.8,
}


def slow_network(page) -> None:
    """Emulates a slow 3G connection for the page's requests (Chrome DevTools Protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)


def phone_context(chromium, live_server, *, workers: str = "allow", timeout: int = 60_000):
    """A phone-sized Chromium context, as the `phone_page` fixture makes, for tests that go
    offline, open several pages or leave the service worker out (`workers="block"`, so that
    page.route sees the page's own requests)."""
    context = chromium.new_context(
        locale="zh-CN",
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        service_workers=workers,
    )
    context.set_default_timeout(timeout)  # two shared cores: be patient, never time the app
    return context


def until(page, script: str, seconds: int = 90) -> None:
    """Polls an expression that answers through a promise until it is truthy (evaluate awaits
    the promise; wait_for_function does not). A navigation meanwhile is waited out."""
    from playwright.sync_api import Error as PlaywrightError

    for _ in range(seconds * 5):
        try:
            if page.evaluate(script):
                return
        except PlaywrightError:  # the page navigated (a submit that went): ask the next one
            pass
        page.wait_for_timeout(200)
    raise AssertionError(f"never true: {script}")


OUTBOX_EMPTY = "() => !!window.OnsiteOutbox && OnsiteOutbox.all().then(i => i.length === 0)"


def outbox_empty(page) -> None:
    """Waits until the phone's outbox has sent everything."""
    until(page, OUTBOX_EMPTY)


def until_kept(page) -> None:
    """Waits until the service worker controls the page and holds its copy (as after any
    first visit)."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    until(
        page,
        """() => caches.open('onsite-pages')
            .then(c => c.match(location.href, {ignoreVary: true})).then(Boolean)""",
    )


def fail_first(page, pattern: str, failure: str, *, times: int = 1, kind=None):
    """Makes the network fail the first `times` requests (of each `kind(request)`, if given)
    matching `pattern`, then lets them through. failure: "500" (the server fails),
    "timedout" (no answer) or "lost-answer" (the server did it, the phone never heard back).
    Answers the count of requests seen per kind."""
    from collections import Counter

    seen: Counter[str] = Counter()

    def route(handle):
        name = kind(handle.request) if kind else ""
        seen[name] += 1
        if seen[name] > times:
            handle.continue_()
        elif failure == "500":
            handle.fulfill(status=500, body="{}", content_type="application/json")
        elif failure == "timedout":
            handle.abort("timedout")
        else:
            handle.fetch()
            handle.abort("connectionreset")

    page.route(pattern, route)
    return seen
