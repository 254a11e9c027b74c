/* Charts of the reviewer dashboard; the data comes from a json_script block (no inline script). */
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  Chart.defaults.animation = false;
  var palette = ["#6c757d", "#0d6efd", "#dc3545", "#198754", "#6f42c1", "#fd7e14", "#20c997", "#0dcaf0"];
  new Chart(document.getElementById("chart-states"), {
    type: "bar",
    data: {
      labels: data.states_by_unit.labels,
      datasets: data.states_by_unit.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: palette[i % palette.length] };
      })
    },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } }
  });
  new Chart(document.getElementById("chart-budget"), {
    type: "doughnut",
    data: { labels: data.budget_by_category.labels, datasets: [{ data: data.budget_by_category.data, backgroundColor: palette }] },
    options: { responsive: true, aspectRatio: 1.6 }
  });
  var checkpoints = [];
  data.spending_curves.forEach(function (curve) {
    curve.points.forEach(function (p) { if (checkpoints.indexOf(p[0]) < 0) { checkpoints.push(p[0]); } });
  });
  new Chart(document.getElementById("chart-plan"), {
    type: "line",
    data: {
      labels: checkpoints,
      datasets: data.spending_curves.map(function (curve, i) {
        var byLabel = {};
        curve.points.forEach(function (p) { byLabel[p[0]] = p[1]; });
        return { label: curve.label, data: checkpoints.map(function (c) { return byLabel[c]; }),
                 borderColor: palette[i % palette.length], fill: false };
      })
    },
    options: { responsive: true, scales: { y: { min: 0, max: 100 } } }
  });
})();
