/* fitscope compare page and hyperparameter view: shared by the dashboard and the offline
 * HTML of `fitscope compare --html`. Data reach the DOM through textContent (fsEl) or as
 * plotly text (fsPlotText); never innerHTML. Needs charts.js. */
"use strict";

const FS_DASH = { train: "solid", val: "dash", validation: "dash", test: "dot" };

function fsNum(v, digits) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(digits || 4);
}

function fsP(v) {
  if (v === null || v === undefined) return "–";
  return v < 1e-4 ? "<0.0001" : v.toFixed(4);
}

/* The significance table: one block per pair (every run against the first). */
function fsRenderSignificance(el, pairs, reason) {
  el.replaceChildren();
  if (!pairs || !pairs.length) {
    el.appendChild(fsEl("p", { class: "muted", id: "significance-reason" },
      reason || "No prediction snapshots to compare on this split."));
    return;
  }
  for (const pair of pairs) {
    const n = pair.paired ? "paired, n = " + pair.n + " (" + pair.pairing + ")"
      : pair.pairing + ", n = " + pair.n[0] + " and " + pair.n[1];
    el.appendChild(fsEl("h4", null, pair.a_run.name + " (A) vs " + pair.b_run.name + " (B) on " + pair.split));
    el.appendChild(fsEl("p", { class: "muted" }, n + "; correction: " + pair.correction + "; " + (pair.method || "")));
    const table = fsEl("table", { class: "significance" });
    const head = fsEl("tr");
    for (const h of ["metric", "A", "B", "B − A", "95% interval", "p", "test", "verdict"]) head.appendChild(fsEl("th", null, h));
    table.appendChild(head);
    for (const r of pair.metrics) {
      const tr = fsEl("tr", { "data-metric": r.metric, "data-verdict": r.verdict || "" });
      if (r.skipped) {
        for (const v of [r.metric, "–", "–", "–", "–", "–", r.skipped, "–"]) tr.appendChild(fsEl("td", null, v));
      } else {
        const cells = [r.metric, fsNum(r.a), fsNum(r.b), fsNum(r.difference, 3),
          "[" + fsNum(r.ci_low, 3) + ", " + fsNum(r.ci_high, 3) + "]", fsP(r.p_value), r.test];
        for (const v of cells) tr.appendChild(fsEl("td", null, v));
        tr.appendChild(fsEl("td", { class: "verdict verdict-" + String(r.verdict).replace(/[^a-z_]/g, "") }, r.verdict_text));
      }
      table.appendChild(tr);
    }
    el.appendChild(table);
  }
}

/* Config keys of the runs: only those that differ, unless showAll. */
function fsRenderConfigDiff(el, diff) {
  el.replaceChildren();
  const table = fsEl("table", { class: "config-diff" });
  const head = fsEl("tr");
  head.appendChild(fsEl("th", null, "key"));
  for (const r of diff.runs) head.appendChild(fsEl("th", null, r.name));
  table.appendChild(head);
  for (const k of diff.keys) {
    const tr = fsEl("tr", { "data-key": k });
    tr.appendChild(fsEl("td", null, k));
    for (const r of diff.runs) tr.appendChild(fsEl("td", null, r.values[k] === null || r.values[k] === undefined ? "–" : String(r.values[k])));
    table.appendChild(tr);
  }
  el.appendChild(table);
  if (!diff.keys.length) el.appendChild(fsEl("p", { class: "muted" }, "The runs' configs are identical."));
  if (diff.hidden) el.appendChild(fsEl("p", { class: "muted", id: "config-hidden" }, diff.hidden + " equal key(s) hidden."));
}

