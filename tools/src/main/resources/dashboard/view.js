'use strict';
// The dashboard's view computations that need neither the page nor ECharts: loaded by the page before dashboard.js,
// and run under Node by the tools' tests (DashboardViewTest).
const DashboardView = (() => {
  // Where the graph's processes and channel labels go. ECharts' circular layout cannot keep channel labels apart: its
  // curveness moves an edge's control point from the chord's middle towards the circle's centre, whatever the
  // edge's direction, so a→b and b→a with the same curveness are drawn as one curve with both labels on it, and the
  // chords through the centre (the diagonals of an even number of processes) cannot be bent at all. So the nodes are
  // placed here, on a circle (stretched to an ellipse in a wide graph), and drawn with layout 'none', where curveness
  // bends to the left of the edge's direction by curveness × chord length (a→b and b→a with the same curveness bend
  // to opposite sides). Each channel's label is the box ECharts draws: centred on the curve's middle, turned along
  // the chord so that it reads left to right, `distance` above the curve ('middle') or below it
  // ('insideMiddleBottom'). Every channel gets the bend and side, among a few, that keep its label clear of the other
  // labels, of the process symbols and of the graph's edges, and its curve off any other channel's.
  const EDGE_LABEL = { fontSize: 10, distance: 5, padding: [1, 3] };
  // room for the processes' own labels (below them, up to two lines) and for labels bent outwards
  const MARGIN = { top: 36, right: 60, bottom: 60, left: 60 };
  const LABEL_GAP = 3;
  const STRETCH = 1.6;
  const REPAIR_ROUNDS = 8;
  const ATTEMPTS = 40;
  // a lag that grows by a digit or two between redraws should not make the labels jump about
  const WIDTH_RESERVE = 2;
  const PAIR_BENDS = [0.1, 0.16, 0.22, 0.3, 0.38, 0.48, 0.6, 0.75, 0.9];
  const LONE_BENDS = [0, 0.08, -0.08, 0.16, -0.16, 0.24, -0.24, 0.34, -0.34, 0.46, -0.46, 0.6, -0.6];

  // Without a browser to measure in (under Node), an estimate of a label's width on the wide side (DejaVu Sans, a
  // wide sans-serif: most glyphs about 0.62 em, dots, spaces and slashes about a third, symbols a whole em).
  function estimateWidth(text, fontSize) {
    let w = 0;
    for (const ch of text) {
      w += (ch.charCodeAt(0) > 0x2000 ? 1 : ' .·,:/|il1()'.includes(ch) ? 0.34 : 0.62) * fontSize;
    }
    return w;
  }

  // Node positions in the graph's pixels: evenly on a circle, as ECharts' circular layout puts them (the first at
  // half a step past 3 o'clock, clockwise), scaled so that the circle's points fill the graph less its margins.
  function nodePositions(ids, size) {
    const n = ids.length;
    if (n === 0) return { positions: {}, box: { left: 0, top: 0, width: size.width, height: size.height } };
    const unit = ids.map((id, i) => n === 1 ? [0, 0]
      : [Math.cos((2 * i + 1) * Math.PI / n), Math.sin((2 * i + 1) * Math.PI / n)]);
    const xs = unit.map(p => p[0]), ys = unit.map(p => p[1]);
    const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
    const availW = Math.max(size.width - MARGIN.left - MARGIN.right, 10);
    const availH = Math.max(size.height - MARGIN.top - MARGIN.bottom, 10);
    // a wide graph stretches the circle into an ellipse (labels are wider than high), up to STRETCH
    let sx = n === 1 ? 1 : availW / Math.max(maxX - minX, 1e-9), sy = n === 1 ? 1 : availH / Math.max(maxY - minY, 1e-9);
    sx = Math.min(sx, sy * STRETCH);
    sy = Math.min(sy, sx * STRETCH);
    const cx = MARGIN.left + availW / 2, cy = MARGIN.top + availH / 2;
    const ox = cx - sx * (minX + maxX) / 2, oy = cy - sy * (minY + maxY) / 2;
    const positions = {};
    // rounded, so that nodes in line have exactly the same coordinate (ECharts widens a box of no width, not one of
    // almost none)
    const round = v => Math.round(v * 100) / 100;
    ids.forEach((id, i) => { positions[id] = [round(ox + sx * unit[i][0]), round(oy + sy * unit[i][1])]; });
    // the box ECharts fits the nodes into: their own bounding box, so that it draws them where they are placed here
    // (it widens a box of no width by 1 on each side, as here)
    const px = ids.map(id => positions[id][0]), py = ids.map(id => positions[id][1]);
    let left = Math.min(...px), right = Math.max(...px), top = Math.min(...py), bottom = Math.max(...py);
    if (right - left === 0) { left -= 1; right += 1; }
    if (bottom - top === 0) { top -= 1; bottom += 1; }
    return { positions, box: { left, top, width: right - left, height: bottom - top } };
  }

  // The four corners of the label of a channel from p1 to p2 drawn with `curveness`, w × h pixels, as ECharts' Line
  // draws it: centred on the curve's middle, along its tangent there, `distance` above the curve for position
  // 'middle', below it for 'insideMiddleBottom' ("above" as the text reads).
  function labelCorners(p1, p2, curveness, w, h, distance, position) {
    const dx = p2[0] - p1[0], dy = p2[1] - p1[1];
    // control point of layout 'none': the chord's middle moved by curveness × (dy, −dx); the curve's middle is half way
    const mx = (p1[0] + p2[0]) / 2 + curveness * dy / 2, my = (p1[1] + p2[1]) / 2 - curveness * dx / 2;
    const len = Math.hypot(dx, dy) || 1;
    // along the tangent at the middle (parallel to the chord), turned round when the edge runs right to left
    let ux = dx / len, uy = dy / len;
    if (p2[0] < p1[0]) { ux = -ux; uy = -uy; }
    const vx = -uy, vy = ux; // the label's own downward axis
    const [top, bottom] = position === 'insideMiddleBottom' ? [distance, distance + h] : [-distance - h, -distance];
    return [[-w / 2, top], [w / 2, top], [w / 2, bottom], [-w / 2, bottom]]
      .map(([a, b]) => [mx + a * ux + b * vx, my + a * uy + b * vy]);
  }

  // The label position that puts a channel's label on the outer side of its bend (away from the chord, so that the
  // labels of a→b and b→a are not both between the two curves), and the other one.
  function labelSides(p1, p2, curveness) {
    const dx = p2[0] - p1[0], dy = p2[1] - p1[1];
    const ux = p2[0] < p1[0] ? -dx : dx, uy = p2[0] < p1[0] ? -dy : dy;
    // the bend goes along curveness × (dy, −dx); 'middle' puts the label along the label's upward axis (uy, −ux)
    const up = (curveness * dy) * uy + (-curveness * dx) * -ux;
    return up >= 0 ? ['middle', 'insideMiddleBottom'] : ['insideMiddleBottom', 'middle'];
  }

  // Whether two convex polygons (lists of corners, in order) come closer than `gap`: no side of either separates them
  // by that much (separating axes).
  function cornersOverlap(a, b, gap) {
    return !separates(a, a, b, gap) && !separates(b, a, b, gap);
  }

  function separates(sides, a, b, gap) {
    for (let i = 0; i < sides.length; i++) {
      const p = sides[i], q = sides[(i + 1) % sides.length];
      const ax = q[1] - p[1], ay = p[0] - q[0];
      const len = Math.sqrt(ax * ax + ay * ay);
      if (len === 0) continue;
      let minA = Infinity, maxA = -Infinity, minB = Infinity, maxB = -Infinity;
      for (const c of a) { const v = (c[0] * ax + c[1] * ay) / len; if (v < minA) minA = v; if (v > maxA) maxA = v; }
      for (const c of b) { const v = (c[0] * ax + c[1] * ay) / len; if (v < minB) minB = v; if (v > maxB) maxB = v; }
      if (maxA + gap <= minB || maxB + gap <= minA) return true;
    }
    return false;
  }

  function inside(quad, size) {
    return quad.every(([x, y]) => x >= 0 && y >= 0 && x <= size.width && y <= size.height);
  }

  // Places the nodes ({id, symbolSize}) and bends the edges ({source, target, label: {formatter}, lineStyle}) so that
  // no two channel labels overlap where that can be had; returns the node positions, the box to give ECharts, and
  // each edge's label corners (in the order of the edges) with the pairs that still overlap.
  function layoutGraph(nodes, edges, size, measure) {
    const width = measure || (text => estimateWidth(text, EDGE_LABEL.fontSize));
    const { positions, box } = nodePositions(nodes.map(n => n.id), size);
    const obstacles = nodes.map(n => {
      const [x, y] = positions[n.id], r = (n.symbolSize || 10) / 2 + 2;
      return [[x - r, y - r], [x + r, y - r], [x + r, y + r], [x - r, y + r]];
    });
    const reverse = new Set(edges.map(e => e.source + '\u0000' + e.target));
    const h = EDGE_LABEL.fontSize * 1.3 + EDGE_LABEL.padding[0] * 2;
    const hidden = e => e.label && e.label.show === false;
    // channels whose labels are not shown (too many of them) only need a→b and b→a apart
    edges.filter(hidden).forEach(e => {
      e.lineStyle = e.lineStyle || {};
      e.lineStyle.curveness = reverse.has(e.target + '\u0000' + e.source) ? PAIR_BENDS[0] : 0;
    });
    const order = edges.map((e, i) => i).filter(i => !hidden(edges[i]) && edges[i].source !== edges[i].target
      && positions[edges[i].source] && positions[edges[i].target]);
    const chord = i => Math.hypot(positions[edges[i].target][0] - positions[edges[i].source][0],
      positions[edges[i].target][1] - positions[edges[i].source][1]);
    order.sort((i, j) => chord(j) - chord(i) || i - j);
    // every place a channel's label can take: its bends (the least first), on the outer side of the bend first
    const candidates = [];
    const ofEdge = edges.map(() => []);
    order.forEach(i => {
      const e = edges[i];
      const text = String((e.label && e.label.formatter) || e.topic || '');
      const w = width(text + '0'.repeat(WIDTH_RESERVE)) + EDGE_LABEL.padding[1] * 2;
      const p1 = positions[e.source], p2 = positions[e.target];
      const paired = reverse.has(e.target + '\u0000' + e.source);
      (paired ? PAIR_BENDS.concat(PAIR_BENDS.map(c => -c)) : LONE_BENDS).forEach(c => labelSides(p1, p2, c)
        .forEach(position => {
          const quad = labelCorners(p1, p2, c, w, h, EDGE_LABEL.distance, position);
          // a label cut by the graph's edge, over another label or over a process's symbol: each as bad
          const fixed = obstacles.filter(q => cornersOverlap(q, quad, 0)).length + (inside(quad, size) ? 0 : 1);
          const xs = quad.map(q => q[0]), ys = quad.map(q => q[1]);
          ofEdge[i].push(candidates.length);
          // the same curve whichever way it is given: a→b bent by c is b→a bent by −c
          const curve = e.source < e.target ? e.source + '\u0000' + e.target + '\u0000' + c
            : e.target + '\u0000' + e.source + '\u0000' + -c;
          candidates.push({ edge: i, c, position, quad, fixed, curve, clashes: new Set(),
            left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys) });
        }));
    });
    candidates.forEach((a, k) => candidates.forEach((b, m) => {
      // two channels on one curve clash as their labels would: one line would hide the other
      if (m > k && a.edge !== b.edge && (a.curve === b.curve || a.left < b.right + LABEL_GAP
          && b.left < a.right + LABEL_GAP && a.top < b.bottom + LABEL_GAP && b.top < a.bottom + LABEL_GAP
          && cornersOverlap(a.quad, b.quad, LABEL_GAP))) {
        a.clashes.add(m);
        b.clashes.add(k);
      }
    }));
    // each label in turn on its least bad place among those placed (the longest chords first: they cross the
    // middle, where room is scarce), then each clashing one again among all the others, a few rounds; when clashes
    // remain, all that again in other orders, keeping the best
    const cost = (chosen, i, k) => {
      let n = candidates[k].fixed;
      order.forEach(j => { if (j !== i && chosen[j] != null && candidates[k].clashes.has(chosen[j])) n++; });
      return n;
    };
    const choose = (chosen, i) => {
      let best = null, bestCost = Infinity;
      for (const k of ofEdge[i]) {
        const n = cost(chosen, i, k);
        if (n < bestCost) { best = k; bestCost = n; }
        if (n === 0) break;
      }
      chosen[i] = best;
    };
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let chosen = null, chosenCost = Infinity;
    for (let attempt = 0; attempt < ATTEMPTS && chosenCost > 0; attempt++) {
      const sequence = order.slice();
      if (attempt > 0) {
        for (let k = sequence.length - 1; k > 0; k--) {
          const m = Math.floor(random() * (k + 1));
          [sequence[k], sequence[m]] = [sequence[m], sequence[k]];
        }
      }
      const trial = edges.map(() => null);
      sequence.forEach(i => choose(trial, i));
      for (let round = 0; round < REPAIR_ROUNDS; round++) {
        const clashing = sequence.filter(i => cost(trial, i, trial[i]) > 0);
        if (clashing.length === 0) break;
        clashing.forEach(i => choose(trial, i));
      }
      const total = order.reduce((t, i) => t + cost(trial, i, trial[i]), 0);
      if (total < chosenCost) { chosen = trial; chosenCost = total; }
    }
    chosen = (chosen || edges.map(() => null)).map(k => k == null ? null : candidates[k]);
    order.forEach(i => {
      const e = edges[i];
      e.lineStyle = e.lineStyle || {};
      e.lineStyle.curveness = chosen[i].c;
      e.label = e.label || {};
      e.label.position = chosen[i].position;
    });
    const corners = chosen.map(c => c && c.quad);
    return { positions, box, corners, overlaps: overlapping(corners), edges };
  }

  // Pairs of indices of label boxes (corner lists; null for none) that overlap.
  function overlapping(corners) {
    const out = [];
    corners.forEach((a, i) => corners.forEach((b, j) => {
      if (j > i && a && b && cornersOverlap(a, b, 0)) out.push([i, j]);
    }));
    return out;
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

  // The bars of the selected snapshot's per-member timeline (ms after the trigger record, from the fragments): one
  // row per member, its phases one after another on one scale for all, so the slowest member and its slowest phase
  // stand out. The two waits after the capture (own markers acknowledged, last marker in) overlap: the bar shows
  // their end, and says which came last. Members whose fragment has no timeline (older nodes) are left out.
  const TIMELINE_PHASES = [
    { name: 'to seen', from: null, to: 'triggerSeen' },
    { name: 'capture', from: 'triggerSeen', to: 'captured' },
    { name: 'markers', from: 'captured', to: 'markersDone' },
    { name: 'read out', from: 'markersDone', to: 'stateReadOut' },
    { name: 'publish', from: 'stateReadOut', to: 'published' },
  ];
  function timelineRows(processes, lastFragmentMs) {
    const rows = [];
    Object.entries(processes || {}).forEach(([id, p]) => {
      const t = p.timeline;
      if (!t) return;
      const at = Object.assign({}, t, { markersDone: Math.max(t.markersAcked, t.lastMarkerIn) });
      rows.push({ id, startedBy: t.startedBy, at, lastWait: t.markersAcked >= t.lastMarkerIn ? 'acknowledged' : 'in' });
    });
    if (rows.length === 0) return { scaleMs: 0, rows };
    const scaleMs = Math.max(1, lastFragmentMs || 0, ...rows.map(r => r.at.published));
    const pct = v => Math.round(Math.max(0, v) / scaleMs * 10000) / 100;
    rows.forEach(r => {
      r.segments = TIMELINE_PHASES.map(ph => {
        const from = ph.from == null ? 0 : r.at[ph.from], to = r.at[ph.to];
        return { phase: ph.name, fromMs: from, toMs: to, left: pct(from), width: pct(to - from) };
      });
      r.text = 'by ' + r.startedBy + ' · seen +' + r.at.triggerSeen + ' · captured +' + r.at.captured
        + ' · markers +' + r.at.markersDone + ' (last ' + r.lastWait + ') · read out +' + r.at.stateReadOut
        + ' · published +' + r.at.published + ' ms';
    });
    return { scaleMs, rows };
  }

  return { timelineRows, TIMELINE_PHASES, layoutGraph, labelCorners, overlapping, EDGE_LABEL, clipScale, channelEnds, processHead, NO_RECEIVER, NO_SENDER };
})();
if (typeof module !== 'undefined') module.exports = DashboardView;
