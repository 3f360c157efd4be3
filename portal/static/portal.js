// Progressive enhancement only: every page works without this file.
// A character count under long text fields (GOV.UK pattern).
document.querySelectorAll("textarea[data-maxlength]").forEach(function (area) {
  var max = parseInt(area.getAttribute("data-maxlength"), 10);
  var left = area.getAttribute("data-count-left") || "{n}";
  var over = area.getAttribute("data-count-over") || "-{n}";
  var out = document.createElement("p");
  out.className = "char-count";
  out.setAttribute("aria-hidden", "true");  // seen; a screen reader hears the notice below, not every key
  // said aloud only when it matters: near the limit, and over it (the count at every key drowned the typing)
  var said = document.createElement("p");
  said.className = "visually-hidden";
  said.setAttribute("aria-live", "polite");
  area.removeAttribute("maxlength");
  area.insertAdjacentElement("afterend", out);
  out.insertAdjacentElement("afterend", said);
  var band = null;
  function update() {
    var n = max - area.value.length;
    out.textContent = (n >= 0 ? left : over).replace("{n}", Math.abs(n));
    out.classList.toggle("over", n < 0);
    var now = n < 0 ? "over" : (n <= Math.max(20, Math.round(max / 10)) ? "near" : "far");
    if (now !== band && band !== null && now !== "far") { said.textContent = out.textContent; }
    band = now;
  }
  area.addEventListener("input", update);
  update();
});

// Personal information in the text: a telephone or identity card number written into a comment is masked by a
// moderator before the comment is shown (portal/moderation/personal.py). Say so while the citizen writes, and where
// a number meant for the office belongs. The server finds them again, strictly; this only advises.
document.querySelectorAll("textarea[data-personal-note]").forEach(function (area) {
  var note = document.createElement("p");
  note.className = "hint personal-note";
  note.setAttribute("role", "status");
  note.hidden = true;
  area.insertAdjacentElement("afterend", note);
  var numbers = [
    /(^|[^\d])(\+?86[ \-]?)?1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}(?!\d)/,  // a mobile number
    /(^|[^\d])(?:[(（]0\d{2,3}[)）][ \-]?|0\d{2,3}[ \-])\d{7,8}(?!\d)/,  // a landline with its area code
    /(^|[^\dA-Za-z])[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/  // an ID card
  ];
  function update() {
    var found = numbers.some(function (pattern) { return pattern.test(area.value); });
    if (found === !note.hidden) { return; }  // said once, not again at every key
    note.hidden = !found;
    note.textContent = found ? area.getAttribute("data-personal-note") : "";
  }
  area.addEventListener("input", update);
  update();
});

