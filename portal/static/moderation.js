// Moderation queue keyboard shortcuts. Progressive: without this file every button still works.
// J or N: next row, K: previous row, X: tick the row, A: approve, H: hide (needs a reason), S: spam.
// Off until the moderator turns them on (WCAG 2.1.4, character key shortcuts): a letter typed by mistake, or a word
// that speech input hears as one, must not approve or hide a comment. The choice is kept in this browser.
(function () {
  var form = document.getElementById("moderation-form");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll(".queue-row"));
  var help = form.querySelector("[data-shortcuts]");
  var toggle = form.querySelector("[data-shortcuts-on]");
  var STORED = "portal.moderation.shortcuts";
  var on = false;
  try { on = window.localStorage.getItem(STORED) === "on"; } catch (e) { on = false; }
  if (help) help.hidden = false;
  if (toggle) {
    toggle.checked = on;
    toggle.addEventListener("change", function () {
      on = toggle.checked;
      try { window.localStorage.setItem(STORED, on ? "on" : "off"); } catch (e) { /* kept for this page only */ }
    });
  }
  var current = -1;
  function select(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("current", i === current); });
    rows[current].focus();
    rows[current].scrollIntoView({ block: "nearest" });
  }
  function press(key) {
    if (current < 0) return;
    var button = rows[current].querySelector('button[data-key="' + key + '"]');
    if (!button) return;
    if (key === "h") {
      var reason = document.getElementById("reason");
      if (reason && !reason.value) { reason.focus(); return; }
    }
    button.click();
  }
  document.addEventListener("keydown", function (event) {
    if (!on || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    var key = event.key.toLowerCase();
    if (key === "j" || key === "n") { select(current + 1); event.preventDefault(); }
    else if (key === "k") { select(current - 1); event.preventDefault(); }
    else if (key === "x" && current >= 0) {
      var box = rows[current].querySelector('input[type="checkbox"]');
      if (box) box.checked = !box.checked;
      event.preventDefault();
    }
    else if (key === "a" || key === "h" || key === "s") { press(key); event.preventDefault(); }
  });
})();
