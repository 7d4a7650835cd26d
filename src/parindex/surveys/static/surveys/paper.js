// Enter in the last row adds a row (the form works without it: N rows, submit).
document.getElementById("dong-phieu").addEventListener("keydown", function (e) {
  if (e.key !== "Enter") return;
  e.preventDefault();
  var body = this, count = document.getElementById("so-dong");
  var last = body.rows[body.rows.length - 1], n = body.rows.length;
  var row = last.cloneNode(true);
  row.querySelectorAll("input").forEach(function (input) {
    input.name = input.name.replace(/^r\d+-/, "r" + n + "-");
    input.value = "";
    input.setAttribute("aria-label", input.getAttribute("aria-label").replace(/^Dòng \d+/, "Dòng " + (n + 1)));
  });
  body.appendChild(row);
  count.value = n + 1;
  row.querySelector("input").focus();
});
