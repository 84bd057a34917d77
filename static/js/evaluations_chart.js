// Line chart of a placed student's average mark by evaluation date. The numbers come from a
// json_script tag; the page shows the same numbers in the table for those who cannot see it.
(function () {
  "use strict";
  const canvas = document.getElementById("evaluations-chart");
  const source = document.getElementById("evaluations-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.label,
          data: data.averages,
          borderColor: "#0d6efd",
          backgroundColor: "#0d6efd",
          tension: 0.2,
        },
      ],
    },
    options: {
      responsive: true,
      aspectRatio: 3,
      plugins: { legend: { display: false } },
      scales: { y: { min: 1, max: 5, ticks: { stepSize: 1 } } },
    },
  });
})();
