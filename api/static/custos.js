// A little JavaScript, never required: every page works without it.
// Forms marked data-confirm ask before they submit (deleting a field, a rule, an intent...).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
