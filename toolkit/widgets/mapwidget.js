// The dashboards' map: plotly.js (geo bundle, from the page or sent as the `plotly_js` trait)
// drawing the figure the kernel sends. `traces_json` (JSON text) and `plot_layout` come from the
// Python figure; the geometry comes once, packed (geo_ids, geo_shape, geo_coords: see
// pack_geometry in mapwidget.py), and is put back as GeoJSON wherever a trace says "@geojson".
// A click on a county sends its location (adcode) to the kernel; each figure drawn and painted
// is reported ({event: "drawn", revision}), and the kernel then sends the tables below the map.
// The first one drawn replaces the static picture the page was served with (preview.py).
// A figure that differs from the one drawn only in its counties' values is repainted without
// plotly.js's full redraw (repaintValues).
const GEOJSON = "@geojson";
// a choropleth's per-county keys a new year (or indicator) changes; layout keys likewise
const VALUES = ["z", "text", "hovertext", "customdata"];
const LAYOUT_VALUES = ["meta", "title"];
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

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const keysOf = (o) => Object.keys(o ?? {}).sort().join();

function valuesOnly(before, traces, layout) {
  // whether `traces` and `layout` differ from `before` only in VALUES of choropleths with a fixed
  // colour range (so the colour bar stays) and in LAYOUT_VALUES (the title's text only)
  if (!before || traces.length !== before.traces.length) return false;
  const traceOk = traces.every((t, i) => {
    const b = before.traces[i];
    if (t.type !== b.type || keysOf(t) !== keysOf(b)) return false;
    const changed = VALUES.filter((k) => k in t && !same(t[k], b[k]));
    if (changed.some((k) => !Array.isArray(t[k]) || t[k].length !== b[k]?.length)) return false;
    const fixedRange = Number.isFinite(t.zmin) && Number.isFinite(t.zmax);
    if (changed.length && (t.type !== "choropleth" || !fixedRange)) return false;
    return Object.keys(t).every((k) => VALUES.includes(k) || same(t[k], b[k]));
  });
  const { text: _a, ...title } = layout.title ?? {};
  const { text: _b, ...titleBefore } = before.layout.title ?? {};
  return (
    traceOk &&
    keysOf(layout) === keysOf(before.layout) &&
    same(title, titleBefore) &&
    Object.keys(layout).every((k) => LAYOUT_VALUES.includes(k) || same(layout[k], before.layout[k]))
  );
}

function repaintValues(gd, traces, layout) {
  // New values for the counties already drawn: the locations, geometry and colour range are
  // unchanged (valuesOnly), so plotly.js's own calc gives each county its value and hover text
  // and its style step colours the paths again. Plotly.react would, for a new `z`, also
  // recompute every county's feature and hover polygons and project every path again (≈0.2 s
  // of a 0.4 s repaint of all China). Returns false, changing nothing, where plotly.js would
  // draw other paths (a county whose value became missing); then the caller redraws.
  const fresh = [];
  for (const [i, t] of traces.entries()) {
    const cd = gd.calcdata?.[i];
    const full = gd._fullData?.[i];
    if (!cd || !full?._module?.calc || full.type !== t.type) return false;
    if (t.type !== "choropleth") {
      fresh.push(null);
      continue;
    }
    const probe = Object.assign(Object.create(Object.getPrototypeOf(full)), full);
    for (const k of VALUES) if (k in t) probe[k] = t[k];
    const items = full._module.calc(gd, probe);
    if (items.length !== cd.length || items.some((c, j) => c.loc !== cd[j].loc)) return false;
    fresh.push(items);
  }
  for (const [i, t] of traces.entries()) {
    if (!fresh[i]) continue;
    for (const k of VALUES) {
      if (k in t) gd.data[i][k] = gd._fullData[i][k] = t[k];
    }
    const cd = gd.calcdata[i];
    fresh[i].forEach((item, j) => {
      const { trace: _trace, t: _t, node3: _node, ...values } = item;
      Object.assign(cd[j], values); // the path's own datum: its geometry and polygons stay
    });
    gd._fullData[i]._module.style(gd, cd);
  }
  gd.layout.meta = gd._fullLayout.meta = layout.meta;
  const title = layout.title?.text;
  if (title === (gd.layout.title?.text ?? gd.layout.title)) return Promise.resolve(gd);
  return window.Plotly.relayout(gd, { "title.text": title });
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
  let drawn = null; // the traces, layout and config plotly.js last drew, once it has drawn them
  let drawing = null;
  const draw = () => {
    queued = false;
    const traces = JSON.parse(model.get("traces_json"));
    const layout = model.get("plot_layout");
    const config = model.get("config");
    const revision = model.get("revision");
    const before = !stale && drawn && same(config, drawn.config) ? drawn : null;
    drawn = null;
    const figure = (drawing = { traces, layout, config });
    let done = valuesOnly(before, traces, layout) && repaintValues(gd, traces, layout);
    if (!done) {
      if (stale) {
        geojson = unpack(model.get("geo_ids"), model.get("geo_shape"), model.get("geo_coords"));
        stale = false;
      }
      const data = traces.map((t) => (t.geojson === GEOJSON ? { ...t, geojson } : t));
      noBaseMap(layout);
      done = window.Plotly.react(gd, data, layout, config);
    }
    Promise.resolve(done)
      .then(() => {
        if (drawing === figure) drawn = figure; // not overtaken by a later draw meanwhile
      })
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