// After a refused submission, move focus to the error summary so that a screen reader reads it first;
// its links then lead to each field (GOV.UK pattern). Without JavaScript the summary is simply first.
(function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();

// Attachments: say at once, beside the field, when too many files or too large a file was chosen, and keep the
// form from being sent with them: a request over the server's limit is refused whole (413), and what the
// citizen wrote would be lost. The server checks again (type, size, number) and says the same.
document.querySelectorAll("input[type=file][data-max-files]").forEach(function (input) {
  var maxFiles = parseInt(input.getAttribute("data-max-files"), 10);
  var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
  var out = document.createElement("p");
  out.className = "field-error";
  out.id = input.id + "-check";
  out.setAttribute("aria-live", "assertive");
  out.hidden = true;
  input.insertAdjacentElement("beforebegin", out);
  // read with the field too, whenever it is reached again
  input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + out.id).trim());
  // the files chosen, by name and size, in the page's own words (a browser's file field may speak another
  // language, and cuts long names)
  var chosenList = document.createElement("ul");
  chosenList.className = "chosen-files";
  chosenList.setAttribute("aria-live", "polite");
  input.insertAdjacentElement("afterend", chosenList);
  function sizeLabel(size) {
    return size < 1048576 ? Math.max(1, Math.round(size / 1024)) + " KB" : (size / 1048576).toFixed(1) + " MB";
  }
  function listChosen() {
    chosenList.textContent = "";
    var files = input.files || [];
    for (var i = 0; i < files.length; i++) {
      var item = document.createElement("li");
      item.textContent = (input.getAttribute("data-chosen") || "{name}").replace("{name}", files[i].name)
        .replace("{size}", sizeLabel(files[i].size));
      chosenList.appendChild(item);
    }
  }
  function problem() {
    var files = input.files || [];
    if (files.length > maxFiles) {
      return input.getAttribute("data-too-many").replace("{n}", maxFiles).replace("{chosen}", files.length);
    }
    var total = 0;
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > maxBytes) {
        var mb = String(Math.round(maxBytes / 1048576 * 10) / 10);
        return input.getAttribute("data-too-large").replace("{name}", files[i].name).replace("{mb}", mb);
      }
      total += files[i].size;
    }
    var maxTotal = parseInt(input.getAttribute("data-max-total") || "0", 10);  // all of them in one request
    if (maxTotal && total > maxTotal) {
      return input.getAttribute("data-too-large-total").replace("{mb}", String(Math.round(maxTotal / 1048576)));
    }
    return "";
  }
  function check() {
    var message = problem();
    out.textContent = message;
    out.hidden = !message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
    return !message;
  }
  input.addEventListener("change", function () { listChosen(); check(); });
  if (input.form) {
    input.form.addEventListener("submit", function (event) {
      if (!check()) { event.preventDefault(); input.focus(); return; }
      // No file chosen: sent as a plain form. A multipart body costs the server about as much again as the
      // whole comment (werkzeug compiles its parser for each request's boundary; bench/README.md); without
      // this script the form is sent as multipart, and works the same.
      var chosen = input.files && input.files.length > 0;
      input.form.enctype = chosen ? "multipart/form-data" : "application/x-www-form-urlencoded";
      input.disabled = !chosen;
    });
    window.addEventListener("pageshow", function () { input.disabled = false; });  // back from the receipt
  }
});

// A button that prints the page (the notice to put up); without this script the browser's own Print does it.
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

// Read aloud (朗读), for readers who find long text hard to read: a button on each part of the draft (and on the
// explanatory note) has the browser's speech engine read it, slower in elderly mode. Shown only where the browser
// can speak; the text is what the page shows, without its buttons and links to comment.
(function () {
  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") { return; }
  var body = document.body;
  var readLabel = body.getAttribute("data-read-aloud") || "Read aloud";
  var stopLabel = body.getAttribute("data-stop-reading") || "Stop";
  var current = null;  // the button whose text is being read
  function reset() {
    if (current) { current.textContent = readLabel; current.setAttribute("aria-pressed", "false"); }
    current = null;
  }
  function textOf(container) {
    var parts = [];
    container.querySelectorAll("h1, h2, h3, h4, h5, h6, p, li").forEach(function (element) {
      if (element.closest(".section-actions, .read-aloud-bar")) { return; }
      if (element.tagName === "LI" && element.querySelector("p")) { return; }
      var text = element.textContent.replace(/\s+/g, " ").trim();
      if (text) { parts.push(text); }
    });
    return parts.join("\n");
  }
  function speak(button, container) {
    var wasThis = current === button;
    window.speechSynthesis.cancel();
    reset();
    if (wasThis) { return; }  // the same button again: stop
    var utterance = new SpeechSynthesisUtterance(textOf(container));
    utterance.lang = (container.closest("[lang]") || document.documentElement).getAttribute("lang") || "zh-CN";
    utterance.rate = body.classList.contains("elderly") ? 0.85 : 1;
    utterance.onend = utterance.onerror = function () { if (current === button) { reset(); } };
    current = button;
    button.textContent = stopLabel;
    button.setAttribute("aria-pressed", "true");
    window.speechSynthesis.speak(utterance);
  }
  function addButton(container, where) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "read-aloud";
    button.textContent = readLabel;
    button.setAttribute("lang", document.documentElement.lang);  // the page's word, inside a draft marked Chinese
    button.setAttribute("aria-pressed", "false");
    var heading = container.querySelector("h1, h2, h3, h4, h5, h6, .run-in");
    if (heading && heading.id) { button.setAttribute("aria-describedby", heading.id); }
    button.addEventListener("click", function () { speak(button, container); });
    where.appendChild(button);
  }
  document.querySelectorAll("section.draft-section").forEach(function (section) {
    var actions = section.querySelector(":scope > .section-actions");
    if (actions) { addButton(section, actions); }
  });
  document.querySelectorAll("[data-readable]").forEach(function (article) {
    var bar = document.createElement("p");
    bar.className = "read-aloud-bar";
    article.insertBefore(bar, article.firstElementChild ? article.firstElementChild.nextSibling : null);
    addButton(article, bar);
  });
  window.addEventListener("pagehide", function () { window.speechSynthesis.cancel(); });
})();

