// The board updates itself: the server pushes the table each time the standings change.
(function () {
  "use strict";
  var table = document.getElementById("board-table");
  if (!table || !table.dataset.events || !window.EventSource) { return; }
  var state = document.getElementById("live-state");
  var source = new EventSource(table.dataset.events);
  source.addEventListener("standings", function (event) {
    var data = JSON.parse(event.data);
    table.innerHTML = data.html;
    table.dataset.version = String(data.version);
    if (data.updated) { document.getElementById("updated").textContent = data.updated; }
    table.classList.remove("flash");
    void table.offsetWidth;
    table.classList.add("flash");
  });
  source.addEventListener("open", function () {
    if (state) { state.textContent = "● Tự động cập nhật"; state.className = "live"; }
  });
  source.addEventListener("error", function () {
    if (state) { state.textContent = "● Mất kết nối, đang thử lại…"; state.className = "offline"; }
  });
})();
