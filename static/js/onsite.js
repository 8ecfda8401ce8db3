// Onsite's own script: progressive enhancement only; every page works without it.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLElement && el.dataset.autosubmit !== undefined && el.form) {
      el.form.requestSubmit();
    }
  });
})();