// What a citizen types in a comment form is kept in this tab (sessionStorage) until the comment is received: a
// reload, a form that expired ("页面已过期": back, refresh) or a refused submission does not lose a long comment.
// The receipt page names the form's key and the text is forgotten; closing the tab forgets it too (a shared
// computer keeps nothing). Contact details are never kept.
(function () {
  var store;
  try { store = window.sessionStorage; store.setItem("portal-test", "1"); store.removeItem("portal-test"); }
  catch (error) { return; }  // storage refused (a private window in some browsers): the form works as before
  document.querySelectorAll("[data-clear-draft]").forEach(function (element) {
    store.removeItem("portal-draft:" + element.getAttribute("data-clear-draft"));
    store.removeItem("portal-draft:" + element.getAttribute("data-clear-draft") + ":quote");
    store.removeItem("portal-draft:" + element.getAttribute("data-clear-draft") + ":proposal");
  });
  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    var area = form.querySelector("textarea[name=body]");
    if (!area) { return; }
    var key = "portal-draft:" + form.getAttribute("data-draft-key");
    var kept = store.getItem(key);
    if (kept && !area.value) {
      area.value = kept;
      area.dispatchEvent(new Event("input"));  // the character count
      var notice = document.createElement("p");
      notice.className = "draft-restored";
      notice.setAttribute("role", "status");
      notice.textContent = form.getAttribute("data-draft-restored");
      area.insertAdjacentElement("beforebegin", notice);
    }
    keep(area, key);
    // the words of the draft quoted and the wording proposed instead, kept with the text
    ["quote", "proposal"].forEach(function (name) {
      var field = form.querySelector("textarea[name=" + name + "]");
      if (!field) { return; }
      var keptField = store.getItem(key + ":" + name);
      if (keptField && !field.value) { field.value = keptField; field.dispatchEvent(new Event("change")); }
      keep(field, key + ":" + name);
    });
  });
  function keep(area, key) {
    area.addEventListener("input", function () {
      try {
        if (area.value.trim()) { store.setItem(key, area.value); } else { store.removeItem(key); }
      } catch (error) { /* storage full: nothing kept */ }
    });
  }
})();

