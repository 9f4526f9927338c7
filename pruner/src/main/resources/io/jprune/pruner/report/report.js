(function () {
  'use strict';
  // Errors are kept for the page's self-check (#selfcheck), which a browser test reads back.
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  var consoleError = console.error;
  console.error = function () {
    errors.push(Array.prototype.slice.call(arguments).join(' '));
    consoleError.apply(console, arguments);
  };

  var NS = 'http://www.w3.org/2000/svg';
  var PAD = 10, HEAD = 24;
  var D = JSON.parse(document.getElementById('data').textContent);
  var expanded = new Set(D.expanded);
  var nodeEls = {};     // node id -> {g, shape, node, inner}
  var scopeEls = {};    // scope id -> {g, edges: [{el, e}]}
  var groupItems = {};
  var selected = -1;

  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function html(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function hue(id) { return (id * 137.508) % 360; }
  function color(id) { return 'hsl(' + hue(id).toFixed(1) + ',62%,40%)'; }
  function light(id) { return 'hsl(' + hue(id).toFixed(1) + ',75%,91%)'; }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }

  /** The weight-like parameter of a layer (rank >= 2 first) and its dims before/after. */
  function widths(layer) {
    var l = D.layers[layer];
    if (!l || !l.params.length) { return null; }
    var best = l.params[0];
    l.params.forEach(function (p) { if (p.before.length > best.before.length) { best = p; } });
    return best;
  }

  // ---- building the drawing (once; layout only moves things) ----
  var svg = document.getElementById('svg');
  var defs = el('defs', {}, svg);
  var marker = el('marker', {id: 'arrow', viewBox: '0 0 8 8', refX: 8, refY: 4,
    markerWidth: 7, markerHeight: 7, orient: 'auto'}, defs);
  el('path', {d: 'M0,0 L8,4 L0,8 z', fill: '#8a8a8a'}, marker);

  function buildScope(sid, parent) {
    var s = D.scopes[sid];
    var g = el('g', {'class': 'scope', 'data-scope': sid}, parent);
    var eg = el('g', {'class': 'edges'}, g);
    var edges = s.edges.map(function (e) {
      var p = el('path', {'class': 'edge', 'marker-end': 'url(#arrow)'}, eg);
      el('title', {}, p).textContent = e.tt;
      return {el: p, e: e};
    });
    s.nodes.forEach(function (n) { buildNode(n, g); });
    scopeEls[sid] = {g: g, edges: edges};
    return g;
  }

  function buildNode(n, parent) {
    var g = el('g', {'class': 'node k-' + n.k, 'data-id': n.id}, parent);
    if (n.m !== undefined) { g.setAttribute('data-module', n.m); }
    if (n.c >= 0) { g.setAttribute('data-call', n.c); }
    if (n.L.length) { g.setAttribute('data-layers', n.L.join(' ')); }
    var shape;
    if (n.k === 'OP') {
      shape = el('rect', {'class': 'shape k-OP', rx: n.h / 2, ry: n.h / 2}, g);
    } else if (n.k === 'INPUT' || n.k === 'OUTPUT') {
      shape = el('ellipse', {'class': 'shape k-' + n.k}, g);
    } else if (n.k === 'PARAMETER') {
      shape = el('polygon', {'class': 'shape k-PARAMETER'}, g);
    } else {
      shape = el('rect', {'class': 'shape k-' + n.k, rx: 3, ry: 3}, g);
    }
    var tip = n.t + '\n' + n.d + (n.tt ? '\n' + n.tt : '');
    var w = n.m !== undefined ? widths(n.m) : null;
    if (w && D.outcome) {
      tip += '\n' + w.name + ' ' + JSON.stringify(w.before) + ' -> ' + JSON.stringify(w.after);
    }
    el('title', {}, g).textContent = tip;
    var t1 = el('text', {'class': 't', x: 9, y: 14}, g);
    t1.textContent = n.k === 'INPUT' || n.k === 'OUTPUT' ? '' : n.t;
    var t2 = el('text', {'class': 'd', x: 9, y: 27}, g);
    t2.textContent = n.d;
    var rec = {g: g, shape: shape, node: n, t1: t1, t2: t2};
    if (n.k === 'COMPOUND') {
      rec.toggle = el('text', {'class': 'toggle', y: 14}, g);
      rec.inner = buildScope(n.c, g);
    }
    if (n.k === 'MODULE' && w && w.before.length && D.outcome) {
      rec.barBg = el('rect', {height: 3, fill: '#ddd'}, g);
      rec.bar = el('rect', {height: 3, fill: '#555'}, g);
      rec.frac = w.before[0] ? w.after[0] / w.before[0] : 1;
    }
    g.addEventListener('click', function (ev) {
      ev.stopPropagation();
      if (n.k === 'COMPOUND') {
        if (expanded.has(n.c)) { expanded.delete(n.c); } else { expanded.add(n.c); }
        relayout();
      } else {
        selectFor(n.L);
      }
    });
    nodeEls[n.id] = rec;
  }

  // ---- layout: each scope was laid out by ELK with its compounds closed; an open compound
  // inserts space to the right of and below its box, which keeps orthogonal edges orthogonal.
  function shift(cuts, v) {
    var r = v;
    for (var i = 0; i < cuts.length; i++) { if (cuts[i][0] <= v + 0.01) { r += cuts[i][1]; } }
    return r;
  }

  function layout(sid) {
    var s = D.scopes[sid];
    var xc = [], yc = [], inner = {};
    s.nodes.forEach(function (n) {
      if (n.k === 'COMPOUND' && expanded.has(n.c)) {
        var size = layout(n.c);
        inner[n.id] = size;
        var dx = Math.max(0, size.w + 2 * PAD - n.w), dy = Math.max(0, size.h + HEAD + PAD - n.h);
        if (dx > 0) { xc.push([n.x + n.w, dx]); }
        if (dy > 0) { yc.push([n.y + n.h, dy]); }
      }
    });
    var boxes = {};
    s.nodes.forEach(function (n) {
      var b;
      if (inner[n.id]) {
        b = {x: shift(xc, n.x), y: shift(yc, n.y)};
        b.w = shift(xc, n.x + n.w) - b.x;
        b.h = shift(yc, n.y + n.h) - b.y;
      } else {
        var cx = shift(xc, n.x + n.w / 2), cy = shift(yc, n.y + n.h / 2);
        b = {x: cx - n.w / 2, y: cy - n.h / 2, w: n.w, h: n.h};
      }
      boxes[n.id] = b;
      place(nodeEls[n.id], b, inner[n.id]);
    });
    scopeEls[sid].edges.forEach(function (r) {
      var e = r.e, src = nodeOf(s, e.s), dst = nodeOf(s, e.t);
      var pts = e.p.map(function (p) { return [shift(xc, p[0]), shift(yc, p[1])]; });
      attach(pts[0], e.p[0], src, boxes[e.s]);
      attach(pts[pts.length - 1], e.p[e.p.length - 1], dst, boxes[e.t]);
      var d = 'M' + pts[0][0] + ',' + pts[0][1];
      for (var i = 1; i < pts.length; i++) {
        var a = pts[i - 1], c = pts[i];
        if (Math.abs(a[0] - c[0]) > 0.5 && Math.abs(a[1] - c[1]) > 0.5) {
          var my = (a[1] + c[1]) / 2;   // a jog keeps the segment orthogonal
          d += ' L' + a[0] + ',' + my + ' L' + c[0] + ',' + my;
        }
        d += ' L' + c[0] + ',' + c[1];
      }
      r.el.setAttribute('d', d);
    });
    return {w: shift(xc, s.w), h: shift(yc, s.h)};
  }

  function nodeOf(scope, id) {
    for (var i = 0; i < scope.nodes.length; i++) { if (scope.nodes[i].id === id) { return scope.nodes[i]; } }
    return null;
  }

  /** Puts an edge end back on the side of its node's (moved or opened) box it started on. */
  function attach(pt, orig, n, b) {
    if (!n || !b) { return; }
    var clampX = function (x) { return Math.min(Math.max(x, b.x + 2), b.x + b.w - 2); };
    var clampY = function (y) { return Math.min(Math.max(y, b.y + 2), b.y + b.h - 2); };
    if (Math.abs(orig[1] - (n.y + n.h)) < 1) { pt[1] = b.y + b.h; pt[0] = clampX(pt[0]); }
    else if (Math.abs(orig[1] - n.y) < 1) { pt[1] = b.y; pt[0] = clampX(pt[0]); }
    else if (Math.abs(orig[0] - n.x) < 1) { pt[0] = b.x; pt[1] = clampY(pt[1]); }
    else if (Math.abs(orig[0] - (n.x + n.w)) < 1) { pt[0] = b.x + b.w; pt[1] = clampY(pt[1]); }
  }

  function place(rec, b, innerSize) {
    var n = rec.node;
    rec.g.setAttribute('transform', 'translate(' + b.x + ',' + b.y + ')');
    var s = rec.shape;
    if (n.k === 'INPUT' || n.k === 'OUTPUT') {
      s.setAttribute('cx', b.w / 2); s.setAttribute('cy', b.h / 2);
      s.setAttribute('rx', b.w / 2); s.setAttribute('ry', b.h / 2);
      rec.t2.setAttribute('x', 12); rec.t2.setAttribute('y', b.h / 2 + 4);
    } else if (n.k === 'PARAMETER') {
      var h = b.h, w = b.w;
      s.setAttribute('points', [[0, h / 2], [8, 0], [w - 8, 0], [w, h / 2], [w - 8, h], [8, h]]
        .map(function (p) { return p.join(','); }).join(' '));
    } else {
      s.setAttribute('width', b.w); s.setAttribute('height', b.h);
    }
    if (rec.toggle) {
      var open = !!innerSize;
      rec.toggle.textContent = open ? '\u229f' : '\u229e';
      rec.toggle.setAttribute('x', b.w - 16);
      s.setAttribute('class', 'shape k-COMPOUND' + (open ? ' frame' : '') + hlClass(rec));
      rec.t2.setAttribute('class', open ? 'd hidden' : 'd');
      rec.inner.setAttribute('class', open ? 'scope' : 'scope hidden');
      if (open) {
        var ox = Math.max(PAD, (b.w - innerSize.w) / 2);
        rec.inner.setAttribute('transform', 'translate(' + ox + ',' + HEAD + ')');
      }
    }
    if (rec.bar) {
      rec.barBg.setAttribute('x', 4); rec.barBg.setAttribute('y', b.h - 5);
      rec.barBg.setAttribute('width', b.w - 8);
      rec.bar.setAttribute('x', 4); rec.bar.setAttribute('y', b.h - 5);
      rec.bar.setAttribute('width', Math.max(0, (b.w - 8) * rec.frac));
    }
  }

  function hlClass(rec) { return rec.hl ? ' ' + rec.hl : ''; }

  function relayout() {
    var size = layout(-1);
    svg.setAttribute('width', Math.ceil(size.w) + 4);
    svg.setAttribute('height', Math.ceil(size.h) + 4);
  }

  // ---- groups ----
  function selectFor(layers) {
    var best = -1, bestRank = 9;
    D.groups.forEach(function (g) {
      layers.forEach(function (l) {
        var r = {OUTPUT: 0, INPUT: 1, STATE: 2}[g.layers[l]];
        if (r !== undefined && r < bestRank) { best = g.id; bestRank = r; }
      });
    });
    if (best >= 0) { select(best); }
  }

  function select(gid) {
    selected = gid;
    var g = D.groups[gid];
    Object.keys(nodeEls).forEach(function (id) {
      var rec = nodeEls[id], n = rec.node, role = null;
      n.L.forEach(function (l) {
        var r = g.layers[l];
        if (r && (role === null || r === 'OUTPUT')) { role = r; }
      });
      rec.hl = role === null ? null : n.k === 'COMPOUND' ? 'hl-sub' : role === 'OUTPUT' ? 'hl' : 'hl-in';
      var base = rec.shape.getAttribute('class').replace(/ hl(-in|-sub)?/g, '');
      rec.shape.setAttribute('class', base + hlClass(rec));
      rec.shape.style.stroke = rec.hl ? color(gid) : '';
      rec.shape.style.fill = rec.hl === 'hl' ? light(gid) : '';
      rec.g.classList.toggle('selected', !!rec.hl);
    });
    Object.keys(groupItems).forEach(function (k) {
      groupItems[k].classList.toggle('sel', Number(k) === gid);
    });
    renderDetail(g);
  }

  function buildGroupList() {
    var list = document.getElementById('groups');
    D.groups.forEach(function (g) {
      var it = html('div', {'class': 'grp', 'data-group': g.id}, list);
      html('span', {'class': 'sw', style: 'background:' + color(g.id)}, it);
      html('span', {}, it, 'G' + g.id);
      html('code', {}, it, g.leader.replace(/\.weight$/, ''));
      html('span', {'class': 'muted'}, it, D.outcome ? g.kept + '/' + g.size : String(g.size));
      html('span', {'class': 'tag ' + (g.exact ? 'exact' : 'inex')}, it, g.exact ? 'exact' : 'inexact');
      it.title = g.headline;
      it.addEventListener('click', function () { select(g.id); });
      groupItems[g.id] = it;
    });
    document.getElementById('gq').addEventListener('input', function () {
      var q = this.value.toLowerCase();
      D.groups.forEach(function (g) {
        var text = (g.leader + ' ' + g.headline + ' ' + Object.keys(g.layers).join(' ')).toLowerCase();
        groupItems[g.id].style.display = text.indexOf(q) >= 0 ? '' : 'none';
      });
    });
  }

  function wbar(before, after, max) {
    var span = html('span', {'class': 'wbar', style: 'width:' + Math.max(4, 120 * before / max) + 'px'});
    html('i', {style: 'width:' + (before ? 100 * after / before : 0) + '%'}, span);
    return span;
  }

  function renderDetail(g) {
    var d = document.getElementById('detail');
    d.innerHTML = '';
    var h = html('h2', {}, d);
    html('span', {'class': 'sw', style: 'background:' + color(g.id)}, h);
    h.appendChild(document.createTextNode(' Group ' + g.id + ' '));
    html('code', {}, h, g.leader);
    html('span', {'class': 'tag ' + (g.exact ? 'exact' : 'inex')}, h, g.exact ? 'exact' : 'inexact');
    html('p', {}, d).appendChild(html('b', {}, null, g.headline));
    if (D.outcome) {
      html('p', {}, d, 'Kept ' + g.kept + ' of ' + g.size + ' channels, removed ' + (g.size - g.kept) + '.');
    }
    if (g.heads) {
      var hd = g.heads, names = hd.branches === 3 ? ' (q, k, v)' : '';
      var p = html('p', {}, d);
      p.textContent = 'Attention: the reshape splits ' + hd.branches + names + ' x ' + hd.count +
        ' heads x ' + hd.dim + ' head_dim = ' + (hd.branches * hd.count * hd.dim) +
        ' output rows (' + hd.branches * hd.count + ' blocks of ' + hd.dim + '). A unit is one ' +
        'head_dim position taken from every block, or a whole head.';
      if (D.outcome) {
        html('p', {}, d, 'Kept ' + (hd.count - hd.removed.length) + ' of ' + hd.count + ' heads' +
          (hd.removed.length ? ' (removed heads ' + hd.removed.join(', ') + ')' : '') +
          ', ' + hd.keptDim + ' of ' + hd.dim + ' head_dim positions in each kept head: ' +
          hd.branches + ' x ' + (hd.count - hd.removed.length) + ' x ' + hd.keptDim + ' = ' +
          (hd.branches * (hd.count - hd.removed.length) * hd.keptDim) + ' rows left.');
      }
      html('p', {'class': 'muted'}, d, 'from ' + hd.source);
    }
    var plain = g.kinds.length === 1 && Object.keys(g.kinds[0].slices).every(function (k) {
      return g.kinds[0].slices[k] === 1;
    });
    if (!plain) {   // one kind taking one slice of each member: the members table says it all
      html('h3', {}, d, 'Channel kinds (slices each channel takes)');
      var kt = html('table', {}, d), tr = html('tr', {}, kt);
      html('th', {}, tr, 'kind'); html('th', {'class': 'n'}, tr, 'channels');
      html('th', {}, tr, 'slices per channel');
      g.kinds.forEach(function (k) {
        var r = html('tr', {}, kt);
        html('td', {}, r, k.name || '-'); html('td', {'class': 'n'}, r, fmt(k.count));
        html('td', {'class': 'm'}, r, Object.keys(k.slices).map(function (s) {
          return s.replace(/ (OUTPUT|INPUT|STATE)$/, '') + ' x' + k.slices[s];
        }).join(', '));
      });
      html('h3', {}, d, 'How the slices add up');
      g.sums.forEach(function (s) { html('div', {'class': 'sum'}, d, s); });
    }
    html('h3', {}, d, D.outcome ? 'What each tensor loses' : 'Members');
    var mt = html('table', {}, d), hr = html('tr', {}, mt);
    ['parameter', 'role', D.outcome ? 'before \u2192 after' : 'size', D.outcome ? 'lost' : 'slices']
      .forEach(function (t) { html('th', {}, hr, t); });
    var max = Math.max.apply(null, g.members.map(function (m) { return m.before; }));
    g.members.forEach(function (m) {
      var r = html('tr', {}, mt);
      html('td', {'class': 'm'}, r, m.param + '[' + m.dim + ']');
      html('td', {'class': m.role}, r, m.role.toLowerCase());
      var c = html('td', {'class': 'm w'}, r);
      if (D.outcome) {
        c.appendChild(wbar(m.before, m.after, max));
        c.appendChild(document.createTextNode(' ' + m.before + ' \u2192 ' + m.after + ' ' + m.unit));
        html('td', {'class': 'n'}, r, m.removed + ' of ' + m.slices);
      } else {
        c.textContent = m.before + ' ' + m.unit;
        html('td', {'class': 'n'}, r, String(m.slices));
      }
    });
    if (g.hist) { histogram(d, g); }
    if (D.outcome) {
      html('h3', {}, d, 'Kept and removed channels (group indices)');
      html('div', {'class': 'sum'}, d, 'kept: ' + (g.keptIdx || 'none'));
      html('div', {'class': 'sum'}, d, 'removed: ' + (g.removedIdx || 'none'));
    }
    g.constraints.forEach(function (c) { html('div', {'class': 'sum'}, d, 'constraint: ' + c); });
    g.reasons.forEach(function (c) { html('div', {}, d, 'inexact: ' + c); });
  }

  function histogram(d, g) {
    var hs = g.hist, n = hs.kept.length, W = 360, H = 90, bw = W / n;
    html('h3', {}, d, 'Importance of its channels (first step)');
    var top = 1;
    for (var i = 0; i < n; i++) { top = Math.max(top, hs.kept[i] + hs.removed[i]); }
    var s = el('svg', {width: W, height: H + 26, 'class': 'hist'}, d);
    for (var j = 0; j < n; j++) {
      var kh = H * hs.kept[j] / top, rh = H * hs.removed[j] / top;
      el('rect', {x: j * bw + 1, y: H - rh, width: bw - 2, height: rh, fill: '#c0392b'}, s);
      el('rect', {x: j * bw + 1, y: H - rh - kh, width: bw - 2, height: kh, fill: '#4a6fa5'}, s);
    }
    el('line', {x1: 0, y1: H, x2: W, y2: H, stroke: '#999'}, s);
    var lo = el('text', {x: 0, y: H + 12, 'font-size': 10}, s); lo.textContent = Number(hs.lo).toPrecision(3);
    var hi = el('text', {x: W, y: H + 12, 'font-size': 10, 'text-anchor': 'end'}, s); hi.textContent = Number(hs.hi).toPrecision(3);
    var k = el('text', {x: 0, y: H + 24, 'font-size': 10}, s);
    k.textContent = 'blue: kept, red: removed; peak ' + top + ' channels' + (hs.locked ? '; ' + hs.locked + ' locked (ignored)' : '');
  }

  // ---- layers table ----
  function buildLayers() {
    var host = document.getElementById('layers');
    var t = html('table', {'class': 'layers'}, host), hr = html('tr', {}, t);
    ['layer', 'type', 'out', 'in', 'params'].forEach(function (x) { html('th', {}, hr, x); });
    var max = 1;
    Object.keys(D.layers).forEach(function (k) {
      D.layers[k].params.forEach(function (p) { p.before.slice(0, 2).forEach(function (v) { max = Math.max(max, v); }); });
    });
    Object.keys(D.layers).forEach(function (k) {
      var l = D.layers[k], w = widths(k), r = html('tr', {'data-layer': k}, t);
      html('td', {'class': 'm'}, r, k); html('td', {}, r, l.type);
      [0, 1].forEach(function (dim) {
        var c = html('td', {'class': 'm'}, r);
        if (w && w.before.length > dim) {
          c.appendChild(wbar(w.before[dim], w.after[dim], max));
          c.appendChild(document.createTextNode(' ' + w.before[dim] + (D.outcome ? ' \u2192 ' + w.after[dim] : '')));
        }
      });
      var pb = 0, pa = 0;
      l.params.forEach(function (p) {
        pb += p.before.reduce(function (a, b) { return a * b; }, 1);
        pa += p.after.reduce(function (a, b) { return a * b; }, 1);
      });
      html('td', {'class': 'n'}, r, fmt(pb) + (D.outcome ? ' \u2192 ' + fmt(pa) : ''));
    });
  }

  // ---- start ----
  function hashArgs() {
    var out = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      if (!kv) { return; }
      var i = kv.indexOf('=');
      out[decodeURIComponent(i < 0 ? kv : kv.slice(0, i))] = i < 0 ? '' : decodeURIComponent(kv.slice(i + 1));
    });
    return out;
  }

  function setAll(open) {
    Object.keys(D.scopes).forEach(function (k) {
      if (Number(k) >= 0) { if (open) { expanded.add(Number(k)); } else { expanded.delete(Number(k)); } }
    });
    if (!open) { D.expanded.forEach(function (k) { if (D.scopes[k] && isRootCall(k)) { expanded.add(k); } }); }
    relayout();
  }
  function isRootCall(k) {
    return D.scopes[-1].nodes.some(function (n) { return n.c === k; });
  }

  buildScope(-1, svg);
  buildGroupList();
  buildLayers();
  var args = hashArgs();
  if (args.expand === 'all') {
    Object.keys(D.scopes).forEach(function (k) { if (Number(k) >= 0) { expanded.add(Number(k)); } });
  } else if (args.expand) {
    var want = args.expand.split(',');
    Object.keys(nodeEls).forEach(function (id) {
      var n = nodeEls[id].node;
      if (n.k === 'COMPOUND' && want.indexOf(n.m) >= 0) { expanded.add(n.c); }
    });
  }
  relayout();
  document.getElementById('expandAll').addEventListener('click', function () { setAll(true); });
  document.getElementById('collapseAll').addEventListener('click', function () { setAll(false); });
  document.getElementById('oq').addEventListener('input', function () {
    var q = this.value.toLowerCase();
    document.querySelectorAll('#ops tr.op').forEach(function (r) {
      r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
  if (args.group !== undefined && D.groups[Number(args.group)]) {
    select(Number(args.group));
  } else if (D.groups.length) {
    select(0);
  }
  if (args.focus) {
    Object.keys(nodeEls).forEach(function (id) {
      var rec = nodeEls[id], box, canvas = document.getElementById('canvas');
      if (rec.node.m === args.focus) {
        box = rec.g.getBoundingClientRect();
        var c = canvas.getBoundingClientRect();
        canvas.scrollTop += box.top - c.top - 20;
        canvas.scrollLeft += Math.max(0, box.left - c.left - 20);
      }
    });
  }
  if (args.selfcheck !== undefined) {
    var hl = [];
    document.querySelectorAll('#svg g.node').forEach(function (g) {
      var s = g.querySelector('.shape');
      if (s && /(^|\s)hl(-in)?(\s|$)/.test(s.getAttribute('class'))) { hl.push(g.getAttribute('data-layers') || ''); }
    });
    var pre = html('pre', {id: 'selfcheck'}, document.body);
    pre.textContent = JSON.stringify({errors: errors, selected: selected, highlighted: hl,
      modules: document.querySelectorAll('#svg g.node[data-module]').length,
      width: svg.getAttribute('width'), height: svg.getAttribute('height')});
  }
})();
