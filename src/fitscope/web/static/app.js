/* fitscope dashboard: a single page over the JSON API (/api/...), hash-routed.
 * Data reach the DOM only through textContent / setAttribute (see charts.js's fsEl). */
"use strict";

const POLL_MS = 1000; // a running run is re-read every second: on screen within 2 s
const state = { timer: null, view: null };

(function keepToken() {
  const t = new URLSearchParams(location.search).get("token");
  if (t) sessionStorage.setItem("fitscope-token", t);
})();

async function api(path, options) {
  const headers = {};
  const token = sessionStorage.getItem("fitscope-token");
  if (token) headers["X-Fitscope-Token"] = token;
  const resp = await fetch(path, Object.assign({ headers: headers }, options || {}));
  if (resp.status === 204) return null;
  const body = await resp.json();
  if (!resp.ok) throw new Error((body.error && body.error.message) || resp.statusText);
  return body;
}

function showError(err) {
  const box = document.getElementById("error");
  box.textContent = String(err && err.message ? err.message : err);
  box.hidden = false;
  setTimeout(() => { box.hidden = true; }, 6000);
}

function stopPolling() {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

function setLive(text) { document.getElementById("live").textContent = text; }

function fmtTime(t) { return t ? new Date(t * 1000).toLocaleString() : "–"; }
function fmtDuration(s) {
  if (s === null || s === undefined) return "–";
  if (s < 60) return s.toFixed(1) + " s";
  if (s < 3600) return (s / 60).toFixed(1) + " min";
  return (s / 3600).toFixed(2) + " h";
}

/* ---------- runs page ---------- */
/* Paged on the server: sort, filters and the name search go to GET /api/runs, which answers
 * one page (PAGE_SIZE runs) and how many runs match, so a store of any size draws at once. */
const PAGE_SIZE = 50;
const COLUMNS = [
  ["name", "name"], ["project", "project"], ["status", "status"], ["start_time", "started"],
  ["duration", "duration"], ["tags", "tags"], ["best_val_loss", "best val loss"],
  ["best_val_accuracy", "best val accuracy"], ["final_test_accuracy", "final test accuracy"],
];
const UNSORTABLE = new Set(["tags"]);
const runsView = { sort: "start_time", desc: true, q: "", status: "", project: "", offset: 0, picked: new Set(), config: "" };
/* Config keys shown as columns: chosen in the column chooser and kept in localStorage (per browser,
 * across visits). Sorting on one asks the server for config.KEY; the filter sends config=KEY=VALUE. */
const CONFIG_COLUMNS_KEY = "fitscope-config-columns";
function configColumns() {
  try {
    const v = JSON.parse(localStorage.getItem(CONFIG_COLUMNS_KEY) || "[]");
    return Array.isArray(v) ? v.filter((k) => typeof k === "string") : [];
  } catch (err) { return []; }
}
function setConfigColumns(keys) { localStorage.setItem(CONFIG_COLUMNS_KEY, JSON.stringify(keys)); }
/* {"optimizer": {"lr": 0.1}} -> {"optimizer.lr": 0.1}: the dotted names the API sorts and filters by. */
function flatConfig(obj, prefix, out) {
  out = out || {};
  for (const [k, v] of Object.entries(obj || {})) {
    const name = prefix ? prefix + "." + k : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatConfig(v, name, out); else out[name] = v;
  }
  return out;
}
function fmtConfigValue(v) {
  if (v === undefined) return "–";
  if (typeof v === "number") return fsFmt(v);
  return typeof v === "string" ? v : JSON.stringify(v);
}

function runsQuery() {
  const p = new URLSearchParams();
  p.set("sort", (runsView.desc ? "-" : "") + runsView.sort);
  p.set("limit", String(PAGE_SIZE));
  p.set("offset", String(runsView.offset));
  if (runsView.q) p.set("q", runsView.q);
  if (runsView.status) p.set("status", runsView.status);
  if (runsView.project) p.set("project", runsView.project);
  for (const item of runsView.config.split(/\s+/).filter(Boolean)) p.append("config", item);
  return "api/runs?" + p.toString();
}

async function showRuns() {
  const main = document.getElementById("main");
  main.replaceChildren();
  main.appendChild(fsEl("h1", null, "Runs"));
  const bar = fsEl("div", { class: "toolbar" });
  const search = fsEl("input", { id: "search", type: "search", placeholder: "search run names" });
  search.value = runsView.q;
  const status = fsEl("select", { id: "status-filter" });
  for (const s of ["", "running", "finished", "failed", "crashed"]) {
    const o = fsEl("option", { value: s }, s || "any status"); status.appendChild(o);
  }
  status.value = runsView.status;
  const project = fsEl("select", { id: "project-filter" });
  const configFilter = fsEl("input", { id: "config-filter", type: "search", placeholder: "config: key=value …", title: "config keys equal to values, e.g. lr=0.1 optimizer.name=adam" });
  configFilter.value = runsView.config;
  const chooser = fsEl("details", { id: "column-chooser", class: "chooser" });
  chooser.appendChild(fsEl("summary", null, "Config columns"));
  const chooserBox = fsEl("div", { id: "config-keys", class: "keys" });
  chooser.appendChild(chooserBox);
  const compareBtn = fsEl("button", { id: "compare-btn" }, "Compare selected");
  const paramsLink = fsEl("a", { href: "#/params", id: "to-params" }, "Parallel coordinates ›");
  bar.append(search, status, project, configFilter, chooser, compareBtn, paramsLink);
  main.appendChild(bar);
  const table = fsEl("table", { class: "runs", id: "runs-table" });
  main.appendChild(table);
  const pager = fsEl("div", { class: "toolbar pager", id: "pager" });
  const prev = fsEl("button", { id: "prev-page" }, "‹ Previous");
  const info = fsEl("span", { id: "page-info", class: "muted" }, "");
  const next = fsEl("button", { id: "next-page" }, "Next ›");
  pager.append(prev, info, next);
  main.appendChild(pager);
  let typing = null, projectsShown = false;
  function refilter() { runsView.offset = 0; stopPolling(); load(); }
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { runsView.q = search.value; refilter(); }, 200);
  });
  status.addEventListener("change", () => { runsView.status = status.value; refilter(); });
  project.addEventListener("change", () => { runsView.project = project.value; refilter(); });
  let configTyping = null;
  configFilter.addEventListener("input", () => {
    clearTimeout(configTyping);
    configTyping = setTimeout(() => { runsView.config = configFilter.value.trim(); refilter(); }, 300);
  });
  let chooserKeys = "";
  function drawChooser(rows) {
    // The keys offered: those of the runs on this page, and any column already chosen.
    const chosen = configColumns();
    const keys = new Set(chosen);
    for (const r of rows) for (const k of Object.keys(flatConfig(r.config))) keys.add(k);
    const sorted = [...keys].sort();
    const sig = JSON.stringify([sorted, chosen]);
    if (sig === chooserKeys) return; // unchanged: leave the boxes alone while the page polls
    chooserKeys = sig;
    chooserBox.replaceChildren();
    if (!sorted.length) chooserBox.appendChild(fsEl("span", { class: "muted" }, "no config keys on this page"));
    for (const k of sorted) {
      const label = fsEl("label");
      const box = fsEl("input", { type: "checkbox", class: "config-key", "data-key": k });
      box.checked = chosen.includes(k);
      box.addEventListener("change", () => {
        const now = configColumns().filter((x) => x !== k);
        if (box.checked) now.push(k);
        setConfigColumns(now);
        if (!box.checked && runsView.sort === "config." + k) { runsView.sort = "start_time"; runsView.desc = true; refilter(); return; }
        if (lastPage) draw(lastPage);
      });
      label.append(box, document.createTextNode(" " + k));
      chooserBox.appendChild(label);
    }
  }
  let lastPage = null;
  prev.addEventListener("click", () => { runsView.offset = Math.max(0, runsView.offset - PAGE_SIZE); stopPolling(); load(); });
  next.addEventListener("click", () => { runsView.offset += PAGE_SIZE; stopPolling(); load(); });
  compareBtn.addEventListener("click", () => {
    if (runsView.picked.size) location.hash = "#/compare?ids=" + [...runsView.picked].map(encodeURIComponent).join(",");
  });
  function draw(page) {
    lastPage = page;
    const shown = page.runs;
    drawChooser(shown);
    const cfgKeys = configColumns();
    table.replaceChildren();
    const head = fsEl("tr");
    head.appendChild(fsEl("th", null, ""));
    const columns = COLUMNS.concat(cfgKeys.map((k) => ["config." + k, k]));
    for (const [k, label] of columns) {
      const th = fsEl("th", { "data-key": k }, label);
      if (k.startsWith("config.")) th.classList.add("config-col");
      if (k === runsView.sort) th.classList.add(runsView.desc ? "sorted-desc" : "sorted-asc");
      if (!UNSORTABLE.has(k)) {
        th.addEventListener("click", () => {
          runsView.desc = runsView.sort === k ? !runsView.desc : false;
          runsView.sort = k; refilter();
        });
      }
      head.appendChild(th);
    }
    table.appendChild(head);
    for (const r of shown) {
      const tr = fsEl("tr", { class: "run-row", "data-id": r.id });
      const pick = fsEl("input", { type: "checkbox", class: "pick" });
      pick.checked = runsView.picked.has(r.id);
      pick.addEventListener("change", () => { pick.checked ? runsView.picked.add(r.id) : runsView.picked.delete(r.id); });
      const c0 = fsEl("td"); c0.appendChild(pick); tr.appendChild(c0);
      const link = fsEl("a", { href: "#/run/" + encodeURIComponent(r.id), class: "run-link" }, r.name);
      const c1 = fsEl("td"); c1.appendChild(link); tr.appendChild(c1);
      tr.appendChild(fsEl("td", null, r.project));
      const st = fsEl("td"); st.appendChild(fsEl("span", { class: "status status-" + r.status.replace(/[^a-z]/g, "") }, r.status)); tr.appendChild(st);
      tr.appendChild(fsEl("td", null, fmtTime(r.start_time)));
      tr.appendChild(fsEl("td", null, fmtDuration(r.duration)));
      const tags = fsEl("td"); for (const t of r.tags) tags.appendChild(fsEl("span", { class: "tag" }, t)); tr.appendChild(tags);
      for (const k of ["best_val_loss", "best_val_accuracy", "final_test_accuracy"]) tr.appendChild(fsEl("td", null, fsFmt(r[k])));
      const flat = flatConfig(r.config);
      for (const k of cfgKeys) tr.appendChild(fsEl("td", { class: "config-cell", "data-key": k }, fmtConfigValue(flat[k])));
      table.appendChild(tr);
    }
    if (!shown.length) {
      const tr = fsEl("tr"); tr.appendChild(fsEl("td", { colspan: String(columns.length + 1), class: "muted" }, "No runs match.")); table.appendChild(tr);
    }
    const first = shown.length ? page.offset + 1 : 0;
    info.textContent = first + "–" + (page.offset + shown.length) + " of " + page.total.toLocaleString() + " runs";
    prev.disabled = page.offset === 0;
    next.disabled = page.next_offset === null;
  }
  async function load() {
    try {
      const page = await api(runsQuery());
      if (runsView.offset > 0 && !page.runs.length && page.total) {  // the page emptied (deletes)
        runsView.offset = Math.max(0, page.total - PAGE_SIZE); return load();
      }
      if (!projectsShown) {  // the filter's choices, once per visit of the page
        const projects = (await api("api/projects")).projects;
        project.replaceChildren(fsEl("option", { value: "" }, "any project"));
        for (const p of projects) project.appendChild(fsEl("option", { value: p }, p));
        project.value = projects.includes(runsView.project) ? runsView.project : "";
        projectsShown = true;
      }
      draw(page);
      setLive(page.runs.some((r) => r.status === "running") ? "live: refreshing every 2 s" : "");
    } catch (err) { showError(err); }
    state.timer = setTimeout(load, 2000);
  }
  await load();
}

