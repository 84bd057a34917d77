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
  const locale = document.documentElement.lang || "ru";

  function hasBars(dataset) {
    return dataset.data.some(function (value) {
      return typeof value === "number" && value !== 0;
    });
  }

  document.querySelectorAll("canvas.report-chart-canvas").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.source);
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const stacked = Boolean(data.stacked);
    const isLine = data.type === "line";
    // Each series keeps its colour; a series with nothing to draw (all zero or hidden)
    // would only lengthen the legend, so it stays in the table alone.
    const datasets = data.datasets
      .map(function (dataset, index) {
        const colour = palette[index % palette.length];
        return {
          label: dataset.label,
          data: dataset.data,
          backgroundColor: colour,
          borderColor: colour,
          spanGaps: false,
          // Series of one stack add up; each stack is a bar of its own.
          stack: dataset.stack || "all",
          pointRadius: isLine ? 4 : undefined,
        };
      })
      .filter(hasBars);
    if (!datasets.length) {
      canvas.hidden = true;
      const empty = canvas.parentElement.querySelector(".report-chart-empty");
      if (empty) {
        empty.classList.remove("d-none");
      }
      return;
    }
    new Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        locale: locale,
        responsive: true,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          // A line through one academic year is a lone point: keep it off the axis edge.
          x: { stacked: stacked, offset: !isLine || data.labels.length < 2 },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  });
})();
