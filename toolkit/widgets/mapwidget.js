// The dashboards' map: plotly.js (geo bundle, loaded above this code) drawing the figure
// the kernel sends. `traces` and `plot_layout` come from the Python figure; the geometry comes
// once in `geojson` and is put back wherever a trace says "@geojson". A click on a
// county sends its location (adcode) to the kernel.
const GEOJSON = "@geojson";

function render({ model, el }) {
  const gd = document.createElement("div");
  gd.style.width = "100%";
  el.appendChild(gd);
  let queued = false;
  const draw = () => {
    queued = false;
    const geojson = model.get("geojson");
    const data = model.get("traces").map((t) => (t.geojson === GEOJSON ? { ...t, geojson } : t));
    window.Plotly.react(gd, data, model.get("plot_layout"), model.get("config"));
  };
  const schedule = () => {
    if (!queued) {
      queued = true;
      queueMicrotask(draw); // traces and layout changed together: one redraw
    }
  };
  draw();
  for (const name of ["geojson", "traces", "plot_layout", "config"]) {
    model.on(`change:${name}`, schedule);
  }
  gd.on("plotly_click", (event) => {
    const p = event && event.points && event.points[0];
    if (p && p.location !== undefined) {
      model.send({ event: "click", location: String(p.location), curve: p.curveNumber });
    }
  });
  return () => window.Plotly.purge(gd);
}

export default { render };