/* ---------- run page ---------- */
const runOpts = { x: "step", smoothing: 0, weight: 0.6, log: false };

async function showRun(id) {
  const main = document.getElementById("main");
  main.replaceChildren(fsEl("p", { class: "muted" }, "Loading…"));
  let detail;
  try { detail = await api("api/runs/" + encodeURIComponent(id)); } catch (err) { showError(err); return; }
  main.replaceChildren();
  main.appendChild(fsEl("h1", { id: "run-name" }, detail.name));
  const meta = fsEl("p", { class: "muted" });
  meta.textContent = detail.project + " · " + detail.id + " · started " + fmtTime(detail.start_time) + " · ";
  const status = fsEl("span", { id: "run-status", class: "status status-" + detail.status }, detail.status);
  meta.appendChild(status);
  for (const t of detail.tags) meta.appendChild(fsEl("span", { class: "tag" }, t));
  main.appendChild(meta);

  const bar = fsEl("div", { class: "toolbar" });
  const xSel = fsEl("select", { id: "x-axis" });
  for (const [v, l] of [["step", "x: step"], ["epoch", "x: epoch"], ["time", "x: wall time"]]) xSel.appendChild(fsEl("option", { value: v }, l));
  xSel.value = runOpts.x;
  const smoothLabel = fsEl("label");
  const smooth = fsEl("input", { type: "checkbox", id: "smooth" }); smooth.checked = runOpts.smoothing > 0;
  smoothLabel.append(smooth, document.createTextNode(" smoothing (EMA) "));
  const weight = fsEl("input", { type: "range", id: "smooth-weight", min: "0", max: String(FS_SMOOTHING_STEPS.length - 1), step: "1" });
  weight.value = String(Math.max(0, FS_SMOOTHING_STEPS.indexOf(runOpts.weight)));
  const weightText = fsEl("span", { id: "smooth-weight-value" }, String(runOpts.weight));
  const logLabel = fsEl("label");
  const logBox = fsEl("input", { type: "checkbox", id: "log-scale" }); logBox.checked = runOpts.log;
  logLabel.append(logBox, document.createTextNode(" log scale"));
  const del = fsEl("button", { id: "delete-run", class: "danger" }, "Delete run");
  bar.append(xSel, smoothLabel, weight, weightText, logLabel, del);
  main.appendChild(bar);

  const layout = fsEl("div", { class: "run-layout" });
  const charts = fsEl("div", { class: "charts", id: "charts" });
  const aside = fsEl("aside");
  const findingsPanel = fsEl("div", { class: "panel" });
  findingsPanel.appendChild(fsEl("h3", null, "Findings"));
  const findings = fsEl("div", { id: "findings" });
  findingsPanel.appendChild(findings);
  const intervalsPanel = fsEl("div", { class: "panel" });
  intervalsPanel.appendChild(fsEl("h3", null, "Held-out, 95% intervals"));
  const intervals = fsEl("div", { id: "intervals" });
  intervalsPanel.appendChild(intervals);
  const configPanel = fsEl("div", { class: "panel" });
  configPanel.appendChild(fsEl("h3", null, "Config"));
  const config = fsEl("div", { id: "config" });
  configPanel.appendChild(config);
  aside.append(intervalsPanel, findingsPanel, configPanel);
  layout.append(charts, aside);
  main.appendChild(layout);
  fsRenderConfig(config, detail.config);

  const preds = fsEl("section", { class: "predictions", id: "predictions" });
  main.appendChild(preds);
  if (detail.snapshots.length) buildPredictions(preds, id, detail.snapshots);

  let last = null, asked = 0;
  function redraw() {
    if (!last) return;
    const opts = { x: runOpts.x, smoothing: runOpts.smoothing, log: runOpts.log };
    last.charts.forEach((chart, i) => {
      let el = document.getElementById("chart-" + i);
      if (!el) { el = fsEl("div", { class: "chart", id: "chart-" + i }); charts.appendChild(el); }
      el.setAttribute("data-metric", chart.metric);
      fsDrawChart(el, chart, opts);
    });
    charts.setAttribute("data-drawn", String(last.charts.length));
  }
  async function load() {
    try {
      // Smoothing is computed by the server on the whole series, never on the drawn points.
      const sm = runOpts.smoothing > 0 ? "&smoothing=" + runOpts.smoothing : "";
      const mine = ++asked;
      const got = await api("api/runs/" + encodeURIComponent(id) + "/charts?x=" + runOpts.x + sm);
      if (mine !== asked) return; // a newer request (slider moved) answers instead
      last = got;
      status.textContent = last.status;
      status.className = "status status-" + last.status;
      redraw();
      const running = last.status === "running";
      setLive(running ? "live: refreshing every second" : "");
      charts.setAttribute("data-updates", String(Number(charts.getAttribute("data-updates") || 0) + 1));
      if (running) state.timer = setTimeout(load, POLL_MS);
    } catch (err) { showError(err); }
  }
  xSel.addEventListener("change", () => { runOpts.x = xSel.value; stopPolling(); charts.replaceChildren(); load(); });
  // A series drawn in full smooths at once; a downsampled one when the server's line arrives.
  function reload() { redraw(); stopPolling(); load(); }
  smooth.addEventListener("change", () => { runOpts.smoothing = smooth.checked ? runOpts.weight : 0; reload(); });
  weight.addEventListener("input", () => {
    runOpts.weight = FS_SMOOTHING_STEPS[Number(weight.value)]; weightText.textContent = String(runOpts.weight);
    if (smooth.checked) { runOpts.smoothing = runOpts.weight; reload(); }
  });
  logBox.addEventListener("change", () => { runOpts.log = logBox.checked; redraw(); });
  del.addEventListener("click", async () => {
    if (!confirm("Delete this run and everything it logged?")) return;
    try { await api("api/runs/" + encodeURIComponent(id), { method: "DELETE" }); location.hash = "#/"; } catch (err) { showError(err); }
  });
  await load();
  api("api/runs/" + encodeURIComponent(id) + "/intervals")
    .then((res) => fsRenderIntervals(intervals, res.intervals)).catch(showError);
  // The doctor speaks en, ru, es and it: the browser's language when it is one of them.
  const lang = ["en", "ru", "es", "it"].find((l) => (navigator.language || "en").startsWith(l)) || "en";
  try { fsRenderFindings(findings, (await api("api/runs/" + encodeURIComponent(id) + "/findings?lang=" + lang)).findings); } catch (err) { showError(err); }
}

