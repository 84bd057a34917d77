// Trend charts of the labour-market overview: one line chart per <canvas class="labour-chart"
// data-series="...">, drawn from the json_script tag "labour-trend-data" ({labels, series:
// {key: [values]}}). Each chart's numbers are also in the table next to it.
(function () {
  "use strict";
  const source = document.getElementById("labour-trend-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const colours = {
    open: "#0d6efd",
    new: "#198754",
    closed: "#dc3545",
    salary: "#6f42c1",
  };
  document.querySelectorAll("canvas.labour-chart").forEach(function (canvas) {
    const key = canvas.dataset.series;
    const values = data.series[key];
    if (!values) {
      return;
    }
    const colour = colours[key] || "#0d6efd";
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            data: values,
            borderColor: colour,
            backgroundColor: colour,
            spanGaps: true,
            tension: 0.2,
          },
        ],
      },
      options: {
        responsive: true,
        aspectRatio: 2.5,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