// Quoting the draft (引用原文). The comment form's quote field is folded away until wanted (a button opens it). A
// reader who selects words of the draft gets a button at the foot of the screen: it puts them in the form of
// the section they belong to, on this page, or opens that section's page with them in its form (?quote=).
// Without this script the field is simply shown, to paste words into; the server checks them either way.
(function () {
  var form = document.querySelector("form.comment-form[data-quote-url]");
  if (!form) { return; }
  var field = form.querySelector("[data-quote-field]");
  var area = form.querySelector("textarea[name=quote]");
  var body = form.querySelector("textarea[name=body]");
  if (!field || !area) { return; }
  var reveal = document.createElement("button");
  reveal.type = "button";
  reveal.className = "link-button quote-reveal";
  reveal.textContent = field.getAttribute("data-quote-reveal");
  reveal.setAttribute("aria-expanded", "false");
  var tip = document.createElement("p");  // the other way in: selecting words of the draft
  tip.className = "hint quote-tip";
  tip.textContent = field.getAttribute("data-quote-tip");
  field.insertAdjacentElement("beforebegin", reveal);
  reveal.insertAdjacentElement("afterend", tip);
  var proposalField = form.querySelector("[data-proposal-field]");  // the wording proposed, folded with the quotation
  var proposal = proposalField && proposalField.querySelector("textarea[name=proposal]");
  function show(open) {
    field.hidden = !open;
    if (proposalField) { proposalField.hidden = !open; }
    reveal.hidden = open;
    tip.hidden = open || !document.querySelector("article.draft");
    reveal.setAttribute("aria-expanded", open ? "true" : "false");
  }
  show(Boolean(area.value.trim()) || field.classList.contains("has-error")
       || Boolean(proposal && (proposal.value.trim() || proposalField.classList.contains("has-error"))));
  if (proposal) {  // a button copies the quoted words into the proposal, to be edited there
    var copy = document.createElement("button");
    copy.type = "button";
    copy.className = "link-button-dark copy-quote";
    copy.textContent = proposalField.getAttribute("data-copy-quote");
    proposal.insertAdjacentElement("beforebegin", copy);
    var offerCopy = function () { copy.hidden = !area.value.trim() || Boolean(proposal.value.trim()); };
    offerCopy();
    area.addEventListener("input", offerCopy);
    area.addEventListener("change", offerCopy);
    proposal.addEventListener("input", offerCopy);
    copy.addEventListener("click", function () {
      proposal.value = area.value.trim();
      proposal.dispatchEvent(new Event("input"));
      proposal.focus();
    });
  }
  reveal.addEventListener("click", function () { show(true); area.focus(); });
  area.addEventListener("change", function () { if (area.value.trim()) { show(true); } });

  var draft = document.querySelector("article.draft");
  if (!draft || !window.getSelection) { return; }
  var max = parseInt(form.getAttribute("data-quote-max"), 10) || 300;
  var bar = document.createElement("div");
  bar.className = "quote-bar";
  bar.hidden = true;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = form.getAttribute("data-quote-button");
  var tooLong = document.createElement("p");
  tooLong.setAttribute("role", "status");  // said when it shows
  tooLong.textContent = form.getAttribute("data-quote-too-long");
  bar.appendChild(button);
  bar.appendChild(tooLong);
  document.body.appendChild(bar);
  var chosen = null;  // {text, anchor}: the words selected and the innermost section holding them all

  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return null; }
    var node = selection.getRangeAt(0).commonAncestorContainer;
    var element = node.nodeType === 1 ? node : node.parentElement;
    if (!element || !draft.contains(element)) { return null; }
    if (element.closest(".key-points")) { return null; }  // the office's plain words: not the draft's
    var section = element.closest("section.draft-section");
    var text = selection.toString().replace(/[ \t\u00a0\u3000]+/g, " ").replace(/ *\n[\s]*/g, "\n").trim();
    if (!section || !text) { return null; }
    return {text: text, anchor: section.id};
  }
  var waiting = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(waiting);
    waiting = window.setTimeout(function () {  // once the reader's hand has stopped
      chosen = selected();
      bar.hidden = !chosen;
      if (chosen) {
        var fits = chosen.text.length <= max;
        button.hidden = !fits;
        tooLong.hidden = fits;
      }
    }, 150);
  });
  button.addEventListener("click", function () {
    if (!chosen) { return; }
    if (chosen.anchor === form.getAttribute("data-quote-section")) {
      area.value = chosen.text;
      area.dispatchEvent(new Event("input"));  // kept in this tab with the comment's text
      show(true);
      bar.hidden = true;
      window.getSelection().removeAllRanges();
      form.scrollIntoView({block: "start"});
      (body || area).focus();
    } else {
      window.location.href = form.getAttribute("data-quote-url").replace("ANCHOR", encodeURIComponent(chosen.anchor))
        + "?quote=" + encodeURIComponent(chosen.text) + "#comment-form";
    }
  });
})();

// The office's common reasons (答复意见): a button beside each fills the reason field with it and picks its outcome.
// Without this script the reasons are listed to read and copy.
document.querySelectorAll("button[data-fill-reason]").forEach(function (button) {
  var area = document.getElementById(button.getAttribute("data-fill-reason"));
  if (!area) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    area.value = button.closest("li").querySelector(".reason-text").textContent;
    var outcome = button.getAttribute("data-outcome");
    (area.form ? area.form.querySelectorAll("input[name=outcome]") : []).forEach(function (radio) {
      radio.checked = radio.value === outcome;
    });
    area.dispatchEvent(new Event("input"));
    area.focus();
  });
});

