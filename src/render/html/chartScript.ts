// The chart page's one script (allowed by its hash in the page's Content-Security-Policy): it reads the
// full-resolution data from the page's JSON element and, while the mouse is over a chart, shows the nearest step's
// time, value, per-key values and markers in the tooltip. Text is set with textContent only, never as markup.

/** The script's source, kept as plain ES5-style JavaScript so the page runs in any browser without a build step. */
export const CHART_SCRIPT = `(function () {
  'use strict';
  var source = document.querySelector('script.chart-data');
  var tip = document.querySelector('[role="tooltip"]');
  if (!source || !tip) return;
  var charts = JSON.parse(source.textContent);
  function iso(t) { return new Date(t).toISOString().replace('.000Z', 'Z'); }
  function shown(v) { return typeof v === 'number' && isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 6 }) : 'no value'; }
  function cut(text) { return text.length > 80 ? text.slice(0, 79) + '\\u2026' : text; }
  function timeOf(c, s) { return c.first + s * c.every; }
  // The step whose time is nearest to t: a binary search over the steps' times.
  function nearestStep(c, t) {
    var lo = 0, hi = c.steps - 1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (timeOf(c, mid) < t) lo = mid + 1; else hi = mid; }
    if (lo > 0 && t - timeOf(c, lo - 1) <= timeOf(c, lo) - t) lo -= 1;
    return lo;
  }
  // The markers of step s (the list is sorted by step): a binary search for the first, then the run of equal steps.
  function markersAt(c, s) {
    var lo = 0, hi = c.markers.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (c.markers[mid][0] < s) lo = mid + 1; else hi = mid; }
    var out = [];
    while (lo < c.markers.length && c.markers[lo][0] === s) out.push(c.markers[lo++]);
    return out;
  }
  function line(text, cls) { var div = document.createElement('div'); div.textContent = text; if (cls) div.className = cls; return div; }
  function show(svg, c, event) {
    var rect = svg.getBoundingClientRect();
    var unit = rect.width / c.box.viewWidth;
    var position = ((event.clientX - rect.left) / unit - c.box.left) / c.box.width * c.steps - 0.5;
    var s = nearestStep(c, c.first + position * c.every);
    var lines = [line(iso(timeOf(c, s)), 'time'), line(c.valueLabel + ': ' + shown(c.total[s]), 'value')];
    if (c.ingestDelay > 0) lines.push(line('run at ' + iso(timeOf(c, s) + c.ingestDelay), 'muted'));
    c.keys.forEach(function (k) { lines.push(line(cut(k.key) + ': ' + shown(k.values[s]), 'key')); });
    var marks = markersAt(c, s);
    marks.slice(0, 6).forEach(function (m) { lines.push(line(m[1] + (m[2] ? ': ' + cut(m[2]) : '') + (m[3] ? ' (' + cut(m[3]) + ')' : ''), 'mark ' + m[1])); });
    if (marks.length > 6) lines.push(line('+' + (marks.length - 6) + ' more', 'muted'));
    tip.replaceChildren.apply(tip, lines);
    tip.dataset.step = String(s);
    tip.hidden = false;
    var x = c.box.left + (s + 0.5) * c.box.width / c.steps;
    var cursor = svg.querySelector('.cursor');
    cursor.setAttribute('x1', x); cursor.setAttribute('x2', x); cursor.setAttribute('visibility', 'visible');
    var focus = svg.querySelector('.focus');
    var v = c.total[s];
    if (typeof v === 'number' && isFinite(v)) {
      focus.setAttribute('cx', x);
      focus.setAttribute('cy', c.box.top + c.box.height - (v - c.range[0]) / (c.range[1] - c.range[0]) * c.box.height);
      focus.setAttribute('visibility', 'visible');
    } else focus.setAttribute('visibility', 'hidden');
    var left = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
    var top = event.clientY + 14 + tip.offsetHeight > window.innerHeight ? event.clientY - tip.offsetHeight - 10 : event.clientY + 14;
    tip.style.left = Math.max(4, left) + 'px';
    tip.style.top = Math.max(4, top) + 'px';
  }
  function hide(svg) {
    tip.hidden = true;
    svg.querySelector('.cursor').setAttribute('visibility', 'hidden');
    svg.querySelector('.focus').setAttribute('visibility', 'hidden');
  }
  Array.prototype.forEach.call(document.querySelectorAll('svg.chart'), function (svg) {
    var c = charts[Number(svg.getAttribute('data-index'))];
    if (!c) return;
    svg.addEventListener('mousemove', function (event) { show(svg, c, event); });
    svg.addEventListener('mouseleave', function () { hide(svg); });
  });
})();
`;
