// Charts of the district reports. Each canvas.report-chart-canvas names, in data-source,
// the json_script element holding its data (labels and datasets); the same figures are in
// the table under the chart. Hidden small counts arrive as null and are left as gaps.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  const palette = [
    "#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545",
    "#198754", "#0dcaf0", "#ffc107", "#6c757d", "#d63384", "#6610f2",
  ];
  document.querySelectorAll("canvas.report-chart-canvas").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.source);
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const stacked = Boolean(data.stacked);
    new Chart(canvas, {
      type: data.type,
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (dataset, index) {
          const colour = palette[index % palette.length];
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: colour,
            borderColor: colour,
            spanGaps: false,
          };
        }),
      },
      options: {
        responsive: true,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { stacked: stacked },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  });
})();
