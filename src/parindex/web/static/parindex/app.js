/* parindex — small page helpers (no framework): live deadline countdowns. */
(function () {
  "use strict";
  function text(deadline) {
    var seconds = Math.round((deadline - Date.now()) / 1000);
    var late = seconds < 0;
    seconds = Math.abs(seconds);
    var days = Math.floor(seconds / 86400), rest = seconds % 86400;
    var hours = Math.floor(rest / 3600), minutes = Math.floor((rest % 3600) / 60);
    var t;
    if (days) t = hours ? days + " ngày " + hours + " giờ" : days + " ngày";
    else if (hours) t = minutes ? hours + " giờ " + minutes + " phút" : hours + " giờ";
    else t = minutes + " phút";
    return { text: (late ? "quá hạn " : "còn ") + t, late: late };
  }
  function tick() {
    var els = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < els.length; i++) {
      var when = Date.parse(els[i].getAttribute("data-deadline"));
      if (isNaN(when)) continue;
      var r = text(when);
      els[i].textContent = r.text;
      els[i].classList.toggle("late", r.late);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 60000);
  });
})();
/* "Chọn tất cả": a checkbox with data-select-all="<container id>" ticks every box inside. */
document.addEventListener("change", function (e) {
  var box = e.target;
  if (!box || !box.getAttribute) return;
  var id = box.getAttribute("data-select-all");
  if (!id) return;
  var inputs = document.querySelectorAll("#" + id + " input[type=checkbox]");
  for (var i = 0; i < inputs.length; i++) inputs[i].checked = box.checked;
});
/* Focus survives htmx swaps (issue 13 part 2). htmx itself moves focus to the new element
 * with the same id; when the focused control is gone (an evidence row removed, a control
 * without an id), focus goes to the swapped region's heading instead of falling to <body>.
 * A text field the person is typing in keeps what they typed while the autosave's answer
 * replaced it (the answer was built from the text sent before the last keystrokes), and the
 * newer text is saved in turn. */
(function () {
  "use strict";
  var before = null;
  function typing(a) {
    return a && (a.tagName === "TEXTAREA" || (a.tagName === "INPUT" && a.type === "text"));
  }
  document.addEventListener("htmx:beforeSwap", function (e) {
    var a = document.activeElement;
    var target = e.detail && e.detail.target;
    var inside = !!(a && target && target.contains(a));
    before = {
      id: a && a !== document.body ? a.id : "",
      inside: inside,
      target: target ? target.id : "",
      value: inside && typing(a) ? a.value : null,
      start: inside && typing(a) ? a.selectionStart : 0,
      end: inside && typing(a) ? a.selectionEnd : 0
    };
  });
  document.addEventListener("htmx:afterSwap", function () {
    var was = before;
    if (!was || was.value === null || !was.id) return;
    var el = document.getElementById(was.id);
    if (!el || !typing(el) || el.value === was.value) return;
    var region = el.closest(".leaf");
    if (region && region.querySelector(".leaf-error")) return;  // a refused or concurrent save: the page's message and values win
    el.value = was.value;
    try { el.setSelectionRange(was.start, was.end); } catch (err) { /* not a text field */ }
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
  document.addEventListener("htmx:afterSettle", function () {
    var was = before;
    before = null;
    if (!was || !was.inside) return;
    var a = document.activeElement;
    if (a && a !== document.body && document.contains(a)) return;
    var el = was.id ? document.getElementById(was.id) : null;
    if (!el && was.target) {
      var region = document.getElementById(was.target);
      el = region && (region.querySelector("[tabindex='-1']") || region);
      if (el && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    }
    if (el) el.focus({ preventScroll: true });
  });
})();
/* Confirmations without inline handlers (the Content-Security-Policy forbids them): a form or
 * a submit button with data-confirm="question" asks before the form is sent. */
document.addEventListener("submit", function (e) {
  var form = e.target;
  var button = e.submitter;
  var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (text && !window.confirm(text)) e.preventDefault();
}, true);