/* One chart per metric: every run (colour) and split (dash) together. */
function fsDrawCompareCharts(root, charts, opts) {
  const runs = [];
  for (const c of charts) for (const s of c.series) if (!runs.includes(s.run_id)) runs.push(s.run_id);
  // Every box first, then the charts: a grid cell's width is known only once all cells exist.
  const boxes = charts.map((chart, i) => {
    let el = document.getElementById("compare-chart-" + i);
    if (!el) { el = fsEl("div", { class: "chart", id: "compare-chart-" + i }); root.appendChild(el); }
    return el;
  });
  charts.forEach((chart, i) => {
    const el = boxes[i];
    el.setAttribute("data-metric", chart.metric);
    const traces = chart.series.map((s) => ({
      x: s.x, y: s.y, type: "scatter", mode: s.x.length <= 30 ? "lines+markers" : "lines",
      name: fsPlotText(s.run_name + " · " + s.split),
      line: { color: fsColor("", runs.indexOf(s.run_id)), dash: FS_DASH[s.split] || "dashdot", width: 2 },
      meta: { role: "run", run: s.run_id, split: s.split },
    }));
    if (chart.baseline !== null && chart.baseline !== undefined) {
      const xs = chart.series.flatMap((s) => (s.x.length ? [s.x[0], s.x[s.x.length - 1]] : []));
      if (xs.length) traces.push({ x: [Math.min(...xs), Math.max(...xs)], y: [chart.baseline, chart.baseline],
        mode: "lines", type: "scatter", name: "no-skill baseline", line: { color: "#555", dash: "dash", width: 1.5 },
        meta: { role: "baseline" } });
    }
    Plotly.react(el, traces, Object.assign(fsChartLayout(chart, opts), { height: 340 }), FS_PLOT_CONFIG);
  });
  root.setAttribute("data-drawn", String(charts.length));
}

/* Viridis, 12 stops (plotly's colorscale sampled): the colour bins of the parallel plot. */
const FS_VIRIDIS = ["#440154", "#482173", "#433e85", "#38588c", "#2d708e", "#25858e",
  "#1e9b8a", "#2ab07f", "#52c569", "#86d549", "#c2df23", "#fde725"];

/* Parallel coordinates: chosen config keys and the best validation metric (colour = metric).
 * Drawn as 12 SVG line traces (one per colour bin, runs separated by gaps), not plotly's
 * WebGL "parcoords": without a GPU (headless, remote desktops) parcoords took 9-13 s for 1,000
 * runs here against 0.2-0.7 s for this (bench/parallel_coords.py). Each axis is scaled to its
 * own [min, max]; category keys get one tick per value. */
function fsDrawParallel(el, hp, keys) {
  const runs = hp.runs.filter((r) => r.value !== null && r.value !== undefined);
  const axes = keys.map((k) => {
    const vals = runs.map((r) => r.config[k]);
    if (vals.every((v) => typeof v === "number")) {
      const lo = Math.min(...vals), hi = Math.max(...vals);
      return { label: k, pos: vals.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5)),
        ticks: [[0, lo], [1, hi]].filter((t, i) => i === 0 || hi > lo) };
    }
    const text = vals.map((v) => (v === null || v === undefined ? "–" : String(v)));
    const cats = [...new Set(text)].sort();
    const at = (c) => (cats.length > 1 ? cats.indexOf(c) / (cats.length - 1) : 0.5);
    return { label: k, pos: text.map(at), ticks: cats.map((c) => [at(c), c]) };
  });
  const values = runs.map((r) => r.value);
  const lo = Math.min(...values), hi = Math.max(...values);
  const label = "best val " + hp.metric;
  axes.push({ label: label, pos: values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5)),
    ticks: [[0, lo], [1, hi]] });
  // Bright = best: for a lower-is-better metric the colour runs the other way.
  const good = values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5)).map((t) => (hp.higher_is_better === false ? 1 - t : t));
  const bins = FS_VIRIDIS.length;
  const traces = FS_VIRIDIS.map((c) => ({ type: "scatter", mode: "lines", x: [], y: [], hoverinfo: "skip",
    line: { color: c, width: 1.2 }, opacity: 0.7, showlegend: false, meta: { role: "parallel" } }));
  runs.forEach((r, i) => {
    const t = traces[Math.min(bins - 1, Math.floor(good[i] * bins))];
    axes.forEach((a, j) => { t.x.push(j); t.y.push(a.pos[i]); });
    t.x.push(null); t.y.push(null);
  });
  const shown = traces.filter((t) => t.x.length);
  shown.push({ type: "scatter", mode: "markers", x: [0], y: [0], hoverinfo: "skip", showlegend: false,
    marker: { size: 0.1, opacity: 0, color: [lo, hi], cmin: lo, cmax: hi, colorscale: "Viridis",
      reversescale: hp.higher_is_better === false, showscale: true,
      colorbar: { title: { text: fsPlotText(hp.metric) } } }, meta: { role: "colorbar" } });
  const annotations = [];
  axes.forEach((a, j) => {
    for (const [y, v] of a.ticks) {
      annotations.push({ x: j, y: y, text: fsPlotText(fsNum(v)), showarrow: false, xanchor: "right",
        xshift: -4, font: { size: 10, color: "#444" } });
    }
  });
  if (hp.baseline !== null && hp.baseline !== undefined && hi > lo) {
    const y = (hp.baseline - lo) / (hi - lo);
    annotations.push({ x: axes.length - 1, y: Math.max(-0.05, Math.min(1.05, y)), xanchor: "left", xshift: 6,
      text: "no-skill " + fsPlotText(fsNum(hp.baseline)), showarrow: false, font: { size: 10, color: "#c62828" } });
  }
  const shapes = axes.map((_, j) => ({ type: "line", x0: j, x1: j, y0: 0, y1: 1, line: { color: "#888", width: 1 } }));
  el.setAttribute("data-runs", String(runs.length));
  el.setAttribute("data-axes", JSON.stringify(axes.map((a) => a.label)));
  return Plotly.react(el, shown, {
    height: 440, margin: { l: 70, r: 40, t: 60, b: 40 }, shapes: shapes, annotations: annotations,
    title: { text: fsPlotText(runs.length + " runs: config vs best validation " + hp.metric) },
    xaxis: { tickvals: axes.map((_, j) => j), ticktext: axes.map((a) => fsPlotText(a.label)), side: "top",
      range: [-0.4, axes.length - 0.6], showgrid: false, zeroline: false, fixedrange: true },
    yaxis: { visible: false, range: [-0.08, 1.08], fixedrange: true },
    modebar: { remove: ["sendChartToCloud", "sendDataToCloud"] },
  }, FS_PLOT_CONFIG);
}

