// The rectification hand-in on a phone. With the outbox (static/js/outbox.js), after-photos
// are prepared on the phone and wait there until they are uploaded; a hand-in made with no
// network (or while photos still wait) waits behind them and is sent through the API when
// the connection returns. Without the outbox, htmx uploads the photos in place; without any
// script the "Upload" button posts them with the note and the page shows it again.
(function () {
  "use strict";
  var input = document.getElementById("after-photo");
  if (!input) return;
  document.documentElement.classList.add("js");
  var form = input.form;
  var submit = form.querySelector("[data-testid=submit-fix]");
  var box = window.OnsiteOutbox;

  if (!box) {
    if (!window.htmx) return;
    input.addEventListener("htmx:beforeRequest", function () {
      if (submit) submit.disabled = true; // the hand-in waits for the photos
    });
    input.addEventListener("htmx:afterRequest", function () {
      input.value = ""; // uploaded: the hand-in must not send them a second time
      if (submit) submit.disabled = false;
    });
    return;
  }

  var group = "rectification:" + form.dataset.rectification;
  var queued = document.getElementById("fix-queued");
  var version = form.querySelector("[name=row_version]");
  var note = form.querySelector("[name=note]");
  var shown = {}; // outbox item id -> its thumbnail

  // The outbox uploads the photos: htmx must not post the same files.
  input.addEventListener("htmx:confirm", function (event) { event.preventDefault(); });

  function strip() { return document.getElementById("after-photos"); }

  function thumb(src, href, waiting) {
    var wrap = box.thumb(src, href, waiting, "ba-photo rounded");
    var empty = strip().querySelector("span.text-muted");
    if (empty) empty.remove();
    strip().appendChild(wrap);
    return wrap;
  }

  function mine() {
    return box.all().then(function (items) {
      return items.filter(function (i) { return i.group === group; });
    });
  }

  function refresh() {
    return mine().then(function (items) {
      items.forEach(function (item) {
        if (item.kind === "photo" && !shown[item.id]) {
          shown[item.id] = thumb(URL.createObjectURL(item.form[0][1]), null, true);
        }
      });
      var waitingSubmit = items.some(function (i) { return i.kind === "submit"; });
      queued.classList.toggle("d-none", !waitingSubmit);
      if (submit) submit.disabled = waitingSubmit;
      return items;
    });
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files);
    input.value = "";
    files.reduce(function (chain, file) {
      return chain.then(function () { return box.preparePhoto(file); }).then(function (blob) {
        return box.add({
          group: group,
          kind: "photo",
          url: form.dataset.photoUrl,
          form: [["photo", blob, "photo.jpg"]],
          label: form.dataset.labelPhoto
        });
      }).then(refresh);
    }, Promise.resolve());
  });

  // Online with nothing waiting, the page posts as before (the server checks the photos and
  // the note). Otherwise the hand-in waits in the outbox behind its photos.
  var posting = false;
  form.addEventListener("submit", function (event) {
    if (posting || (event.submitter && event.submitter !== submit)) return;
    event.preventDefault();
    box.idle().then(mine).then(function (items) {
      if (navigator.onLine && !items.length) {
        posting = true; // the post (or its answer) that comes back must not be caught again
        return box.postOrKeep(form, submit, keep).then(function () { posting = false; });
      }
      if (items.some(function (i) { return i.kind === "submit"; })) return;
      return keep();
    }, function () {
      posting = true;
      form.requestSubmit(submit);
    });
  });

  // The hand-in waits in the outbox, under the form's own key: a page post that reached the
  // server before its answer was lost and this item are one hand-in.
  function keep() {
    var key = form.querySelector("[name=submission_key]");
    return box.add({
      group: group,
      kind: "submit",
      versioned: true,
      url: form.dataset.submitUrl,
      json: { note: note.value },
      key: key && key.value ? key.value : undefined,
      label: form.dataset.labelSubmit
    }).then(refresh);
  }

  document.addEventListener("onsite:outbox", function (event) {
    var d = event.detail;
    if (d.item && d.item.group !== group) return;
    if (d.type === "sent" && d.item.kind === "photo") {
      if (shown[d.item.id]) shown[d.item.id].remove();
      delete shown[d.item.id];
      if (d.data && d.data.thumb_url) thumb(d.data.thumb_url, d.data.url, false);
      box.keepThisPage();
    } else if (d.type === "sent" && d.item.kind === "submit") {
      window.location.reload(); // the rectification moved on: show it as it is now
    } else {
      refresh();
    }
  });

  box.known(group, Number(version.value)).then(refresh);
})();
