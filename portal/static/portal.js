// Progressive enhancement only: every page works without this file.
// A character count under long text fields (GOV.UK pattern).
document.querySelectorAll("textarea[data-maxlength]").forEach(function (area) {
  var max = parseInt(area.getAttribute("data-maxlength"), 10);
  var left = area.getAttribute("data-count-left") || "{n}";
  var over = area.getAttribute("data-count-over") || "-{n}";
  var out = document.createElement("p");
  out.className = "char-count";
  out.setAttribute("aria-live", "polite");
  area.removeAttribute("maxlength");
  area.insertAdjacentElement("afterend", out);
  function update() {
    var n = max - area.value.length;
    out.textContent = (n >= 0 ? left : over).replace("{n}", Math.abs(n));
    out.classList.toggle("over", n < 0);
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
