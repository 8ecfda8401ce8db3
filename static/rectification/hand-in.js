// The rectification hand-in: after-photos upload in place (htmx posts the file input as
// soon as photos are chosen and swaps the photo strip), so the typed note stays on the
// page. Without this script the "Upload" button posts the note along and the page shows
// it again.
(function () {
  "use strict";
  var input = document.getElementById("after-photo");
  if (!input || !window.htmx) return; // htmx is deferred: so is this script
  document.documentElement.classList.add("js");
  var form = input.form;
  var submit = form.querySelector("[data-testid=submit-fix]");
  input.addEventListener("htmx:beforeRequest", function () {
    if (submit) submit.disabled = true; // the hand-in waits for the photos
  });
  input.addEventListener("htmx:afterRequest", function () {
    input.value = ""; // uploaded: the hand-in must not send them a second time
    if (submit) submit.disabled = false;
  });
})();