function buildPredictions(root, id, snapshots) {
  root.appendChild(fsEl("h2", null, "Predictions"));
  const bar = fsEl("div", { class: "toolbar" });
  const splits = [...new Set(snapshots.map((s) => s.split))];
  const splitSel = fsEl("select", { id: "snapshot-split" });
  for (const s of splits) splitSel.appendChild(fsEl("option", { value: s }, s));
  const slider = fsEl("input", { type: "range", id: "snapshot-slider", min: "0", step: "1" });
  const label = fsEl("span", { id: "snapshot-label" });
  bar.append(splitSel, slider, label);
  root.appendChild(bar);
  const body = fsEl("div", { id: "prediction-panel" });
  root.appendChild(body);
  let steps = [];
  async function show() {
    const step = steps[Number(slider.value)];
    label.textContent = "snapshot at step " + step + " (" + (Number(slider.value) + 1) + " of " + steps.length + ")";
    try {
      const panel = await api("api/runs/" + encodeURIComponent(id) + "/predictions?split=" + encodeURIComponent(splitSel.value) + "&step=" + step);
      fsRenderPredictions(body, panel);
    } catch (err) { showError(err); }
  }
  function pickSplit() {
    steps = snapshots.filter((s) => s.split === splitSel.value).map((s) => s.step);
    slider.max = String(steps.length - 1);
    slider.value = String(steps.length - 1);
    show();
  }
  splitSel.addEventListener("change", pickSplit);
  slider.addEventListener("input", show);
  pickSplit();
}

