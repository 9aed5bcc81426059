// The patron page shown again after a refused form (a wrong card, a PIN too easy to guess):
// the browser's history then holds the patron page itself, not the form's POST, so that
// reloading it or coming back to it never asks to send the form again.  Without this
// script the page works the same; only the browser asks.
(function () {
  var page = document.querySelector("[data-page-url]");
  if (page && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", page.getAttribute("data-page-url") + window.location.hash);
  }
})();
