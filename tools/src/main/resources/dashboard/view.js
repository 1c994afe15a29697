'use strict';
// The dashboard's view computations that need neither the page nor ECharts: loaded by the page before dashboard.js,
// and run under Node by the tools' tests (DashboardViewTest).
const DashboardView = (() => {
  // ECharts' autoCurveness can give a→b and b→a the same curve, and then their labels sit on each other. Here every
  // channel between one pair of processes gets its own bend: curveness is relative to the edge's direction, so the same
  // positive value bends a→b and b→a to opposite sides; further channels of the pair bend further out.
  function separateOpposite(edges) {
    const byPair = new Map();
    edges.forEach(e => {
      const key = [e.source, e.target].sort().join('\u0000');
      if (!byPair.has(key)) byPair.set(key, []);
      byPair.get(key).push(e);
    });
    byPair.forEach(list => {
      const perSide = new Map();
      list.forEach(e => {
        const side = e.source + '\u0000' + e.target;
        const k = perSide.get(side) || 0;
        perSide.set(side, k + 1);
        // a lone channel between two processes stays straight-ish; a pair or more spread out
        const curveness = list.length === 1 ? 0.08 : 0.18 + 0.14 * k;
        e.lineStyle.curveness = curveness;
        // the label rides the middle of its own curve, on the outer side, away from the opposite one
        e.label.position = 'middle';
      });
    });
    return edges;
  }

  // One slow snapshot would set the history chart's axis to its value and press every other point to the floor. A
  // linear axis clipped above the 95th percentile keeps the rest readable (a log axis would, too, but makes the usual
  // differences hard to read); the clipped points are marked with their true values. Clipping starts only when the
  // maximum is well above the percentile, so a plain rising series keeps its full axis.
  const CLIP_PERCENTILE = 0.95;
  const CLIP_HEADROOM = 1.5;
  function clipScale(values) {
    const known = values.filter(v => typeof v === 'number' && isFinite(v)).sort((a, b) => a - b);
    if (known.length < 5) return { max: null, outliers: [] };
    // rounded down, so that among few snapshots a single outlier is not its own percentile
    const p = known[Math.floor(CLIP_PERCENTILE * (known.length - 1))];
    const top = known[known.length - 1];
    if (p <= 0 || top <= p * 2) return { max: null, outliers: [] };
    const max = niceCeil(p * CLIP_HEADROOM);
    const outliers = [];
    values.forEach((v, index) => { if (typeof v === 'number' && v > max) outliers.push({ index, value: v }); });
    return { max, outliers, percentile: p };
  }

  function niceCeil(v) {
    const step = Math.pow(10, Math.floor(Math.log10(v)));
    return Math.ceil(v / step * 2) / 2 * step;
  }

  return { separateOpposite, clipScale };
})();
if (typeof module !== 'undefined') module.exports = DashboardView;
