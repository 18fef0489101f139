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
  // Each series at least 3:1 against the white background (WCAG 1.4.11), segments parted by a
  // white border, and told apart by pattern as well as colour (1.4.1): new mentions striped,
  // confirmed solid, dismissed dotted. tests/test_dashboard.py checks the ratios.
  var colours = { new: "#a15c00", confirmed: "#2f6f9f", dismissed: "#5f6b78" };
  var patterns = { new: "stripes", dismissed: "dots" };

  function fill(status) {
    var colour = colours[status] || "#5f6b78";
    var kind = patterns[status];
    if (!kind) {
      return colour;
    }
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var pen = tile.getContext("2d");
    pen.fillStyle = colour;
    pen.fillRect(0, 0, 8, 8);
    pen.fillStyle = "#ffffff";
    if (kind === "stripes") {
      pen.fillRect(0, 0, 8, 2);
      pen.fillRect(0, 4, 8, 2);
    } else {
      pen.beginPath();
      pen.arc(4, 4, 1.6, 0, 2 * Math.PI);
      pen.fill();
    }
    return pen.createPattern(tile, "repeat");
  }
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
            backgroundColor: fill(series.status),
            borderColor: "#ffffff",
            borderWidth: 1,
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
