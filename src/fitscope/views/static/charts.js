/* fitscope charts: shared by the dashboard and the self-contained HTML report.
 * Every user string reaches the page through textContent or plotly's own escaping; this file
 * never writes innerHTML with data. */
"use strict";

const FS_COLORS = { train: "#1f77b4", val: "#ff7f0e", test: "#2ca02c" };
const FS_EXTRA = ["#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

function fsColor(name, i) {
  return FS_COLORS[name] || FS_EXTRA[i % FS_EXTRA.length];
}

/* Every chart's plotly config. plotly.js 3 shows a "Share chart..." button by default that
 * uploads the chart to a cloud service: off (and removed by name), nothing leaves the machine. */
const FS_PLOT_CONFIG = Object.freeze({
  displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false,
  showLink: false, modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud"],
});
if (typeof Plotly !== "undefined" && Plotly.setPlotConfig) {
  Plotly.setPlotConfig({ showSendToCloud: false, showEditInChartStudio: false, showLink: false });
}

/* The smoothing weights the sliders step through (views.downsample.SMOOTHING_STEPS). */
const FS_SMOOTHING_STEPS = [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99];

/* EMA with TensorBoard's debiasing: s = w*s + (1-w)*y, shown as s / (1 - w^n) over the n
 * finite points so far; non-finite points (null) are skipped and stay null. */
function fsEma(values, weight) {
  const out = new Array(values.length);
  let last = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) { out[i] = null; continue; }
    last = last * weight + (1 - weight) * v;
    n += 1;
    const debias = 1 - Math.pow(weight, n);
    out[i] = debias > 0 ? last / debias : v;
  }
  return out;
}

/* plotly reads text as pseudo-HTML (<b>, <a href>, entities): user strings are entity-escaped
 * so a run, metric or split name shows exactly as typed. */
