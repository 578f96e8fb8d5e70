/* The offline compare page's start-up: draws the embedded data (fitscope.views.compare_page). */
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("fs-data").textContent);
  const opts = { x: "step", log: false };
  fsRenderSignificance(document.getElementById("significance"), D.pairs, null);
  if (D.findings.length) fsRenderFindings(document.getElementById("compare-findings"), D.findings);
  const cfg = document.getElementById("config-diff");
  const all = document.getElementById("config-all");
  const showCfg = () => fsRenderConfigDiff(cfg, all.checked ? D.config_all : D.config);
  all.addEventListener("change", showCfg);
  showCfg();
  const charts = document.getElementById("compare-charts");
  const draw = () => fsDrawCompareCharts(charts, D.charts, opts);
  document.getElementById("compare-log").addEventListener("change", (e) => { opts.log = e.target.checked; draw(); });
  draw();
  const hp = D.hyperparams;
  const state = { sort: "value", desc: hp.higher_is_better === true, filters: {} };
  const keys = D.config_all.keys.slice(0, 8);
  const drawParams = () => {
    fsRenderParamTable(document.getElementById("params-table-box"), hp, keys, state, drawParams);
    fsDrawParallel(document.getElementById("parallel"), hp, keys);
  };
  drawParams();
  document.getElementById("params-baseline").textContent = hp.baseline === null
    ? "No-skill baseline: unknown (no prediction snapshots)."
    : "No-skill baseline of " + hp.metric + ": " + fsNum(hp.baseline);
})();