/* ---------- compare page ---------- */
const compareOpts = { split: "val", x: "step", log: false, allKeys: false };

async function showCompare(query) {
  const main = document.getElementById("main");
  main.replaceChildren(fsEl("h1", null, "Compare runs"));
  const ids = (query.get("ids") || "").split(",").filter(Boolean);
  if (!ids.length) {
    main.appendChild(fsEl("p", { class: "muted" }, "Tick runs on the runs page, then press Compare selected."));
    return;
  }
  const q = "ids=" + ids.map(encodeURIComponent).join(",");
  const bar = fsEl("div", { class: "toolbar" });
  const sSel = fsEl("select", { id: "compare-split" });
  for (const [v, l] of [["val", "tests on: validation"], ["test", "tests on: test"], ["train", "tests on: train"]]) sSel.appendChild(fsEl("option", { value: v }, l));
  sSel.value = compareOpts.split;
  const xSel = fsEl("select", { id: "compare-x" });
  for (const [v, l] of [["step", "x: step"], ["epoch", "x: epoch"], ["time", "x: wall time"]]) xSel.appendChild(fsEl("option", { value: v }, l));
  xSel.value = compareOpts.x;
  const logLabel = fsEl("label"); const logBox = fsEl("input", { type: "checkbox", id: "compare-log" });
  logBox.checked = compareOpts.log;
  logLabel.append(logBox, document.createTextNode(" log scale"));
  const allLabel = fsEl("label"); const allBox = fsEl("input", { type: "checkbox", id: "config-all" });
  allBox.checked = compareOpts.allKeys;
  allLabel.append(allBox, document.createTextNode(" show equal config keys"));
  bar.append(sSel, xSel, logLabel, allLabel);
  main.appendChild(bar);
  const sig = fsEl("section", { class: "panel" });
  sig.appendChild(fsEl("h2", null, "Is the difference real?"));
  const sigBody = fsEl("div", { id: "significance" }, "Computing…");
  const findings = fsEl("div", { id: "compare-findings" });
  sig.append(sigBody, findings);
  const cfg = fsEl("section", { class: "panel" });
  cfg.appendChild(fsEl("h2", null, "Config"));
  const cfgBody = fsEl("div", { id: "config-diff" });
  cfg.appendChild(cfgBody);
  const charts = fsEl("div", { class: "charts compare-charts", id: "compare-charts" });
  main.append(sig, cfg, charts);
  let last = null;
  function redraw() { if (last) fsDrawCompareCharts(charts, last.charts, { x: compareOpts.x, log: compareOpts.log }); }
  async function loadCharts() {
    try { last = await api("api/compare/charts?" + q + "&x=" + compareOpts.x); charts.replaceChildren(); redraw(); } catch (err) { showError(err); }
  }
  async function loadConfig() {
    try { fsRenderConfigDiff(cfgBody, await api("api/compare/config?" + q + "&all=" + compareOpts.allKeys)); } catch (err) { showError(err); }
  }
  async function loadStats() {
    sigBody.textContent = "Computing…";
    const lang = ["en", "ru", "es", "it"].find((l) => (navigator.language || "en").startsWith(l)) || "en";
    try {
      const res = await api("api/compare/stats?" + q + "&split=" + compareOpts.split + "&lang=" + lang);
      fsRenderSignificance(sigBody, res.pairs, res.reason);
      if (res.findings.length) fsRenderFindings(findings, res.findings); else findings.replaceChildren();
      sigBody.setAttribute("data-ready", "1");
    } catch (err) { showError(err); }
  }
  sSel.addEventListener("change", () => { compareOpts.split = sSel.value; loadStats(); });
  xSel.addEventListener("change", () => { compareOpts.x = xSel.value; loadCharts(); });
  logBox.addEventListener("change", () => { compareOpts.log = logBox.checked; redraw(); });
  allBox.addEventListener("change", () => { compareOpts.allKeys = allBox.checked; loadConfig(); });
  await Promise.all([loadCharts(), loadConfig(), loadStats()]);
}

