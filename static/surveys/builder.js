// Survey builder: shows only the fields that matter for the chosen kind of question.
(function () {
  "use strict";
  function sync(form) {
    var select = form.querySelector("select[name$='kind']");
    if (!select) { return; }
    form.querySelectorAll("[data-for-kinds]").forEach(function (block) {
      var kinds = block.getAttribute("data-for-kinds").split(" ");
      block.classList.toggle("d-none", kinds.indexOf(select.value) === -1);
    });
  }
  document.querySelectorAll("[data-question-form]").forEach(function (form) {
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.name && /kind$/.test(event.target.name)) { sync(form); }
    });
  });
})();
