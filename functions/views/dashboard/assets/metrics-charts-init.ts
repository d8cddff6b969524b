/**
 * The Metrics page's chart drawing, as text (appended to uPlot's own script in
 * `metrics-charts.js`). It reads each `[data-chart]` figure's JSON (days as
 * epoch seconds, one value per day, `null` for "nothing that day"), draws it
 * with uPlot into the figure's `.chart-canvas`, and redraws on resize. The
 * figures' tables hold the same numbers, so without script (or for a screen
 * reader, the canvas being `aria-hidden`) nothing is lost.
 */
export const METRICS_CHARTS_INIT_JS = `(function () {
  'use strict';
  if (typeof uPlot !== 'function') return;
  var plots = [];
  function widthOf(el) { return Math.max(260, Math.min(el.clientWidth || 600, 1100)); }
  var figures = document.querySelectorAll('[data-chart]');
  Array.prototype.forEach.call(figures, function (figure) {
    var spec;
    try { spec = JSON.parse(figure.getAttribute('data-chart')); } catch (e) { return; }
    var target = figure.querySelector('.chart-canvas');
    if (!target || !spec || !spec.x || !spec.y) return;
    var series = { label: spec.label, stroke: '#0969da', width: 2, fill: 'rgba(9,105,218,0.12)', points: { show: true, size: 5 } };
    if (spec.kind === 'bars' && uPlot.paths && uPlot.paths.bars) series.paths = uPlot.paths.bars({ size: [0.7, 40] });
    var plot = new uPlot({
      width: widthOf(target),
      height: 200,
      legend: { show: false },
      // The buckets are UTC days: label them as such, whatever the browser's zone.
      tzDate: uPlot.tzDate ? function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); } : undefined,
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(max || 0, spec.minMax || 1)]; } } },
      axes: [{}, { label: spec.unit, size: 60 }],
      series: [{}, series]
    }, [spec.x, spec.y], target);
    plots.push({ plot: plot, target: target });
    figure.setAttribute('data-drawn', 'true');
  });
  var pending;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: widthOf(p.target), height: 200 }); });
    }, 150);
  });
})();
`;
