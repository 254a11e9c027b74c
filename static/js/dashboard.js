/* The reviewer dashboard: its charts (data and colours from a json_script block, no inline script)
   and the bulk approve button, disabled until a declaration is ticked. */
(function () {
  var approve = document.querySelector("[data-testid=approve-selected]");
  if (approve) {
    var boxes = document.querySelectorAll("input[name=selected]");
    var update = function () {
      approve.disabled = !Array.prototype.some.call(boxes, function (box) { return box.checked; });
    };
    Array.prototype.forEach.call(boxes, function (box) { box.addEventListener("change", update); });
    update();
  }

  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  Chart.defaults.animation = false;
  var draw = function (id, series, type, options) {
    var canvas = document.getElementById(id);
    if (!canvas || !series) { return; }
    new Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: [{ data: series.data, backgroundColor: series.colours }] },
      options: options
    });
  };
  var bars = { responsive: true, plugins: { legend: { display: false } }, scales: { y: { ticks: { precision: 0 } } } };
  draw("chart-units", data.units_by_state, "bar", bars);
  draw("chart-money", data.money_by_state, "bar", { responsive: true, plugins: { legend: { display: false } } });
  draw("chart-hints", data.hints_by_criterion, "bar", bars);
})();
