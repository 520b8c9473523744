// Draws each chart from its data-series attribute with the vendored uPlot.
// The attribute holds {"days": ["YYYY-MM-DD", ...], "<series>": [n, ...], ...}.
"use strict";

const COLOURS = ["#125ea0", "#c0392b", "#27ae60", "#8e44ad", "#d35400"];

function drawChart(element) {
  const data = JSON.parse(element.dataset.series);
  const names = Object.keys(data).filter((name) => name !== "days");
  const days = data.days.map((day) => Date.parse(day + "T00:00:00Z") / 1000);
  const style = getComputedStyle(element);
  const inner = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const options = {
    width: Math.max(260, inner || 600),
    height: 260,
    scales: { x: { time: true } },
    series: [{}, ...names.map((name, index) => ({ label: name, stroke: COLOURS[index % COLOURS.length], width: 2 }))],
    axes: [{}, { size: 50 }],
  };
  element.replaceChildren();
  new uPlot(options, [days, ...names.map((name) => data[name])], element);
  element.dataset.drawn = "true";
}

function drawCharts() {
  document.querySelectorAll("[data-series]").forEach(drawChart);
}

document.addEventListener("DOMContentLoaded", drawCharts);
