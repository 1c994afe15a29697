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

  // A channel end that is no process gets a named stand-in, not a bare dot: a receiver that has not joined (yet), or
  // a sender outside the group (a producer that is no member). Ends that are processes which left stay on them,
  // flagged, so the page can draw them as departed rather than live.
  const NO_RECEIVER = '(no receiver yet)';
  const NO_SENDER = '(sender outside the group)';
  function channelEnds(processes, channels) {
    const byId = new Map(processes.map(p => [p.id, p]));
    const placeholders = [];
    const add = (id, kind, tip) => {
      if (!placeholders.some(p => p.id === id)) placeholders.push({ id, kind, label: id, tip });
    };
    const ends = channels.map(c => {
      let source = c.from, target = c.to;
      if (source == null || !byId.has(source)) {
        source = NO_SENDER;
        add(source, 'outside', 'records on these channels come from outside the snapshot group');
      }
      if (target == null || !byId.has(target)) {
        target = NO_RECEIVER;
        add(target, 'pending', 'no member reads these channels (yet): a receiver appears when it joins');
      }
      const departed = [source, target].some(id => byId.has(id) && byId.get(id).state === 'left');
      return { topic: c.topic, source, target, departed };
    });
    return { ends, placeholders };
  }

  // The first line of a process's label: its id, and then "left" for one that departed (its last epoch is history)
  // or its epoch from its status record.
  function processHead(p) {
    if (p.state === 'left') return p.id + ' · left';
    return p.epoch == null ? p.id : p.id + ' · epoch ' + p.epoch;
  }

  return { separateOpposite, clipScale, channelEnds, processHead, NO_RECEIVER, NO_SENDER };
})();
if (typeof module !== 'undefined') module.exports = DashboardView;