/* ---------- hyperparameter view ---------- */
const paramsView = { metric: "loss", keys: null, sort: "value", desc: false, filters: {} };

async function showParams() {
  const main = document.getElementById("main");
  main.replaceChildren(fsEl("h1", null, "Hyperparameters"));
  const bar = fsEl("div", { class: "toolbar" });
  const mSel = fsEl("select", { id: "params-metric" });
  for (const m of ["loss", "accuracy", "f1", "roc_auc", "log_loss", "mse"]) mSel.appendChild(fsEl("option", { value: m }, "best val " + m));
  mSel.value = paramsView.metric;
  const keyBox = fsEl("div", { id: "params-keys", class: "keys" });
  bar.append(mSel, keyBox);
  main.appendChild(bar);
  const plot = fsEl("div", { class: "chart", id: "parallel" });
  const baseline = fsEl("p", { class: "muted", id: "params-baseline" });
  bar.appendChild(fsEl("a", { href: "#/", id: "to-runs" }, "‹ Config keys as columns of the runs table"));
  const table = fsEl("div", { id: "params-table-box" });
  main.append(plot, baseline, table);
  let hp = null;
  function draw() {
    const keys = paramsView.keys.filter((k) => hp.keys.includes(k));
    fsRenderParamTable(table, hp, keys, paramsView, draw);
    const t0 = performance.now();
    fsDrawParallel(plot, hp, keys);
    plot.setAttribute("data-draw-ms", String(performance.now() - t0));
    baseline.textContent = hp.baseline === null || hp.baseline === undefined
      ? "No-skill baseline: unknown (no run logged prediction snapshots)."
      : "No-skill baseline of " + hp.metric + ": " + fsNum(hp.baseline) + " (what predicting without the inputs scores).";
  }
  async function load() {
    try {
      hp = await api("api/hyperparams?metric=" + encodeURIComponent(paramsView.metric));
      if (!paramsView.keys) paramsView.keys = hp.keys.slice(0, 6);
      keyBox.replaceChildren();
      for (const k of hp.keys) {
        const label = fsEl("label");
        const box = fsEl("input", { type: "checkbox", class: "param-key", "data-key": k });
        box.checked = paramsView.keys.includes(k);
        box.addEventListener("change", () => {
          paramsView.keys = box.checked ? [...paramsView.keys, k] : paramsView.keys.filter((x) => x !== k);
          draw();
        });
        label.append(box, document.createTextNode(" " + k));
        keyBox.appendChild(label);
      }
      draw();
    } catch (err) { showError(err); }
  }
  mSel.addEventListener("change", () => { paramsView.metric = mSel.value; load(); });
  await load();
}

/* ---------- router ---------- */
async function route() {
  stopPolling();
  setLive("");
  const hash = location.hash || "#/";
  const [path, qs] = hash.slice(1).split("?");
  const query = new URLSearchParams(qs || "");
  if (path.startsWith("/run/")) return showRun(decodeURIComponent(path.slice(5)));
  if (path.startsWith("/compare")) return showCompare(query);
  if (path.startsWith("/params")) return showParams();
  return showRuns();
}
window.addEventListener("hashchange", route);
route();
