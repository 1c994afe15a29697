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

  return { separateOpposite };
})();
if (typeof module !== 'undefined') module.exports = DashboardView;
