// A little JavaScript, never required: every page works without it.
// Forms marked data-confirm ask before they submit (deleting a field, a rule, an intent...).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A form came back with problems: move focus to the summary at the top, which links to each one.
var summary = document.querySelector(".error-summary");
if (summary) {
  summary.focus();
}

// My data: the value input fits the chosen category (a date picker for a date of birth, the
// number keyboard for an income). Without JavaScript the server reads dates and numbers typed.
var category = document.querySelector("select[data-value-kinds]");
var value = document.getElementById("value");
var hint = document.getElementById("value-hint");
if (category && value && hint) {
  category.addEventListener("change", function () {
    var kind = JSON.parse(category.getAttribute("data-value-kinds"))[category.value] || "text";
    var attrs = JSON.parse(value.getAttribute("data-inputs"))[kind];
    value.type = attrs.type;
    ["inputmode", "autocomplete"].forEach(function (name) {
      if (attrs[name]) { value.setAttribute(name, attrs[name]); } else { value.removeAttribute(name); }
    });
    hint.textContent = JSON.parse(hint.getAttribute("data-hints"))[kind] || "";
  });
}
