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

  // --- Tile labels ------------------------------------------------------------------------
  // The plan is drawn in decimetres and scaled to its box, so a label sized in plan units
  // would be 7 px on one screen and 20 on another. Labels are laid out again in screen
  // pixels (the plan's CSS font-size, never under MIN_PX) whenever the plan's size changes:
  // the zone's name on as many lines as the tile holds (the full name, else a shorter one,
  // else cut with "…"), its score, and its code when there is room. The tile's <title> and
  // the details box keep the full name.
  var MIN_PX = 12;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var measurer = document.createElement("canvas").getContext("2d");

  function widthOf(text, px, family) {
    measurer.font = px + "px " + family;
    return measurer.measureText(text).width;
  }
  function tokens(text) {
    // CJK characters break anywhere, other words at spaces.
    return text.match(/[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+/g) || [];
  }
  function wrap(text, maxWidth, measure) {
    var lines = [], line = "";
    tokens(text).forEach(function (token) {
      var next = line + token;
      if (!line || measure(next.trim()) <= maxWidth) { line = next; return; }
      lines.push(line.trim());
      line = /^\s+$/.test(token) ? "" : token;
    });
    if (line.trim()) { lines.push(line.trim()); }
    // A word wider than the tile is cut into pieces that fit.
    var fitted = [];
    lines.forEach(function (l) {
      while (l && measure(l) > maxWidth) {
        var n = l.length - 1;
        while (n > 1 && measure(l.slice(0, n)) > maxWidth) { n -= 1; }
        fitted.push(l.slice(0, n));
        l = l.slice(n);
      }
      if (l) { fitted.push(l); }
    });
    return fitted;
  }
  function cut(text, maxWidth, measure) {
    while (text.length > 1 && measure(text + "…") > maxWidth) { text = text.slice(0, -1); }
    return text + "…";
  }
  function nameLines(label, maxWidth, maxLines, measure) {
    // The full name with its parts on lines of their own, else the short one, else the short
    // one run together, else cut to the lines there are. `whole` says the name is not cut.
    // A part broken over two lines ("自然资源窗" / "口") reads worse than the short form.
    var tries = [label.full, label.short], found = null;
    for (var i = 0; i < tries.length; i += 1) {
      var lines = [], broken = false;
      tries[i].forEach(function (part) {
        var wrapped = wrap(part, maxWidth, measure);
        broken = broken || wrapped.length > 1;
        lines = lines.concat(wrapped);
      });
      if (lines.length > maxLines) { continue; }
      var whole = broken ? 1.5 - i : 3 - i;
      if (!found || whole > found.whole) { found = { lines: lines, whole: whole }; }
    }
    if (found) { return found; }
    var joined = wrap(label.short.join(""), maxWidth, measure);
    if (joined.length <= maxLines) { return { lines: joined, whole: 0.5 }; }
    joined = joined.slice(0, maxLines);
    joined[maxLines - 1] = cut(joined[maxLines - 1], maxWidth, measure);
    return { lines: joined, whole: 0 };
  }

  function layoutZone(zone, scale, px, family) {
    var rect = zone.querySelector("rect");
    if (!rect) { return; }
    var w = Number(rect.getAttribute("width")), h = Number(rect.getAttribute("height"));
    var d = zone.dataset;
    var label;
    try { label = JSON.parse(d.label || "null"); } catch (e) { label = null; }
    if (!label) { label = { full: [d.name || d.code], short: [d.name || d.code] }; }
    // Roomy tiles (offices, waiting areas) get larger type, up to half as large again.
    px = Math.min(px * 1.5, Math.max(px, Math.min((w * scale) / 8, (h * scale) / 5)));
    var fs = px / scale;                    // the font size in plan units
    var lineHeight = fs * 1.18, pad = Math.max(fs * 0.25, 1 / scale);
    var measure = function (text) { return widthOf(text, px, family) / scale; };
    var dot = zone.querySelector(".heat-dot-mark");
    var radius = fs * 0.72;
    var reach = dot ? radius * 1.3 : 0;     // the dot sits on the top right corner, mostly outside
    var drawn = zone.querySelector("text.heat-label");
    var fill = drawn ? drawn.getAttribute("fill") : "#212529";
    zone.querySelectorAll("text.heat-label").forEach(function (t) { t.remove(); });
    if (dot) {
      var circle = dot.querySelector("circle"), count = dot.querySelector("text");
      var at = (radius * 0.3).toFixed(3);
      circle.setAttribute("r", radius.toFixed(3));
      circle.setAttribute("cx", "-" + at);
      circle.setAttribute("cy", at);
      circle.setAttribute("stroke", "#ffffff");
      circle.setAttribute("stroke-width", (1 / scale).toFixed(3));
      count.setAttribute("x", "-" + at);
      count.setAttribute("y", at);
      count.setAttribute("font-size", fs.toFixed(3));
      count.setAttribute("class", "heat-label-count");
    }

    var score = d.score ? String(Number(d.score)) : "";
    function plan(maxWidth, maxLines) {
      if (maxLines < 1 || maxWidth < fs) { return null; }
      var room = score && maxLines >= 2 ? maxLines - 1 : maxLines;
      var name = nameLines(label, maxWidth, room, measure);
      var lines = name.lines.map(function (t) { return { text: t }; });
      if (score && lines.length < maxLines) { lines.push({ text: score, bold: true }); }
      if (lines.length < maxLines && measure(d.code) <= maxWidth) {
        lines.unshift({ text: d.code, code: true });
      }
      return { lines: lines, rank: name.whole * 100 + lines.length };
    }
    var tall = Math.floor((h - 2 * pad) / lineHeight);
    // Clear of the dot: either below it at the full width, or beside it on every line.
    var options = [plan(w - 2 * pad, Math.floor((h - 2 * Math.max(pad, reach)) / lineHeight)),
                   plan(w - 2 * Math.max(pad, reach), tall)].filter(Boolean);
    if (!options.length) { return; }    // too small for legible text: the title and details say it
    var lines = options.reduce(function (a, b) { return b.rank > a.rank ? b : a; }).lines;
    var text = document.createElementNS(SVG_NS, "text");
    text.setAttribute("class", "heat-label");
    text.setAttribute("font-size", fs.toFixed(3));
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("fill", fill);
    var top = h / 2 - (lines.length * lineHeight) / 2 + lineHeight * 0.8;
    lines.forEach(function (line, i) {
      var span = document.createElementNS(SVG_NS, "tspan");
      span.setAttribute("x", (w / 2).toFixed(3));
      span.setAttribute("y", (top + i * lineHeight).toFixed(3));
      if (line.bold) { span.setAttribute("font-weight", "bold"); }
      if (line.code) { span.setAttribute("opacity", "0.85"); }
      span.textContent = line.text;
      text.appendChild(span);
    });
    zone.insertBefore(text, dot || null);
  }

  function layoutPlan(svg) {
    var matrix = svg.getScreenCTM && svg.getScreenCTM();
    if (!matrix || !matrix.a || !svg.getBoundingClientRect().width) { return; }
    var style = window.getComputedStyle(svg);
    var px = Math.max(MIN_PX, parseFloat(style.fontSize) || MIN_PX);
    var family = svg.getAttribute("font-family") || style.fontFamily || "sans-serif";
    if (svg.dataset.laidOut === matrix.a.toFixed(4) + "/" + px) { return; }
    svg.querySelectorAll(".heat-zone").forEach(function (zone) {
      layoutZone(zone, matrix.a, px, family);
    });
    svg.dataset.laidOut = matrix.a.toFixed(4) + "/" + px;
  }
  function layoutAll() {
    document.querySelectorAll("svg.heat-plan[data-fit-labels]").forEach(layoutPlan);
  }
  window.onsiteHeatLabels = layoutAll;  // the dashboard calls it after its big-screen change
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(function () { window.requestAnimationFrame(layoutAll); });
    var watch = function () {
      document.querySelectorAll("svg.heat-plan[data-fit-labels]").forEach(function (svg) {
        if (!svg.dataset.watched) { svg.dataset.watched = "1"; observer.observe(svg); }
      });
    };
    watch();
    document.body.addEventListener("htmx:afterSwap", function () { watch(); layoutAll(); });
  } else {
    window.addEventListener("resize", layoutAll);
    document.body.addEventListener("htmx:afterSwap", layoutAll);
  }
  document.addEventListener("fullscreenchange", function () { window.setTimeout(layoutAll, 50); });
  layoutAll();

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
