// Progressive enhancement. Every page works without this file (a full-page round
// trip); with it, the assessment form saves each change as it is made, keeps focus
// and scroll, warns before leaving unsaved changes, checks numbers and lengths as
// you type, and announces only what changed.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The messages below in the page's language: base.html gives their translations
  // (English -> translation) in a JSON block; {name} placeholders are filled here.
  var STRINGS = {};
  try {
    var given = document.getElementById("riskcheck-strings");
    if (given) { STRINGS = JSON.parse(given.textContent) || {}; }
  } catch (ignored) { STRINGS = {}; }
  function t(text, values) {
    var out = Object.prototype.hasOwnProperty.call(STRINGS, text) ? STRINGS[text] : text;
    return out.replace(/\{(\w+)\}/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }
  var LANG = document.documentElement.getAttribute("lang") || "en";

  var announcer = document.getElementById("announce");
  function announce(text) {
    if (!announcer || !text) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // ------------------------------------------------------------ honest inputs

  function formatCount(n) { return n.toLocaleString(LANG === "en" ? "en-GB" : LANG); }

  function checkLength(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    var counter = document.querySelector('[data-counter-for="' + field.id + '"]');
    if (!limit || !counter) { return true; }
    var length = field.value.length;
    var over = length - limit;
    var wasOver = counter.classList.contains("over");
    if (over > 0) {
      counter.textContent = t("{length} of {limit} characters: {over} too many. Shorten it; it is not saved until it fits.",
        { length: formatCount(length), limit: formatCount(limit), over: formatCount(over) });
      counter.classList.add("over");
      field.setAttribute("aria-invalid", "true");
      if (!wasOver) { announce(t("Too long: {over} characters over the limit.", { over: formatCount(over) })); }
      return false;
    }
    counter.textContent = t("{length} of {limit} characters", { length: formatCount(length), limit: formatCount(limit) });
    counter.classList.remove("over");
    if (wasOver) { field.removeAttribute("aria-invalid"); }
    return true;
  }

  var INTEGER = /^[+-]?\d+$/;
  var DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

  function numberProblem(field) {
    var text = field.value.trim();
    if (!text) { return ""; }
    var integer = field.getAttribute("data-number") === "integer";
    if (!(integer ? INTEGER : DECIMAL).test(text)) {
      return integer
        ? t("Not a whole number: \u201c{text}\u201d. Type digits only, e.g. 350000. It is not saved until it is a number.", { text: text })
        : t("Not a number: \u201c{text}\u201d. Type digits only (a point for decimals), e.g. 350000. It is not saved until it is a number.", { text: text });
    }
    var value = Number(text);
    var min = field.getAttribute("data-min");
    var max = field.getAttribute("data-max");
    if (min !== null && value < Number(min)) { return t("Must be at least {min}; it is not saved.", { min: min }); }
    if (max !== null && value > Number(max)) { return t("Must be at most {max}; it is not saved.", { max: max }); }
    return "";
  }

  function checkNumber(field) {
    var qid = field.name.slice(2);
    var live = document.getElementById("live-" + qid);
    if (!live) { return true; }
    var problem = numberProblem(field);
    if (problem !== live.textContent) { live.textContent = problem; }
    if (problem) { field.setAttribute("aria-invalid", "true"); } else if (!document.getElementById("err-" + qid)) {
      field.removeAttribute("aria-invalid");
    }
    return !problem;
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-maxlength")) { checkLength(field); }
    if (field.hasAttribute && field.hasAttribute("data-number")) { checkNumber(field); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-maxlength]"), checkLength);

  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }

  // ------------------------------------------------------------ going to a question

  // ------------------------------------------------------------ collapsible sections

  function setExpanded(section, expanded) {
    var button = section.querySelector(".section-toggle");
    var body = section.querySelector(".section-body");
    if (!button || !body) { return; }
    body.hidden = !expanded;
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    button.textContent = expanded ? t("Collapse") : t("Expand");
  }

  var small = window.matchMedia && window.matchMedia("(max-width: 640px)").matches;
  var firstOpen = null;
  Array.prototype.forEach.call(form.querySelectorAll("section.section"), function (section) {
    var head = section.querySelector(".section-head");
    var body = section.querySelector(".section-body");
    if (!head || !body) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "section-toggle";
    button.setAttribute("aria-controls", body.id);
    button.setAttribute("aria-label", t("Collapse or expand {section}", { section: head.querySelector("h2").textContent }));
    button.addEventListener("click", function () { setExpanded(section, body.hidden); });
    head.appendChild(button);
    // On a phone, one section at a time: the first with a question left open.
    var open = !small;
    if (small && !section.hidden && firstOpen === null) {
      var left = Array.prototype.some.call(section.querySelectorAll(".question.unanswered.is-required"), function (q) {
        return !q.hidden;
      });
      if (left) { firstOpen = section; open = true; }
    }
    setExpanded(section, open);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("#section-nav a[href^='#section-']") : null;
    if (!link) { return; }
    var section = document.getElementById(link.getAttribute("href").slice(1));
    if (section) { setExpanded(section, true); }
  });

  function focusQuestion(qid) {
    var question = document.getElementById("question-" + qid);
    if (!question) { return false; }
    var details = question.closest("details");
    if (details) { details.open = true; }
    var section = question.closest("section.section");
    if (section) { setExpanded(section, true); }
    var field = question.querySelector("input:not([type=hidden]), textarea, select");
    question.scrollIntoView({ block: "center" });
    if (field) { field.focus({ preventScroll: true }); }
    return true;
  }

  function isAnswered(question) {
    var fields = question.querySelectorAll("input[name^='q.'], textarea[name^='q.']");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "radio" || f.type === "checkbox") {
        if (f.checked && f.value) { return true; }
      } else if (f.value.trim()) {
        return true;
      }
    }
    return false;
  }

  function visibleQuestions() {
    return Array.prototype.filter.call(form.querySelectorAll(".question"), function (q) {
      return !q.hidden && !q.closest("section[hidden]");
    });
  }

  var nextButton = document.getElementById("next-unanswered");
  if (nextButton) {
    nextButton.addEventListener("click", function (event) {
      event.preventDefault();
      var all = visibleQuestions();
      var current = document.activeElement ? document.activeElement.closest(".question") : null;
      var start = current ? all.indexOf(current) + 1 : 0;
      var ordered = all.slice(start).concat(all.slice(0, start));
      for (var i = 0; i < ordered.length; i++) {
        if (!isAnswered(ordered[i])) { focusQuestion(ordered[i].getAttribute("data-question")); return; }
      }
      announce(t("Every question that applies is answered."));
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-question-link]") : null;
    if (link && focusQuestion(link.getAttribute("data-question-link"))) { event.preventDefault(); }
  });

  function markAnswered() {
    Array.prototype.forEach.call(form.querySelectorAll(".question"), function (q) {
      var answered = isAnswered(q);
      q.classList.toggle("unanswered", !answered);
      var clear = q.querySelector(".choice.clear");
      if (clear) { clear.hidden = !answered; }
    });
  }

  // ------------------------------------------------------------ saving

  var stateLabel = document.getElementById("save-state");
  var panel = document.getElementById("score-panel");
  var nav = document.getElementById("section-nav");
  var barTier = document.getElementById("bar-tier");
  var dirty = false;      // changed since the last save request was sent
  var inFlight = false;   // a save request is on its way
  var timer = null;
  var confirmDrop = false;
  var summary = null;

  function setState(name, text) {
    if (!stateLabel) { return; }
    stateLabel.setAttribute("data-state", name);
    stateLabel.textContent = text;
  }

  function clock() {
    var now = new Date();
    return ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
  }

  function fieldValues(name) {
    var elements = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    var values = [];
    Array.prototype.forEach.call(elements, function (e) {
      if ((e.type === "radio" || e.type === "checkbox")) { if (e.checked) { values.push(e.value); } } else { values.push(e.value); }
    });
    return values;
  }

  function setFieldValues(name, values) {
    var elements = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    Array.prototype.forEach.call(elements, function (e) {
      if (e.type === "radio" || e.type === "checkbox") {
        e.checked = values.indexOf(e.value) !== -1 && e.value !== "";
      } else if (e.value !== (values[0] || "")) {
        e.value = values[0] || "";
        if (e.hasAttribute("data-maxlength")) { checkLength(e); }
      }
    });
  }

  function same(a, b) {
    var x = a.filter(Boolean).slice().sort().join("\u0000").replace(/\r\n/g, "\n").trim();
    var y = b.filter(Boolean).slice().sort().join("\u0000").replace(/\r\n/g, "\n").trim();
    return x === y;
  }

  function setBase(values) {
    var holder = document.getElementById("base-values");
    holder.textContent = "";
    Object.keys(values).forEach(function (name) {
      values[name].forEach(function (value) {
        if (!value) { return; }
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "b." + name;
        input.value = value;
        holder.appendChild(input);
      });
    });
  }

  function showErrors(errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".error.from-save"), function (e) { e.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".question.has-error"), function (q) {
      q.classList.remove("has-error");
    });
    Object.keys(errors).forEach(function (qid) {
      var question = document.getElementById("question-" + qid);
      if (!question) { return; }
      question.classList.add("has-error");
      var message = document.createElement("p");
      message.className = "error from-save";
      message.textContent = t("Not saved: {error}", { error: errors[qid] });
      var anchor = question.querySelector(".counter, .live-error, textarea, input:not([type=hidden]), .options");
      if (anchor) { anchor.insertAdjacentElement("afterend", message); }
    });
  }

  function showClashes(clashes) {
    var box = document.getElementById("autosave-clashes");
    var list = document.getElementById("autosave-clash-list");
    if (!clashes.length) { return; }
    list.textContent = "";
    clashes.forEach(function (clash) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#q-" + clash.question;
      link.setAttribute("data-question-link", clash.question);
      link.textContent = clash.text;
      item.appendChild(link);
      item.appendChild(document.createTextNode(": " + t("saved \u201c{theirs}\u201d; yours \u201c{yours}\u201d, not saved.", { theirs: clash.theirs, yours: clash.yours })));
      list.appendChild(item);
    });
    box.hidden = false;
    announce(clashes.length === 1
      ? t("{count} answer was changed in another tab too; yours is not saved.", { count: 1 })
      : t("{count} answers were changed in another tab too; yours are not saved.", { count: clashes.length }));
  }

  function showDrop(drop) {
    var box = document.getElementById("autosave-drop");
    var list = document.getElementById("autosave-drop-list");
    list.textContent = "";
    drop.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = t("{text} (was: {value})", { text: item.text, value: item.value });
      list.appendChild(li);
    });
    box.hidden = drop.length === 0;
    if (drop.length) { announce(t("Some answers no longer apply: confirm before they are dropped.")); }
  }

  function applyView(data) {
    var appeared = [];
    Object.keys(data.visible).forEach(function (qid) {
      var element = document.getElementById("question-" + qid);
      if (!element) { return; }
      var shown = data.visible[qid];
      if (shown && element.hidden) {
        var label = element.querySelector(".qtext");
        appeared.push(label ? label.firstChild.textContent.trim() : qid);
      }
      element.hidden = !shown;
    });
    Object.keys(data.sections).forEach(function (sid) {
      var section = document.getElementById("section-" + sid);
      var info = data.sections[sid];
      if (section) { section.hidden = !info.visible; }
      var progress = document.getElementById("progress-" + sid);
      if (progress) { progress.textContent = t("{answered} of {total} answered", { answered: info.answered, total: info.total }); }
    });
    var open = {};
    Array.prototype.forEach.call(panel.querySelectorAll("details"), function (d) { open[d.className] = d.open; });
    var focusedInPanel = panel.contains(document.activeElement);
    panel.innerHTML = data.panel;
    Array.prototype.forEach.call(panel.querySelectorAll("details"), function (d) {
      if (open[d.className]) { d.open = true; }
    });
    if (focusedInPanel) { panel.setAttribute("tabindex", "-1"); panel.focus({ preventScroll: true }); }
    if (nav) { nav.innerHTML = data.nav; }
    var s = data.summary;
    var tierText = s.tier + (s.provisional ? " " + t("(provisional)") : "");
    if (barTier) { barTier.lastChild.textContent = tierText; }
    if (nextButton) {
      nextButton.hidden = !data.next_unanswered;
      if (data.next_unanswered) { nextButton.setAttribute("href", "#q-" + data.next_unanswered); }
    }
    // Announce what changed, not the whole panel.
    var news = [];
    if (appeared.length) { news.push(t("New question: {questions}", { questions: appeared.join("; ") })); }
    if (summary) {
      if (summary.tier !== s.tier || summary.provisional !== s.provisional) { news.push(t("Risk tier now {tier}.", { tier: tierText })); }
      if (summary.classification !== s.classification && s.classification) { news.push(t("Class now {label}.", { label: s.classification })); }
      if (summary.findings !== s.findings) {
        news.push(s.findings === 1 ? t("{count} finding.", { count: 1 }) : t("{count} findings.", { count: s.findings }));
      }
    }
    summary = s;
    if (news.length) { announce(news.join(" ")); }
    markAnswered();
  }

  function save() {
    window.clearTimeout(timer);
    if (inFlight) { return; }
    inFlight = true;
    dirty = false;
    setState("saving", t("Saving\u2026"));
    var body = new FormData(form);
    if (confirmDrop) { body.append("confirm_drop", "1"); confirmDrop = false; }
    var sent = {};
    body.forEach(function (value, name) { if (/^[qnl]\./.test(name)) { (sent[name] = sent[name] || []).push(value); } });
    fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      body: new URLSearchParams(body),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": form.elements.csrf_token.value }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (reply) {
      inFlight = false;
      var data = reply.data;
      if (!reply.ok) {
        dirty = true;
        setState("error", t("Not saved: {error}", { error: data.error || t("the server refused the change") }));
        announce(t("Not saved."));
        return;
      }
      form.elements.version.value = data.version;
      var clashed = {};
      data.clashes.forEach(function (c) { clashed[c.field] = true; });
      // Fields not touched since this save was sent take the file's value: that
      // brings in what another tab saved, and shows the saved side of a clash.
      Object.keys(data.values).forEach(function (name) {
        var mine = sent[name] || [];
        var now = fieldValues(name);
        if (same(now, mine) && (clashed[name] || !same(now, data.values[name]))) {
          if (!data.errors[name.slice(2)] || clashed[name]) { setFieldValues(name, data.values[name]); }
        }
      });
      setBase(data.values);
      applyView(data);
      showErrors(data.errors);
      showClashes(data.clashes);
      showDrop(data.drop);
      var errorCount = Object.keys(data.errors).length;
      if (data.outcome === "confirm") {
        dirty = true;
        setState("unsaved", t("Unsaved: confirm the dropped answers below"));
      } else if (dirty) {
        schedule();
      } else if (errorCount) {
        dirty = true;
        setState("error", errorCount === 1
          ? t("Saved {time} except {count} answer to correct", { time: clock(), count: 1 })
          : t("Saved {time} except {count} answers to correct", { time: clock(), count: errorCount }));
      } else {
        setState("saved", t("Saved {time}", { time: clock() }));
      }
    }).catch(function () {
      inFlight = false;
      dirty = true;
      setState("error", t("Not saved: the server cannot be reached. Your answers are still on this page."));
      announce(t("Not saved: the server cannot be reached."));
    });
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (inFlight) { schedule(300); } else { save(); }
    }, delay === undefined ? 700 : delay);
  }

  function changed(event) {
    if (!event.target.name || event.target.name.indexOf("b.") === 0) { return; }
    if (!/^[qnl]\./.test(event.target.name)) { return; }
    dirty = true;
    setState("unsaved", t("Unsaved changes"));
    markAnswered();
    schedule(event.type === "change" ? 150 : 700);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var action = event.submitter ? event.submitter.value : "save";
    if (action === "confirm_drop") { confirmDrop = true; }
    save();
  });

  var dropConfirm = document.getElementById("autosave-drop-confirm");
  if (dropConfirm) {
    dropConfirm.addEventListener("click", function () {
      confirmDrop = true;
      document.getElementById("autosave-drop").hidden = true;
      save();
    });
  }

  window.addEventListener("beforeunload", function (event) {
    if (dirty || inFlight) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
