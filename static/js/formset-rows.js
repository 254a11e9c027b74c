// 添加一行 on a page of repeatable rows (a Django formset): copies the empty row kept in a
// <template data-empty-row> and counts it in the formset's TOTAL_FORMS. Without JavaScript the
// page's 保存并再添加 button does the same through the server.
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    var button = form.querySelector("[data-add-row]");
    var template = form.querySelector("template[data-empty-row]");
    var body = form.querySelector("[data-rows]");
    var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    if (!button || !template || !body || !total) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var row = template.content.firstElementChild.cloneNode(true);
      row.querySelectorAll("[name], [id]").forEach(function (element) {
        ["name", "id"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replace("__prefix__", String(index)));
        });
      });
      row.firstElementChild.textContent = String(index + 1);
      body.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector('input[type="text"]');
      if (first) first.focus();
    });
  });
})();
