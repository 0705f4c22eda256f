// Progressive enhancement of the paper sheet form: when an email is typed, ask the server whether
// it has already signed this campaign and say so under the field. The form works without it: the
// same duplicates are caught when the sheet is saved.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-check-url]");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-check-url");
  form.querySelectorAll('input[name$="-email"]').forEach(function (input) {
    var note = document.getElementById(input.id + "-check");
    input.addEventListener("change", function () {
      var email = input.value.trim();
      if (!note) return;
      if (email.indexOf("@") < 1) { note.textContent = ""; return; }
      fetch(url + "?email=" + encodeURIComponent(email), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {problem: null}; })
        .then(function (answer) { note.textContent = answer.problem || ""; })
        .catch(function () { note.textContent = ""; });
    });
  });
});
