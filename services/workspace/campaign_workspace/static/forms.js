// A select marked data-autosubmit sends its form when changed (no inline handlers: the pages'
// Content-Security-Policy allows only this site's own scripts).
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
