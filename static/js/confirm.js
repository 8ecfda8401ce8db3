// Asks before a form does something that cannot be taken back (discard, delete, publish,
// deactivate, close). Progressive enhancement: without this script the form posts at once,
// and where it matters most the server asks again.
//
// Markup, on a <form> or on one of its submit buttons:
//   data-confirm="message"          the question, translated in the template
//   data-confirm-button="Delete"    label of the confirm button (default: the dialog's own)
//   data-confirm-if="selector"      ask only when the form holds an element matching it,
//                                   e.g. "[name=is_active]:not(:checked)" (deactivating)
// The dialog itself is the <template id="confirm-dialog"> in base.html (translated labels).
(function () {
  "use strict";
  var allowed = new WeakSet();
  var dialog = null;

  function question(form, submitter) {
    var source = submitter && submitter.hasAttribute("data-confirm") ? submitter : form;
    var message = source.getAttribute("data-confirm");
    if (!message) return null;
    var condition = source.getAttribute("data-confirm-if");
    if (condition && !form.querySelector(condition)) return null;
    return { message: message, button: source.getAttribute("data-confirm-button") };
  }

  function build() {
    var template = document.getElementById("confirm-dialog");
    if (!template || !window.bootstrap) return null;
    var root = template.content.firstElementChild.cloneNode(true);
    document.body.appendChild(root);
    var ok = root.querySelector("[data-confirm-ok]");
    var parts = {
      root: root,
      modal: new window.bootstrap.Modal(root),
      message: root.querySelector("[data-confirm-message]"),
      ok: ok,
      cancel: root.querySelector("[data-confirm-cancel]"),
      okLabel: ok.textContent,
      onConfirm: null,
      returnFocus: null,
    };
    ok.addEventListener("click", function () {
      var go = parts.onConfirm;
      parts.onConfirm = null;
      parts.returnFocus = null;
      parts.modal.hide();
      if (go) go();
    });
    // Bootstrap marks it a plain dialog when it shows; it asks, so it is an alert dialog.
    // The least destructive choice gets the focus, as for any alert dialog.
    root.addEventListener("shown.bs.modal", function () {
      root.setAttribute("role", "alertdialog");
      parts.cancel.focus();
    });
    root.addEventListener("hidden.bs.modal", function () {
      parts.onConfirm = null;
      if (parts.returnFocus && document.contains(parts.returnFocus)) parts.returnFocus.focus();
      parts.returnFocus = null;
    });
    return parts;
  }

  function ask(q, trigger, onConfirm) {
    dialog = dialog || build();
    if (!dialog) {
      if (window.confirm(q.message)) onConfirm();
      return;
    }
    dialog.message.textContent = q.message;
    dialog.ok.textContent = q.button || dialog.okLabel;
    dialog.onConfirm = onConfirm;
    dialog.returnFocus = trigger;
    dialog.modal.show();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (allowed.has(form)) {
      allowed.delete(form);
      return;
    }
    var submitter = event.submitter || null;
    var q = question(form, submitter);
    if (!q) return;
    event.preventDefault();
    ask(q, submitter || form, function () {
      allowed.add(form);
      if (submitter) form.requestSubmit(submitter);
      else form.requestSubmit();
    });
  });
})();
