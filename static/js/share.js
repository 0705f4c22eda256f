// The copy-link control of templates/growth/_share.html. Without this script the link is still a
// readonly field anyone can select and copy; with it, focusing selects it and a Copy button appears.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-copy-target]");
  Array.prototype.forEach.call(buttons, function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.querySelector("[data-copy-status]");
    if (!input) { return; }
    input.addEventListener("focus", function () { input.select(); });
    function copied() { if (status) { status.textContent = button.getAttribute("data-copied"); } }
    function fallback() { input.select(); if (document.execCommand("copy")) { copied(); } }
    button.hidden = false;
    button.addEventListener("click", function () {
      input.focus();
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(copied, fallback);
      } else {
        fallback();
      }
    });
  });
}());
