// The phone checklist: autosave through the JSON API, an offline queue in localStorage,
// and instant photo upload. The page works without this script (plain form posts).
//
// Never lose an inspector's work: every change goes into localStorage first, keyed by the
// inspection, with the version the page was based on and an idempotency key. It is sent
// when the connection allows; a resend with the same key is accepted by the server once.
// If someone else saved in the meantime the server answers 409: the local answers are kept
// and the inspector chooses to apply them again or discard them.
(function () {
  "use strict";
  var form = document.getElementById("answers-form");
  if (!form) return;
  document.documentElement.classList.add("js");

  var inspection = form.dataset.inspection;
  var storeKey = "onsite.inspection." + inspection;
  var versionInput = document.getElementById("version");
  var status = document.getElementById("sync-status");
  var conflictBox = document.getElementById("conflict");
  var conflictText = document.getElementById("conflict-text");
  var reapply = document.getElementById("reapply");
  var discard = document.getElementById("discard");
  var timer = null;
  var inFlight = false;
  var blocked = false; // a conflict waits for the inspector's choice

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey) || "null");
    } catch (e) {
      return null;
    }
  }

  function store(entry) {
    try {
      if (entry && Object.keys(entry.answers).length) {
        window.localStorage.setItem(storeKey, JSON.stringify(entry));
      } else {
        window.localStorage.removeItem(storeKey);
      }
    } catch (e) {
      /* storage full or disabled: the page form still posts everything */
    }
  }

  function show(text, kind) {
    status.textContent = text || "";
    status.className = "small ms-auto" + (kind ? " text-" + kind : "");
  }

  function field(id, part) {
    return document.getElementById("a" + id + "-" + part);
  }

  function collect(id) {
    var checked = document.querySelector("input[name='a" + id + "-result']:checked");
    var deduction = field(id, "deduction");
    return {
      id: Number(id),
      result: checked ? checked.value : "",
      deduction: deduction && deduction.value !== "" ? deduction.value : null,
      severity: field(id, "severity") ? field(id, "severity").value : "general",
      note: field(id, "note") ? field(id, "note").value : ""
    };
  }

  function apply(answer) {
    var radio = field(answer.id, answer.result || "none");
    document.querySelectorAll("input[name='a" + answer.id + "-result']").forEach(function (r) {
      r.checked = radio === r;
    });
    if (field(answer.id, "deduction")) field(answer.id, "deduction").value = answer.deduction || "";
    if (field(answer.id, "severity")) field(answer.id, "severity").value = answer.severity;
    if (field(answer.id, "note")) field(answer.id, "note").value = answer.note;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // Does the page already show what this phone kept? The server trims notes and fills in a
  // failed check's default deduction, so compare what it keeps, not the raw strings.
  function shown(kept, now) {
    var number = function (v) { return v === null || v === undefined || v === "" ? null : Number(v); };
    return kept.result === now.result &&
      kept.severity === now.severity &&
      (kept.note || "").trim() === (now.note || "").trim() &&
      (number(kept.deduction) === null || number(kept.deduction) === number(now.deduction));
  }

  function setBadge(score, band) {
    var badge = document.getElementById("score-badge");
    if (!badge) return;
    var span = document.createElement("span");
    if (band) {
      span.className = "badge band band-" + band;
      span.textContent = (form.dataset["band" + band.charAt(0).toUpperCase() + band.slice(1)] || band) +
        (score !== null && score !== undefined ? " " + score + "%" : "");
    } else {
      span.className = "badge text-bg-light";
      span.textContent = "—";
    }
    span.setAttribute("data-testid", "band");
    badge.replaceChildren(span);
  }

  function showConflict(message, offerChoice) {
    blocked = true;
    conflictText.textContent = message;
    conflictBox.classList.remove("d-none");
    reapply.classList.toggle("d-none", !offerChoice);
    discard.classList.toggle("d-none", !offerChoice);
  }

  function remember(id) {
    var entry = load() || { version: Number(versionInput.value), key: newKey(), answers: {} };
    entry.answers[id] = collect(id);
    store(entry);
    show(form.dataset.textPending, "muted");
    schedule(700);
  }

  function schedule(delay) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(flush, delay);
  }

  // unsent: the entry was kept from an earlier page; a 409 then says so in those words.
  function flush(unsent) {
    var entry = load();
    if (!entry || inFlight || blocked) return;
    if (!navigator.onLine) {
      show(form.dataset.textOffline, "warning");
      return;
    }
    inFlight = true;
    var sent = JSON.parse(JSON.stringify(entry.answers));
    var body = {
      version: entry.version,
      answers: Object.keys(sent).map(function (k) { return sent[k]; })
    };
    show(form.dataset.textSaving, "muted");
    fetch(form.dataset.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrf(),
        "Idempotency-Key": entry.key
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (res) {
      inFlight = false;
      if (res.status === 200) {
        versionInput.value = res.data.row_version;
        var now = load() || { answers: {} };
        Object.keys(sent).forEach(function (k) {
          if (now.answers[k] && same(now.answers[k], sent[k])) delete now.answers[k];
        });
        now.version = res.data.row_version;
        now.key = newKey();
        store(now);
        setBadge(res.data.score, res.data.band);
        var answered = document.getElementById("answered");
        if (answered) answered.textContent = res.data.answered;
        show(form.dataset.textSaved, "success");
        if (waitingSubmit) submitIfWaiting();
        else if (Object.keys(now.answers).length) schedule(200);
      } else if (res.status === 409) {
        showConflict(unsent === true ? form.dataset.textUnsent : res.data.detail || "", true);
        show("", "");
      } else if (res.status === 400 || res.status === 422) {
        show(res.data.detail && typeof res.data.detail === "string" ? res.data.detail : "", "danger");
        blocked = true; // wait for the next change
      } else {
        show(form.dataset.textOffline, "warning");
      }
      if (res.status !== 200) waitingSubmit = null;
    }).catch(function () {
      inFlight = false;
      waitingSubmit = null;
      show(form.dataset.textOffline, "warning");
    });
  }

  // Answers typed on this phone but not saved yet (a dropped connection, a closed tab).
  function resume() {
    var entry = load();
    if (!entry) return;
    var ids = Object.keys(entry.answers);
    var differs = ids.filter(function (id) {
      return field(id, "note") && !shown(entry.answers[id], collect(id));
    });
    if (!differs.length) {
      store(null);
      return;
    }
    if (entry.version === Number(versionInput.value)) {
      ids.forEach(function (id) { apply(entry.answers[id]); });
      flush();
    } else {
      // The server moved on. Resending with the old key tells whether it was ours (a full
      // page save takes over the entry's key): only a 409 means someone else saved.
      flush(true);
    }
  }

  reapply.addEventListener("click", function () {
    var entry = load();
    if (!entry) return;
    Object.keys(entry.answers).forEach(function (id) { apply(entry.answers[id]); });
    entry.version = Number(versionInput.value);
    entry.key = newKey();
    store(entry);
    blocked = false;
    conflictBox.classList.add("d-none");
    // The page shows the other person's answers; fetch the current version first.
    fetch(form.dataset.detailUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var now = load();
        if (now && data.row_version) {
          now.version = data.row_version;
          store(now);
          versionInput.value = data.row_version;
        }
        flush();
      })
      .catch(flush);
  });

  discard.addEventListener("click", function () {
    store(null);
    window.location.reload();
  });

  document.addEventListener("input", onChange);
  document.addEventListener("change", onChange);
  function onChange(event) {
    var el = event.target;
    if (!(el instanceof HTMLElement) || el.getAttribute("form") !== "answers-form") return;
    var match = /^a(\d+)-/.exec(el.getAttribute("name") || "");
    if (match) {
      blocked = !conflictBox.classList.contains("d-none"); // a conflict waits for a choice
      remember(match[1]);
    }
  }

  // A full form post (save / submit) carries every answer; offline it would fail, and
  // while an autosave is on its way it would carry a version about to be outdated.
  var waitingSubmit = null;
  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      event.preventDefault();
      show(form.dataset.textOffline, "warning");
      return;
    }
    if (timer) window.clearTimeout(timer);
    if (inFlight) {
      event.preventDefault();
      waitingSubmit = event.submitter || true;
      return;
    }
    blocked = true; // no autosave after the page has posted everything
    // The post carries what this phone kept, with the page's version and save key: if the
    // kept entry is resent later, the server knows it as this save, not as a conflict.
    var entry = load();
    var saveKey = form.querySelector("input[name=save_key]");
    if (entry && saveKey && saveKey.value) {
      entry.version = Number(versionInput.value);
      entry.key = saveKey.value;
      store(entry);
    }
  });
  function submitIfWaiting() {
    if (!waitingSubmit || inFlight) return;
    var submitter = waitingSubmit;
    waitingSubmit = null;
    form.requestSubmit(submitter === true ? undefined : submitter);
  }

  window.addEventListener("online", function () { schedule(100); });
  window.setInterval(function () { if (!blocked) flush(); }, 15000);

  // Photos: upload at once, show the thumbnail, say clearly what was refused.
  document.querySelectorAll(".photo-input").forEach(function (input) {
    input.addEventListener("change", function () {
      var photoForm = input.form;
      var answerId = photoForm.dataset.answer;
      var card = document.getElementById("a" + answerId);
      var error = card.querySelector(".photo-error");
      error.textContent = "";
      if (!navigator.onLine) {
        error.textContent = form.dataset.textPhotoOffline;
        return;
      }
      Array.prototype.forEach.call(input.files, function (file) {
        var data = new FormData();
        data.append("photo", file);
        fetch(form.dataset.photoUrl.replace("/0/", "/" + answerId + "/"), {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrf(), "Idempotency-Key": newKey() },
          body: data
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            return { status: response.status, body: body };
          });
        }).then(function (res) {
          if (res.status !== 200) {
            error.textContent = typeof res.body.detail === "string" ? res.body.detail : "";
            return;
          }
          var wrap = document.createElement("div");
          wrap.className = "photo-thumb";
          var link = document.createElement("a");
          link.href = res.body.url;
          var img = document.createElement("img");
          img.src = res.body.thumb_url;
          img.alt = "";
          img.className = "rounded border";
          link.appendChild(img);
          wrap.appendChild(link);
          photoForm.parentNode.insertBefore(wrap, photoForm);
        }).catch(function () {
          error.textContent = form.dataset.textPhotoOffline;
        });
      });
      input.value = "";
    });
  });

  resume();
})();
