// The intake form of a request for records: show only the fields that apply to the chosen
// instrument and requester.  Without this script every field shows, each with a note saying
// when it applies; the server ignores a field that does not apply either way.
(function () {
  "use strict";
  var form = document.querySelector("form.intake");
  if (!form) return;
  var instrument = form.querySelector("select[name=instrument]");
  var requester = form.querySelector("select[name=requester_type]");
  var parts = form.querySelectorAll("[data-applies]");

  function listed(list, value) {
    return !list || list.split(" ").indexOf(value) !== -1;
  }

  function update() {
    parts.forEach(function (part) {
      var input = part.querySelector("[data-instruments]");
      if (!input) return;
      var show = listed(input.getAttribute("data-instruments"), instrument.value) &&
        listed(input.getAttribute("data-requesters"), requester.value);
      part.hidden = !show;
    });
  }

  form.classList.add("intake-live");
  instrument.addEventListener("change", update);
  requester.addEventListener("change", update);
  update();
})();
