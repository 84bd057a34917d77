// Bar chart of a questionnaire result: points per interest type, and the previous attempt's
// points when there is one. The numbers come from a json_script tag; the page shows the
// same numbers in a table for those who cannot see the chart.
(function () {
  "use strict";
  const canvas = document.getElementById("scores-chart");
  const source = document.getElementById("scores-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const datasets = [
    { label: data.scoreLabel, data: data.scores, backgroundColor: "#0d6efd" },
  ];
  if (Array.isArray(data.previous)) {
    datasets.push({ label: data.previousLabel, data: data.previous, backgroundColor: "#adb5bd" });
  }
  const y = { beginAtZero: true, ticks: { precision: 0 } };
  if (typeof data.max === "number") {
    y.max = data.max;
  }
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: datasets },
    options: {
      responsive: true,
      plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
      scales: { y: y },
    },
  });
})();
