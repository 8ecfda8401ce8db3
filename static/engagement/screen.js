// Big-screen mode for the hall's TV: rotates the slides, shows a clock, goes full screen on
// request and reloads now and then to pick up new posts and digests. No inline script (CSP).
(function () {
  "use strict";
  var body = document.body;
  var slides = Array.prototype.slice.call(document.querySelectorAll(".screen-slide"));
  var dots = document.querySelector("[data-dots]");
  var interval = (parseInt(body.getAttribute("data-interval"), 10) || 12) * 1000;
  var refresh = (parseInt(body.getAttribute("data-refresh"), 10) || 600) * 1000;
  var current = 0;

  slides.forEach(function (_slide, index) {
    var dot = document.createElement("span");
    dot.className = "screen-dot";
    dot.addEventListener("click", function () { show(index); });
    dots.appendChild(dot);
  });

  function show(index) {
    current = (index + slides.length) % slides.length;
    slides.forEach(function (slide, i) { slide.classList.toggle("active", i === current); });
    Array.prototype.forEach.call(dots.children, function (dot, i) {
      dot.classList.toggle("active", i === current);
    });
    body.setAttribute("data-current", String(current));
  }

  if (slides.length) {
    show(0);
    if (slides.length > 1) {
      setInterval(function () { show(current + 1); }, interval);
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { show(current + 1); }
    if (event.key === "ArrowLeft") { show(current - 1); }
  });

  var clock = document.querySelector("[data-clock]");
  function tick() {
    if (clock) {
      clock.textContent = new Date().toLocaleString(document.documentElement.lang || "zh-CN",
        { month: "numeric", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit" });
    }
  }
  tick();
  setInterval(tick, 15000);

  var full = document.querySelector("[data-fullscreen]");
  if (full) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
    });
  }

  setTimeout(function () { window.location.reload(); }, refresh);
})();
