// The phone checklist over the outbox (static/js/outbox.js): every answer, note and photo is
// kept on the phone first and sent through the JSON API when the connection allows, in the
// order it was made; a submit made offline waits behind them. The page works without this
// script (plain form posts).
//
// Reopened from the phone's page cache, the page shows what this phone already saved (the
// answers the server confirmed after the copy was made) and what still waits, photos too.
// If someone else saved the inspection in the meantime, the server answers 409: the
// person sees which checks differ and chooses to apply theirs again or discard them.
(function () {
  "use strict";
  var form = document.getElementById("answers-form");
  var box = window.OnsiteOutbox;
  if (!form || !box) return;
  document.documentElement.classList.add("js");

  var inspection = Number(form.dataset.inspection);
  var group = "inspection:" + inspection;
  var versionInput = document.getElementById("version");
  var status = document.getElementById("sync-status");
  var conflictBox = document.getElementById("conflict");
  var conflictText = document.getElementById("conflict-text");
  var conflictList = document.getElementById("conflict-list");
  var reapply = document.getElementById("reapply");
  var discard = document.getElementById("discard");
  var queued = document.getElementById("submit-queued");
  var conflictItem = null;
  var waitingPost = null; // a full post waits until what the phone holds was sent
  var started = false;

  function text(name) { return form.dataset[name] || ""; }

  function show(message, kind) {
    status.textContent = message || "";
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
      deduction: deduction && deduction.value !== "" ? Number(deduction.value) : null,
      severity: field(id, "severity") ? field(id, "severity").value : "general",
      note: field(id, "note") ? field(id, "note").value : "",
      person: field(id, "person") && field(id, "person").value ? Number(field(id, "person").value) : null,
      equipment: field(id, "equipment") && field(id, "equipment").value ? Number(field(id, "equipment").value) : null
    };
  }

  function apply(answer) {
    if (!field(answer.id, "note")) return;
    var radio = field(answer.id, answer.result || "none");
    document.querySelectorAll("input[name='a" + answer.id + "-result']").forEach(function (r) {
      r.checked = radio === r;
    });
    if (field(answer.id, "deduction")) {
      field(answer.id, "deduction").value = answer.deduction === null || answer.deduction === undefined ? "" : answer.deduction;
    }
    if (field(answer.id, "severity")) field(answer.id, "severity").value = answer.severity || "general";
    if (field(answer.id, "person")) field(answer.id, "person").value = answer.person || "";
    if (field(answer.id, "equipment")) field(answer.id, "equipment").value = answer.equipment || "";
    field(answer.id, "note").value = answer.note || "";
  }

  function setBadge(score, band) {
    var badge = document.getElementById("score-badge");
    if (!badge) return;
    var span = document.createElement("span");
    if (band) {
      span.className = "badge band band-" + band;
      span.textContent = (form.dataset["band" + band.charAt(0).toUpperCase() + band.slice(1)] || band) +
        (score !== null && score !== undefined ? " " + Number(score) + "%" : "");
    } else {
      span.className = "badge text-bg-light";
      span.textContent = "—";
    }
    span.setAttribute("data-testid", "band");
    badge.replaceChildren(span);
  }

  function mine() {
    return box.all().then(function (items) {
      return items.filter(function (i) { return i.group === group; });
    });
  }

  // --- answers -----------------------------------------------------------------------------

  function remember(id) {
    var answer = collect(id);
    show(text("textPending"), "muted");
    return box.merge(group, "answers", function (item) {
      var rest = item.json.answers.filter(function (a) { return a.id !== answer.id; });
      rest.push(answer);
      item.json.answers = rest;
    }, function () {
      return {
        versioned: true,
        url: form.dataset.saveUrl,
        json: { answers: [answer] },
        label: text("labelAnswers")
      };
    }).then(status_);
  }

  function rememberNote() {
    var note = document.getElementById("inspection-note").value;
    show(text("textPending"), "muted");
    return box.merge(group, "answers", function (item) {
      item.json.note = note;
    }, function () {
      return { versioned: true, url: form.dataset.saveUrl, json: { answers: [], note: note }, label: text("labelAnswers") };
    }).then(status_);
  }

  document.addEventListener("input", onChange);
  document.addEventListener("change", onChange);
  function onChange(event) {
    var el = event.target;
    if (!(el instanceof HTMLElement) || el.getAttribute("form") !== "answers-form" || !started) return;
    if (el.id === "inspection-note") { rememberNote(); return; }
    var match = /^a(\d+)-/.exec(el.getAttribute("name") || "");
    if (match) remember(match[1]);
  }

  // --- photos ------------------------------------------------------------------------------

  function thumb(photoForm, src, href, waiting) {
    var wrap = box.thumb(src, href, waiting, "rounded border");
    photoForm.parentNode.insertBefore(wrap, photoForm);
    return wrap;
  }

  var waitingThumbs = {}; // outbox item id -> the thumbnail shown meanwhile

  function showWaitingPhoto(item) {
    var photoForm = document.querySelector(".photo-form[data-answer='" + item.answer + "']");
    if (!photoForm || waitingThumbs[item.id]) return;
    waitingThumbs[item.id] = thumb(photoForm, URL.createObjectURL(item.form[0][1]), null, true);
  }

  document.querySelectorAll(".photo-input").forEach(function (input) {
    input.addEventListener("change", function () {
      var answerId = input.form.dataset.answer;
      var error = document.getElementById("a" + answerId).querySelector(".photo-error");
      error.textContent = "";
      var files = Array.prototype.slice.call(input.files);
      input.value = "";
      files.reduce(function (chain, file) {
        return chain.then(function () { return box.preparePhoto(file); }).then(function (blob) {
          return box.add({
            group: group,
            kind: "photo",
            answer: answerId,
            url: form.dataset.photoUrl.replace("/0/", "/" + answerId + "/"),
            form: [["photo", blob, "photo.jpg"]],
            label: text("labelPhoto").replace("{check}", checkName(answerId))
          });
        }).then(function (id) { return box.all().then(function (items) {
          items.forEach(function (i) { if (i.id === id) showWaitingPhoto(i); });
        }); });
      }, Promise.resolve()).then(status_);
    });
  });

  function checkName(id) {
    var card = document.getElementById("a" + id);
    var name = card ? card.querySelector(".check-text").textContent.trim() : "";
    return name.length > 24 ? name.slice(0, 24) + "…" : name;
  }

  // --- what the server answered ----------------------------------------------------------

  var keepTimer = null;
  function keepPage() {
    if (keepTimer) window.clearTimeout(keepTimer);
    keepTimer = window.setTimeout(box.keepThisPage, 1500);
  }

  document.addEventListener("onsite:outbox", function (event) {
    var d = event.detail;
    if (d.item && d.item.group !== group) return;
    if (d.type === "sent") {
      var data = d.data || {};
      if (d.item.kind === "answers") {
        versionInput.value = data.row_version;
        setBadge(data.score, data.band);
        var answered = document.getElementById("answered");
        if (answered && data.answered !== undefined) answered.textContent = data.answered;
      } else if (d.item.kind === "photo") {
        var shown = waitingThumbs[d.item.id];
        if (shown) {
          shown.remove();
          delete waitingThumbs[d.item.id];
        }
        var photoForm = document.querySelector(".photo-form[data-answer='" + d.item.answer + "']");
        if (photoForm && data.thumb_url) thumb(photoForm, data.thumb_url, data.url, false);
      } else if (d.item.kind === "submit") {
        window.location.href = form.dataset.doneUrl;
        return;
      }
      keepPage();
      status_();
    } else if (d.type === "conflict") {
      waitingPost = null; // the post waits no more: the person chooses first
      showConflict(d.item);
    } else if (d.type === "failed" || d.type === "change") {
      if (d.type === "failed") waitingPost = null;
      status_();
    } else if (d.type === "choose") {
      showConflict(d.item);
    }
  });

  function status_() {
    return mine().then(function (items) {
      var troubled = items.filter(function (i) { return i.state === "failed"; })[0];
      if (troubled) {
        var photo = troubled.kind === "photo" ? document.getElementById("a" + troubled.answer) : null;
        if (photo) photo.querySelector(".photo-error").textContent = troubled.error;
        show(troubled.error, "danger");
      } else if (!items.length) {
        if (status.textContent) show(text("textSaved"), "success");
      } else if (!navigator.onLine) {
        show(text("textOffline"), "warning");
      } else {
        show(text("textSaving"), "muted");
      }
      var submit = items.filter(function (i) { return i.kind === "submit"; })[0];
      if (queued) queued.classList.toggle("d-none", !submit);
      if (!items.length && waitingPost) postNow();
      return items;
    });
  }

  // --- someone else saved ------------------------------------------------------------------

  function label(result) {
    return result ? (form.dataset["result" + result.charAt(0).toUpperCase() + result.slice(1)] || result) : "—";
  }

  function showConflict(item) {
    conflictItem = item;
    conflictBox.classList.remove("d-none");
    conflictText.textContent = item.kind === "answers" ? text("textUnsent") : (item.error || "");
    var choice = item.kind === "answers" && item.code === "stale";
    reapply.classList.toggle("d-none", !choice);
    discard.classList.toggle("d-none", false);
    conflictList.replaceChildren();
    if (!choice) return;
    fetch(form.dataset.detailUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (server) {
        conflictItem.serverVersion = server.row_version;
        var theirs = {};
        (server.answers || []).forEach(function (a) { theirs[a.id] = a; });
        item.json.answers.forEach(function (a) {
          var t = theirs[a.id];
          if (!t || (t.result === a.result && (t.note || "").trim() === (a.note || "").trim())) return;
          var li = document.createElement("li");
          li.setAttribute("data-testid", "conflict-diff");
          li.textContent = checkName(a.id) + ": " + text("textMine") + " " + label(a.result) +
            (a.note ? " (" + a.note + ")" : "") + " · " + text("textTheirs") + " " + label(t.result) +
            (t.note ? " (" + t.note + ")" : "");
          conflictList.appendChild(li);
        });
      })
      .catch(function () { /* offline: the choice still works on the version the phone knows */ });
  }

  reapply.addEventListener("click", function () {
    if (!conflictItem) return;
    var item = conflictItem;
    var go = function (version) {
      conflictBox.classList.add("d-none");
      conflictItem = null;
      versionInput.value = version;
      item.json.answers.forEach(apply);
      box.rebase(item.id, version);
    };
    if (item.serverVersion) go(item.serverVersion);
    else fetch(form.dataset.detailUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (server) { go(server.row_version); }).catch(function () {});
  });

  discard.addEventListener("click", function () {
    if (!conflictItem) return;
    box.discard(conflictItem.id).then(function () { window.location.reload(); });
  });

  // --- save, pass the rest, submit ---------------------------------------------------------

  // Online with nothing waiting, the buttons post the page as before. Otherwise the phone
  // keeps it: a save is what autosave already does; "unanswered checks pass" fills them in;
  // a submit waits in the outbox behind the answers and photos and goes when they went.
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var action = submitter ? submitter.value : "save";
    if (waitingPost && waitingPost.ready) return; // the post that waited goes now
    event.preventDefault();
    if (waitingPost) return; // a second tap while the first post waits: the first one goes
    box.idle().then(mine).then(function (items) {
      if (navigator.onLine && !items.length) {
        waitingPost = { submitter: submitter, ready: true };
        if (action !== "submit") {
          form.requestSubmit(submitter);
          return;
        }
        // A submit on a dead connection that the phone thinks is up waits in the outbox.
        return box.postOrKeep(form, submitter, function () {
          waitingPost = null;
          return queueSubmit();
        });
      }
      if (action === "pass_rest") {
        document.querySelectorAll("[data-testid=check]").forEach(function (card) {
          var id = card.dataset.answer;
          if (!document.querySelector("input[name='a" + id + "-result']:checked")) {
            field(id, "pass").checked = true;
            remember(id);
          }
        });
      }
      if (!navigator.onLine) {
        if (action === "submit") queueSubmit();
        show(text("textOffline"), "warning");
        return;
      }
      waitingPost = { submitter: submitter, ready: false }; // goes once the phone's items went
      box.flush();
    }, function () {
      waitingPost = { submitter: submitter, ready: true }; // no IndexedDB: post as before
      form.requestSubmit(submitter);
    });
  });

  function postNow() {
    var post = waitingPost;
    if (!post || post.ready) return;
    post.ready = true;
    form.requestSubmit(post.submitter);
  }

  function queueSubmit() {
    return mine().then(function (items) {
      if (items.some(function (i) { return i.kind === "submit"; })) return;
      // Under the page's submit key: a page submit that reached the server and this are one.
      var key = form.querySelector("input[name=submit_key]");
      return box.add({
        group: group, kind: "submit", versioned: true, url: form.dataset.submitUrl, json: {},
        key: key && key.value ? key.value : undefined, label: text("labelSubmit")
      });
    }).then(status_);
  }

  window.addEventListener("offline", function () {
    if (waitingPost && !waitingPost.ready) {
      if (waitingPost.submitter && waitingPost.submitter.value === "submit") queueSubmit();
      waitingPost = null;
    }
    status_();
  });
  window.addEventListener("online", status_);

  // --- opening the page --------------------------------------------------------------------

  box.known(group, Number(versionInput.value)).then(function (g) {
    // The page may be an older copy than what this phone saved since: show the saved answers.
    if (g.data && g.data.version > Number(versionInput.value) && g.data.answers) {
      Object.keys(g.data.answers).forEach(function (id) { apply(g.data.answers[id]); });
    }
    if (g.version > Number(versionInput.value)) versionInput.value = g.version;
    return mine();
  }).then(function (items) {
    items.forEach(function (item) {
      if (item.kind === "answers") {
        item.json.answers.forEach(apply);
        if (item.json.note !== undefined) document.getElementById("inspection-note").value = item.json.note;
      } else if (item.kind === "photo") {
        showWaitingPhoto(item);
      }
      if (item.state === "conflict") showConflict(item);
    });
    started = true;
    status_();
  }, function () {
    started = true; // no IndexedDB here: the page's form posts still carry everything
  });
})();