/* The hyperparameter table: config keys as columns, sortable, filterable per key. */
function fsRenderParamTable(el, hp, keys, state, onChange) {
  el.replaceChildren();
  const filters = state.filters || {};
  const shown = hp.runs.filter((r) => keys.every((k) => {
    const f = (filters[k] || "").trim();
    if (!f) return true;
    const v = r.config[k];
    const m = f.match(/^(<=|>=|<|>|=)\s*(-?[\d.eE+-]+)$/);
    if (m && typeof v === "number") {
      const t = Number(m[2]);
      return { "<": v < t, ">": v > t, "<=": v <= t, ">=": v >= t, "=": v === t }[m[1]];
    }
    return String(v === undefined || v === null ? "" : v).toLowerCase().includes(f.toLowerCase());
  }));
  const key = state.sort || "value", sign = state.desc ? -1 : 1;
  const get = (r) => (key === "value" ? r.value : key === "name" ? r.name : r.config[key]);
  shown.sort((a, b) => {
    const x = get(a), y = get(b);
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
  const table = fsEl("table", { class: "runs params", id: "params-table" });
  const head = fsEl("tr");
  const filterRow = fsEl("tr", { class: "filters" });
  for (const k of ["name", ...keys, "value"]) {
    const label = k === "value" ? "best val " + hp.metric : k;
    const th = fsEl("th", { "data-key": k }, label);
    if (k === key) th.className = state.desc ? "sorted-desc" : "sorted-asc";
    th.addEventListener("click", () => { state.desc = state.sort === k ? !state.desc : false; state.sort = k; onChange(); });
    head.appendChild(th);
    const fcell = fsEl("th");
    if (k !== "name" && k !== "value") {
      const input = fsEl("input", { type: "search", class: "param-filter", "data-key": k, placeholder: "filter: text, <0.1, >=3" });
      input.value = filters[k] || "";
      input.addEventListener("change", () => { filters[k] = input.value; state.filters = filters; onChange(); });
      fcell.appendChild(input);
    }
    filterRow.appendChild(fcell);
  }
  table.append(head, filterRow);
  for (const r of shown) {
    const tr = fsEl("tr", { class: "param-row", "data-id": r.id });
    tr.appendChild(fsEl("td", null, r.name));
    for (const k of keys) tr.appendChild(fsEl("td", null, r.config[k] === undefined || r.config[k] === null ? "–" : String(r.config[k])));
    tr.appendChild(fsEl("td", null, fsNum(r.value)));
    table.appendChild(tr);
  }
  el.appendChild(table);
  return shown;
}