// The office's key questions (重点问题): "comment on this question" scrolls to the form (a plain link without this
// script) and chooses the question in its list.
document.querySelectorAll("a[data-question]").forEach(function (link) {
  link.addEventListener("click", function () {
    var list = document.querySelector("#comment-form select[name=question]");
    if (list) { list.value = link.getAttribute("data-question"); }
  });
});

// Agreeing with a comment (赞同): without this, the link opens a page with one button (portal/comments/agreement_views.py);
// with it, the click agrees (or, clicked again, takes it back) in place. The threads are the same for every reader
// (cached), so which comments this browser agreed with is remembered here too, to show them as agreed.
(function () {
  var links = document.querySelectorAll("a.agree-link[data-comment]");
  var token = document.querySelector("input[name=csrf_token]");
  if (!links.length || !token || !window.fetch) { return; }
  var KEY = "portal-agreed";
  var agreed = {};
  try { JSON.parse(localStorage.getItem(KEY) || "[]").forEach(function (id) { agreed[id] = true; }); } catch (e) { /* none */ }
  function keep() {
    try { localStorage.setItem(KEY, JSON.stringify(Object.keys(agreed).slice(-500))); } catch (e) { /* private mode */ }
  }
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  function show(link, isAgreed, count) {
    var label = link.firstChild;
    if (!link.hasAttribute("data-label")) { link.setAttribute("data-label", label.textContent); }
    label.textContent = isAgreed ? link.getAttribute("data-agreed-label") : link.getAttribute("data-label");
    link.classList.toggle("agreed", isAgreed);
    if (count !== undefined) {
      var format = link.getAttribute("data-count-format") || "({n})";
      link.querySelector(".agree-count").textContent = count > 0 ? format.replace("{n}", count.toLocaleString()) : "";
    }
  }
  links.forEach(function (link) {
    var id = link.getAttribute("data-comment");
    if (agreed[id]) { show(link, true); }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var body = new FormData();
      body.append("csrf_token", token.value);
      if (agreed[id]) { body.append("action", "take-back"); }
      fetch(link.href, {method: "POST", body: body, credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) {
          return response.json().then(function (answer) { return [response.ok, answer]; });
        })
        .then(function (result) {
          var answer = result[1];
          if (!result[0]) { status.textContent = answer.error || ""; return; }
          if (answer.agreed) { agreed[id] = true; } else { delete agreed[id]; }
          keep();
          show(link, answer.agreed, answer.count);
          status.textContent = answer.message;
        })
        .catch(function () { window.location.href = link.href; });  // the page with its button
    });
  });
})();

// A form is sent once: a second press of its button (a double click, or an impatient press while the answer is on
// its way) would store a comment, a letter or a sign-up twice. The second submission is stopped for a few seconds
// (after them a press sends again, should the first have gone nowhere) and again whenever the page is shown anew
// (back from the answer). The button is not disabled: a disabled button's name and value would not be sent.
(function () {
  var AGAIN_AFTER_MS = 8000;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post" || form.target) { return; }
    var sent = Number(form.getAttribute("data-sent-at") || 0);
    if (sent && Date.now() - sent < AGAIN_AFTER_MS) { event.preventDefault(); return; }
    form.setAttribute("data-sent-at", String(Date.now()));
    form.setAttribute("aria-busy", "true");
    // a form whose answer is a download leaves the page as it was: not busy once a press may send again
    window.setTimeout(function () { form.removeAttribute("aria-busy"); }, AGAIN_AFTER_MS);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent-at]").forEach(function (form) {
      form.removeAttribute("data-sent-at");
      form.removeAttribute("aria-busy");
    });
  });
})();

// Meetings (the office's form to announce one): the name proposed, 《…》征求意见座谈会, follows the kind chosen
// (听证会, 论证会) while the office has not written a name of its own. Without script the server does the same.
(function () {
  var title = document.querySelector("input[data-proposed-titles]");
  if (!title) { return; }
  var proposed = JSON.parse(title.getAttribute("data-proposed-titles"));
  var names = Object.keys(proposed).map(function (kind) { return proposed[kind]; });
  title.form.querySelectorAll("input[name=kind]").forEach(function (choice) {
    choice.addEventListener("change", function () {
      if (choice.checked && proposed[choice.value] && names.indexOf(title.value.trim()) !== -1) {
        title.value = proposed[choice.value];
      }
    });
  });
})();
