// Draws the dashboard's charts (templates/admin/index.html) with Chart.js, from the data the
// page holds in <script id="vd-chart-data" type="application/json">. Each chart has a table
// with the same numbers beside it, so nothing depends on this script running.
(function () {
  "use strict";
  var source = document.getElementById("vd-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = { new: "#e8a33d", confirmed: "#2f6f9f", dismissed: "#9aa5b1" };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#4b5661";

  var statusCanvas = document.getElementById("vd-status-chart");
  if (statusCanvas && data.status.labels.length) {
    var urls = data.status.urls;
    var statusChart = new Chart(statusCanvas, {
      type: "bar",
      data: {
        labels: data.status.labels,
        datasets: [{ label: "Cases", data: data.status.counts, backgroundColor: "#2f6f9f" }],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        // Each bar opens the list of those cases.
        onClick: function (event, elements) {
          if (elements.length) {
            window.location.href = urls[elements[0].index];
          }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
      },
    });
    statusCanvas.dataset.rendered = String(statusChart.data.labels.length);
  }

  var weeklyCanvas = document.getElementById("vd-weekly-chart");
  if (weeklyCanvas) {
    var weeklyChart = new Chart(weeklyCanvas, {
      type: "bar",
      data: {
        labels: data.weekly.labels,
        datasets: data.weekly.series.map(function (series) {
          return {
            label: series.label,
            data: series.counts,
            backgroundColor: colours[series.status] || "#777",
          };
        }),
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 13 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    weeklyCanvas.dataset.rendered = String(weeklyChart.data.labels.length);
  }
})();
