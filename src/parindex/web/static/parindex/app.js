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
