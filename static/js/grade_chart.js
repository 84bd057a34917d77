// Bar chart of pupils by grade on the district panel; data comes from a json_script tag.
(function () {
  "use strict";
  const canvas = document.getElementById("grade-chart");
  const source = document.getElementById("grade-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.totalLabel, data: data.totals, backgroundColor: "#0d6efd" },
        { label: data.consentLabel, data: data.consents, backgroundColor: "#20c997" },
      ],
    },
    options: {
      responsive: true,
      plugins: { legend: { position: "bottom" } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
})();