function fsPlotText(value) {
  return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fsEl(tag, attrs, text) {
  const el = document.createElement(tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

function fsFmt(v, digits) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(digits || 4);
}

const FS_AXIS_TITLE = { step: "step", epoch: "epoch", time: "wall time (s)" };

/* The traces of one metric chart. opts: {smoothing: 0..0.999 or 0, x: "step"|...}. */
/* The smoothed line of a series: the server's EMA of the whole series at the drawn points
 * (s.smoothed["0.6"]...). A series drawn in full may be smoothed here, the same formula; a
 * downsampled one never is (an EMA of its kept minima and maxima follows their midpoint). */
function fsSmoothed(s, weight) {
  const key = String(weight);
  if (s.smoothed && s.smoothed[key]) return { y: s.smoothed[key], weight: weight };
  if (s.n_total === s.n_shown) return { y: fsEma(s.y, weight), weight: weight };
  // The slider moved and the server's line for the new weight is on its way: keep drawing the
  // line of the weight already here (a downsampled series is never smoothed in the browser),
  // so the smoothed line does not vanish while the new one loads.
  const have = s.smoothed ? Object.keys(s.smoothed) : [];
  return have.length ? { y: s.smoothed[have[0]], weight: Number(have[0]) } : null;
}

/* What a legend and a hover call a series: the key as the user wrote it ("val/loss",
 * "Loss/val"), else its split (views.data.series_data's "label"). */
function fsSeriesLabel(s) {
  return s.label !== undefined && s.label !== null ? s.label : s.split;
}

function fsChartTraces(chart, opts) {
  const traces = [];
  const smooth = opts.smoothing > 0;
  let yMax = -Infinity;
  chart.series.forEach((s, i) => {
    const color = fsColor(s.split, i);
    const label = fsPlotText(fsSeriesLabel(s));
    for (const v of s.y) if (v !== null && v > yMax) yMax = v;
    traces.push({
      x: s.x, y: s.y, name: label + (smooth ? " (raw)" : ""), type: "scatter",
      mode: s.x.length <= 30 ? "lines+markers" : "lines",
      line: { color: color, width: smooth ? 1 : 2 }, opacity: smooth ? 0.25 : 1,
      legendgroup: s.split, showlegend: !smooth, meta: { role: "raw", split: s.split },
    });
    const smoothed = smooth ? fsSmoothed(s, opts.smoothing) : null;
    if (smoothed) {
      traces.push({
        x: s.x, y: smoothed.y, name: label, mode: "lines", type: "scatter",
        line: { color: color, width: 2 }, legendgroup: s.split,
        meta: { role: "smoothed", split: s.split, weight: smoothed.weight },
      });
    }
  });
  // The best point of the validation split (else the first split that has one).
  const ranked = chart.series.slice().sort((a, b) =>
    (a.split === "val" ? 0 : 1) - (b.split === "val" ? 0 : 1));
  const withBest = ranked.find((s) => s.best);
  if (withBest) {
    traces.push({
      x: [withBest.best.x], y: [withBest.best.y], mode: "markers", type: "scatter",
      name: "best " + fsPlotText(fsSeriesLabel(withBest)) + " (step " + withBest.best.step + ")",
      marker: { symbol: "star", size: 14, color: "#d62728", line: { color: "#000", width: 1 } },
      meta: { role: "best" },
    });
  }
  if (chart.baseline !== null && chart.baseline !== undefined) {
    const xs = chart.series.flatMap((s) => (s.x.length ? [s.x[0], s.x[s.x.length - 1]] : []));
    if (xs.length) {
      traces.push({
        x: [Math.min(...xs), Math.max(...xs)], y: [chart.baseline, chart.baseline],
        mode: "lines", type: "scatter", name: "no-skill baseline",
        line: { color: "#555", dash: "dash", width: 1.5 }, meta: { role: "baseline" },
      });
    }
  }
  const bad = chart.series.flatMap((s) => s.nonfinite.map((p) => ({ p: p, split: fsSeriesLabel(s) })));
  if (bad.length) {
    const top = Number.isFinite(yMax) ? yMax : 1;
    traces.push({
      x: bad.map((b) => b.p.x), y: bad.map(() => top), mode: "markers", type: "scatter",
      name: "NaN / inf", text: bad.map((b) => fsPlotText(b.split) + ": " + b.p.value + " at step " + b.p.step),
      hoverinfo: "text", marker: { symbol: "x", size: 10, color: "#d62728" },
      meta: { role: "nonfinite" },
    });
  }
  return traces;
}

function fsXUnit(chart) {
  const first = (chart.series || [])[0];
  return first ? first.x_unit : undefined;
}

function fsChartLayout(chart, opts) {
  const shapes = [];
  return {
    title: { text: fsPlotText(chart.metric) },
    margin: { l: 60, r: 20, t: 40, b: 50 },
    height: 320,
    // What the x values count: a step-only run asked for x=epoch still shows steps.
    xaxis: { title: { text: FS_AXIS_TITLE[fsXUnit(chart) || opts.x] || opts.x } },
    yaxis: { title: { text: fsPlotText(chart.metric) }, type: opts.log ? "log" : "linear" },
    legend: { orientation: "h", y: -0.25 },
    shapes: shapes,
    modebar: { remove: ["sendChartToCloud", "sendDataToCloud"] },
    uirevision: chart.metric + "|" + opts.x,
  };
}

function fsDrawChart(el, chart, opts) {
  return Plotly.react(el, fsChartTraces(chart, opts), fsChartLayout(chart, opts), FS_PLOT_CONFIG);
}

/* The doctor's findings: severity badge, title, explanation, advice. */
function fsRenderFindings(el, findings) {
  el.replaceChildren();
  if (!findings || !findings.length) {
    el.appendChild(fsEl("p", { class: "muted" }, "No findings."));
    return;
  }
  for (const f of findings) {
    const box = fsEl("div", { class: "finding sev-" + String(f.severity).replace(/[^a-z]/gi, "") });
    const head = fsEl("div", { class: "finding-head" });
    head.appendChild(fsEl("span", { class: "badge" }, f.severity));
    head.appendChild(fsEl("span", { class: "finding-title" }, f.title));
    box.appendChild(head);
    box.appendChild(fsEl("p", { class: "finding-explanation" }, f.explanation));
    if (f.advice) box.appendChild(fsEl("p", { class: "finding-advice" }, "Advice: " + f.advice));
    // The evidence as the server cut it (long lists: the first few, then "and N more"); the
    // API's `evidence` field keeps every entry.
    if (f.evidence_shown && f.evidence_shown.length) {
      const details = fsEl("details", { class: "finding-evidence" });
      details.appendChild(fsEl("summary", null, "Evidence"));
      const dl = fsEl("dl");
      for (const [key, text] of f.evidence_shown) {
        dl.appendChild(fsEl("dt", null, key));
        dl.appendChild(fsEl("dd", null, text));
      }
      details.appendChild(dl);
      box.appendChild(details);
    }
    box.appendChild(fsEl("code", { class: "finding-code" }, f.code));
    el.appendChild(box);
  }
}

/* Held-out numbers of the latest snapshots: value, 95% interval, n, method (n always shown). */
function fsRenderIntervals(el, rows) {
  el.replaceChildren();
  if (!rows || !rows.length) {
    el.appendChild(fsEl("p", { class: "muted", id: "intervals-none" },
      "No interval: no prediction snapshot of a held-out split, so n is unknown."));
    return;
  }
  const table = fsEl("table", { class: "intervals" });
  const head = fsEl("tr");
  for (const h of ["split", "metric", "value", "95% interval", "n", "method"]) head.appendChild(fsEl("th", null, h));
  table.appendChild(head);
  for (const r of rows) {
    const tr = fsEl("tr", { "data-metric": r.metric, "data-split": r.split });
    for (const v of [r.split, r.metric, fsFmt(r.value), "[" + fsFmt(r.ci_low) + ", " + fsFmt(r.ci_high) + "]",
      "n = " + r.n, r.method]) tr.appendChild(fsEl("td", null, v));
    table.appendChild(tr);
  }
  el.appendChild(table);
}

function fsRenderConfig(el, config) {
  el.replaceChildren(fsEl("pre", { class: "config" }, JSON.stringify(config || {}, null, 2)));
}

/* The predictions panel of one snapshot: worst samples table and three charts. */
function fsRenderPredictions(el, panel) {
  el.replaceChildren();
  const title = panel.split + " at step " + panel.step + " (" + panel.n + " samples, mean loss "
    + fsFmt(panel.mean_loss) + ")";
  el.appendChild(fsEl("h3", null, title));
  const grid = fsEl("div", { class: "pred-grid" });
  el.appendChild(grid);
  const table = fsEl("table", { class: "worst" });
  const head = fsEl("tr");
  for (const h of ["#", "id", "true", "predicted", "confidence", "loss", "share of total"]) {
    head.appendChild(fsEl("th", null, h));
  }
  table.appendChild(head);
  for (const w of panel.worst) {
    const tr = fsEl("tr");
    const share = w.share === null ? "–" : (100 * w.share).toFixed(1) + "%";
    for (const v of [w.index, w.id, w.y_true, w.y_pred, w.confidence, w.loss, share]) {
      tr.appendChild(fsEl("td", null, fsFmt(v)));
    }
    table.appendChild(tr);
  }
  const worstBox = fsEl("div", { class: "pred-cell" });
  worstBox.appendChild(fsEl("h4", null, "Worst samples by loss"));
  worstBox.appendChild(table);
  grid.appendChild(worstBox);
  const cfg = FS_PLOT_CONFIG;
  const small = { height: 300, margin: { l: 50, r: 10, t: 40, b: 45 } };
  if (panel.task === "classification") {
    const cm = fsEl("div", { class: "pred-cell plot", id: "fs-confusion" });
    const rel = fsEl("div", { class: "pred-cell plot", id: "fs-reliability" });
    const hist = fsEl("div", { class: "pred-cell plot", id: "fs-histogram" });
    grid.append(cm, rel, hist);
    const labels = panel.confusion.labels.map(String);
    Plotly.react(cm, [{
      type: "heatmap", z: panel.confusion.matrix, x: labels, y: labels,
      colorscale: [[0, "#f7fbff"], [1, "#08306b"]], texttemplate: "%{z}",
      hovertemplate: "true %{y}, predicted %{x}: %{z}<extra></extra>",
    }], Object.assign({ title: { text: "Confusion matrix" },
      xaxis: { title: { text: "predicted" }, type: "category" },
      yaxis: { title: { text: "true" }, type: "category", autorange: "reversed" } }, small), cfg);
    const r = panel.reliability;
    const mids = r.edges.slice(0, -1).map((e, i) => (e + r.edges[i + 1]) / 2);
    Plotly.react(rel, [
      { type: "bar", x: mids, y: r.accuracy, name: "accuracy", marker: { color: "#1f77b4" } },
      { type: "scatter", mode: "lines", x: [0, 1], y: [0, 1], name: "perfect calibration",
        line: { dash: "dash", color: "#555" } },
    ], Object.assign({ title: { text: "Reliability (ECE " + fsFmt(r.ece, 3) + ")" },
      xaxis: { title: { text: "confidence" }, range: [0, 1] },
      yaxis: { title: { text: "accuracy" }, range: [0, 1] }, showlegend: false }, small), cfg);
    const h = panel.histograms;
    const hm = h.edges.slice(0, -1).map((e, i) => (e + h.edges[i + 1]) / 2);
    Plotly.react(hist, h.classes.map((c, i) => ({
      type: "bar", x: hm, y: c.counts, name: "class " + fsPlotText(c.label), opacity: 0.6,
      marker: { color: fsColor("", i) },
    })), Object.assign({ title: { text: "Score of the " + h.score_of + ", per true class" },
      barmode: "overlay", xaxis: { title: { text: "score" } },
      yaxis: { title: { text: "samples" } } }, small), cfg);
  } else {
    const res = fsEl("div", { class: "pred-cell plot", id: "fs-residuals" });
    grid.append(res);
    const e = panel.residuals.edges;
    Plotly.react(res, [{ type: "bar", x: e.slice(0, -1).map((v, i) => (v + e[i + 1]) / 2),
      y: panel.residuals.counts, name: "residuals" }],
    Object.assign({ title: { text: "Residuals (predicted - true)" } }, small), cfg);
  }
}
