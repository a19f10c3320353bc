// The dashboards' map: plotly.js (geo bundle, from the page or sent as the `plotly_js` trait)
// drawing the figure the kernel sends. `traces_json` (JSON text) and `plot_layout` come from the
// Python figure; the geometry comes once, packed (geo_ids, geo_shape, geo_coords: see
// pack_geometry in mapwidget.py), and is put back as GeoJSON wherever a trace says "@geojson".
// A click on a county sends its location (adcode) to the kernel; each figure drawn and painted
// is reported ({event: "drawn", revision}), and the kernel then sends the tables below the map.
// The first one drawn replaces the static picture the page was served with (preview.py).
const GEOJSON = "@geojson";
const SCALE = 100000;

function int32s(view) {
  // a binary trait arrives as a DataView (or an ArrayBuffer); little-endian int32 either way
  const buffer = view.buffer ?? view;
  const offset = view.byteOffset ?? 0;
  const length = (view.byteLength ?? buffer.byteLength) / 4;
  if (offset % 4 === 0) return new Int32Array(buffer, offset, length);
  return new Int32Array(buffer.slice(offset, offset + length * 4));
}

function unpack(ids, shapeView, coordsView) {
  const shape = int32s(shapeView);
  const coords = int32s(coordsView);
  let s = 0;
  let c = 0;
  const features = ids.map((adcode) => {
    const polygons = [];
    for (let np = shape[s++]; np > 0; np--) {
      const rings = [];
      for (let nr = shape[s++]; nr > 0; nr--) {
        const ring = new Array(shape[s++]);
        for (let i = 0; i < ring.length; i++, c += 2) {
          ring[i] = [coords[c] / SCALE, coords[c + 1] / SCALE];
        }
        rings.push(ring);
      }
      polygons.push(rings);
    }
    return {
      type: "Feature",
      properties: { adcode },
      geometry: { type: "MultiPolygon", coordinates: polygons },
    };
  });
  return { type: "FeatureCollection", features };
}

function loadPlotly(source) {
  // once per page: an inline script runs as it is added, in the page's global scope, and the
  // bundle sets window.Plotly (every map widget on the page shares it)
  if (!window.Plotly) {
    const script = document.createElement("script");
    script.textContent = source;
    document.head.appendChild(script);
    script.remove();
  }
  if (!window.Plotly) throw new Error("[kuoyou] plotly.js did not load");
  return window.Plotly;
}

function fromPage() {
  // the dashboards' Voila template loads the bundle itself (<script id="kuoyou-plotly" async>):
  // Plotly, once that script has run, or null if the page has no such script or it failed
  const tag = document.getElementById("kuoyou-plotly");
  if (window.Plotly || !tag || tag.dataset.failed) return Promise.resolve(window.Plotly ?? null);
  return new Promise((resolve) => {
    tag.addEventListener("load", () => resolve(window.Plotly ?? null), { once: true });
    tag.addEventListener("error", () => resolve(null), { once: true });
  });
}

async function plotly(model) {
  if (!model.get("plotly_js")) {
    if (await fromPage()) return window.Plotly;
    // the kernel did not send the bundle (it expected the page to load it): ask for it
    const sent = new Promise((resolve) => {
      const got = () => {
        model.off("change:plotly_js", got);
        resolve();
      };
      model.on("change:plotly_js", got);
    });
    model.send({ event: "plotly" });
    await sent;
  }
  return loadPlotly(model.get("plotly_js"));
}

function noBaseMap(layout) {
  // plotly.js loads a base-map topojson (`${scope}_${resolution}m`) before it draws any geo
  // subplot whose traces have a locationmode, even with no base layer shown. The maps show none:
  // an empty one, registered where plotly.js keeps those it has loaded, saves that request
  // (config.topojsonURL, an empty one as a data: URL, stays the fallback) and a wait for it.
  const geo = layout?.geo ?? {};
  const name = `${(geo.scope ?? "world").replace(/ /g, "-")}_${geo.resolution ?? 110}m`;
  const assets = (window.PlotlyGeoAssets ??= { topojson: {} });
  assets.topojson ??= {};
  assets.topojson[name] ??= { type: "Topology", objects: {}, arcs: [] };
}

// resolves after the frame that paints what was drawn
const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

async function drawMap({ model, el }) {
  await plotly(model);
  const gd = document.createElement("div");
  gd.style.width = "100%";
  el.appendChild(gd);
  let queued = false;
  let geojson = null;
  let stale = true; // the packed geometry changed since it was last unpacked
  const draw = () => {
    queued = false;
    if (stale) {
      geojson = unpack(model.get("geo_ids"), model.get("geo_shape"), model.get("geo_coords"));
      stale = false;
    }
    const traces = JSON.parse(model.get("traces_json"));
    const data = traces.map((t) => (t.geojson === GEOJSON ? { ...t, geojson } : t));
    const revision = model.get("revision");
    noBaseMap(model.get("plot_layout"));
    Promise.resolve(window.Plotly.react(gd, data, model.get("plot_layout"), model.get("config")))
      .then(painted)
      .then(() => {
        document.getElementById("kuoyou-preview")?.remove(); // the page's picture of this map
        model.send({ event: "drawn", revision });
      });
  };
  const schedule = () => {
    if (!queued) {
      queued = true;
      queueMicrotask(draw); // traces and layout changed together: one redraw
    }
  };
  draw();
  for (const name of ["geo_ids", "geo_shape", "geo_coords"]) {
    model.on(`change:${name}`, () => {
      stale = true;
      schedule();
    });
  }
  for (const name of ["traces_json", "plot_layout", "config", "revision"]) {
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

async function render(view) {
  try {
    return await drawMap(view);
  } catch (error) {
    document.getElementById("kuoyou-preview")?.remove(); // show the page, and what went wrong
    view.model.send({ event: "failed", message: String(error) }); // the tables come anyway
    throw error;
  }
}

export default { render };
