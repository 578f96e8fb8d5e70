/* The HTML report's start-up: draws the embedded run data (see fitscope.views.report). */
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("fs-data").textContent);
  const opts = { x: "step", smoothing: 0, log: false };
  const charts = document.getElementById("charts");
  function draw() {
    D.charts.forEach((chart, i) => {
      let el = document.getElementById("chart-" + i);
      if (!el) { el = fsEl("div", { class: "chart", id: "chart-" + i }); charts.appendChild(el); }
      fsDrawChart(el, chart, opts);
    });
  }
  const smooth = document.getElementById("smooth");
  const weight = document.getElementById("smooth-weight");
  const weightText = document.getElementById("smooth-weight-value");
  const w = () => FS_SMOOTHING_STEPS[Number(weight.value)];
  smooth.addEventListener("change", () => { opts.smoothing = smooth.checked ? w() : 0; draw(); });
  weight.addEventListener("input", () => {
    weightText.textContent = String(w());
    if (smooth.checked) { opts.smoothing = w(); draw(); }
  });
  document.getElementById("log-scale").addEventListener("change", (e) => { opts.log = e.target.checked; draw(); });
  draw();
  fsRenderFindings(document.getElementById("findings"), D.findings);
  fsRenderIntervals(document.getElementById("intervals"), D.intervals);
  fsRenderConfig(document.getElementById("config"), D.run.config);
  const preds = document.getElementById("predictions");
  if (D.panels.length) {
    const slider = document.getElementById("snapshot-slider");
    const label = document.getElementById("snapshot-label");
    slider.max = String(D.panels.length - 1);
    slider.value = slider.max;
    const show = () => {
      const p = D.panels[Number(slider.value)];
      label.textContent = p.split + " at step " + p.step;
      fsRenderPredictions(document.getElementById("prediction-panel"), p);
    };
    slider.addEventListener("input", show);
    show();
  } else {
    preds.hidden = true;
  }
})();
