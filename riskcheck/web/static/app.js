// Progressive enhancement for the assessment form: ask the server which questions
// apply and what the score is as answers change. The form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.querySelector("form[data-preview]");
  if (!form) { return; }
  var panel = document.getElementById("score-panel");
  var announce = document.getElementById("announce");
  var timer = null;
  var sequence = 0;

  function refresh() {
    var mine = ++sequence;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-preview"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": form.elements.csrf_token.value }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data || mine !== sequence) { return; }
      var appeared = [];
      Object.keys(data.visible).forEach(function (qid) {
        var element = document.getElementById("question-" + qid);
        if (!element) { return; }
        var shown = data.visible[qid];
        if (shown && element.hidden) {
          var label = element.querySelector(".qtext");
          appeared.push(label ? label.textContent.trim() : qid);
        }
        element.hidden = !shown;
      });
      Object.keys(data.sections).forEach(function (sid) {
        var section = document.getElementById("section-" + sid);
        var info = data.sections[sid];
        if (section) { section.hidden = !info.visible; }
        var progress = document.getElementById("progress-" + sid);
        if (progress) { progress.textContent = info.answered + " of " + info.total + " answered"; }
      });
      panel.innerHTML = data.panel;
      if (announce) {
        announce.textContent = appeared.length ? "New question: " + appeared.join("; ") : "";
      }
    }).catch(function () { /* the Save button still works */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  }
  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
})();
