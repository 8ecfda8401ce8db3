// Floor plan: an admin drags a zone to a new spot; it is saved when the pointer is let go.
// Progressive enhancement: without this script each zone links to its edit form.
(function () {
  "use strict";
  var svg = document.getElementById("floor-plan");
  if (!svg || !svg.dataset.moveUrl) return;
  var status = document.getElementById("plan-status");
  var csrf = document.querySelector("#plan-csrf input[name=csrfmiddlewaretoken]");
  var floorWidth = Number(svg.dataset.width);
  var floorHeight = Number(svg.dataset.height);
  var SNAP = 1; // decimetres
  var drag = null;

  function say(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.className = "alert py-2 alert-" + kind;
  }

  function point(event) {
    var p = svg.createSVGPoint();
    p.x = event.clientX;
    p.y = event.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }

  function place(zone, x, y) {
    zone.setAttribute("transform", "translate(" + x + " " + y + ")");
  }

  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  svg.addEventListener("pointerdown", function (event) {
    var zone = event.target.closest(".plan-zone");
    if (!zone || event.button !== 0) return;
    var start = point(event);
    drag = {
      zone: zone,
      startX: Number(zone.dataset.x),
      startY: Number(zone.dataset.y),
      offsetX: start.x - Number(zone.dataset.x),
      offsetY: start.y - Number(zone.dataset.y),
      x: Number(zone.dataset.x),
      y: Number(zone.dataset.y),
      moved: false,
      pointer: event.pointerId
    };
    zone.setPointerCapture(event.pointerId);
  });

  svg.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var p = point(event);
    var w = Number(drag.zone.dataset.w);
    var h = Number(drag.zone.dataset.h);
    var x = clamp(Math.round((p.x - drag.offsetX) / SNAP) * SNAP, 0, floorWidth - w);
    var y = clamp(Math.round((p.y - drag.offsetY) / SNAP) * SNAP, 0, floorHeight - h);
    if (x !== drag.startX || y !== drag.startY) {
      drag.moved = true;
      drag.zone.classList.add("is-dragging");
    }
    drag.x = x;
    drag.y = y;
    place(drag.zone, x, y);
  });

  function finish(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var current = drag;
    drag = null;
    current.zone.classList.remove("is-dragging");
    if (!current.moved || (current.x === current.startX && current.y === current.startY)) return;
    // A drag is not a click: keep the link from opening.
    current.zone.closest("a").addEventListener("click", function (e) { e.preventDefault(); }, { once: true });
    save(current);
  }

  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", function (event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    place(drag.zone, drag.startX, drag.startY);
    drag.zone.classList.remove("is-dragging");
    drag = null;
  });

  function save(move) {
    var zone = move.zone;
    var body = new FormData();
    body.append("floor", svg.dataset.floor);
    body.append("x", String(move.x));
    body.append("y", String(move.y));
    body.append("version", zone.dataset.version);
    zone.classList.add("is-saving");
    fetch(svg.dataset.moveUrl.replace("__code__", encodeURIComponent(zone.dataset.code)), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      zone.classList.remove("is-saving");
      if (!result.ok) {
        place(zone, move.startX, move.startY);
        say(result.data.error || svg.dataset.failed || "Error", "danger");
        return;
      }
      zone.dataset.x = result.data.x;
      zone.dataset.y = result.data.y;
      zone.dataset.version = result.data.version;
      place(zone, result.data.x, result.data.y);
      say(zone.dataset.code + " → (" + result.data.x + ", " + result.data.y + ")", "success");
    }).catch(function () {
      zone.classList.remove("is-saving");
      place(zone, move.startX, move.startY);
      say(svg.dataset.failed || "Error", "danger");
    });
  }
})();
