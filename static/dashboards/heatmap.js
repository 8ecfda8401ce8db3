// The hall heat map: pointing at a zone (or tapping it on a phone) shows its owner, last
// inspection and open findings; a click (a second tap on a phone) opens the zone. Works after
// htmx swaps the map for another month or floor (event delegation on the document).
(function () {
  "use strict";
  var touched = null;  // the zone a finger tapped once
  var lastPointer = "mouse";

  function zoneOf(target) {
    return target && target.closest ? target.closest(".heat-link") : null;
  }
  function show(link) {
    var box = document.getElementById("heat-info");
    var zone = link && link.querySelector(".heat-zone");
    if (!box || !zone) { return; }
    var d = zone.dataset, l = box.dataset;
    var body = box.querySelector(".card-body");
    body.textContent = "";
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = d.code + " " + d.name + (d.score ? " · " + d.score + "%" : "");
    body.appendChild(title);
    [[l.labelOwner, d.owner], [l.labelUnit, d.unit],
     [l.labelLast, d.score ? d.date + " " + d.kind : l.labelNone], [l.labelOpen, d.open]]
      .forEach(function (pair) {
        var line = document.createElement("div");
        line.textContent = pair[0] + ": " + pair[1];
        body.appendChild(line);
      });
    var go = document.createElement("a");
    go.href = d.url;
    go.className = "btn btn-sm btn-primary mt-1";
    go.textContent = l.labelGo;
    body.appendChild(go);
    box.classList.remove("d-none");
    box.dataset.code = d.code;
    document.querySelectorAll(".heat-zone.is-active").forEach(function (g) { g.classList.remove("is-active"); });
    zone.classList.add("is-active");
  }

  document.addEventListener("pointerdown", function (event) { lastPointer = event.pointerType || "mouse"; }, true);
  document.addEventListener("pointerover", function (event) {
    if (event.pointerType === "mouse") { var link = zoneOf(event.target); if (link) { show(link); } }
  });
  document.addEventListener("focusin", function (event) {
    var link = zoneOf(event.target);
    if (link) { show(link); }
  });
  document.addEventListener("click", function (event) {
    var link = zoneOf(event.target);
    if (!link) { return; }
    if (lastPointer === "touch" && touched !== link) {
      event.preventDefault();  // first tap: details; second tap: open
      touched = link;
      show(link);
    }
  });
})();
