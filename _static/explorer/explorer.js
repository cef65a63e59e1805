/*
 * The optimizer explorer of book/04_optimizers.ipynb: sliders for the learning rate, β and the
 * number of steps, over paths that lesson5.explorer computed with the package's optimizers and
 * wrote to trajectories.json, which the site build puts in the page just before the explorer
 * (_ext/explorer_data.py). Nothing is computed here and nothing is loaded; the page needs no
 * kernel. The chapter's output holds an empty <div class="optimizer-explorer">; this script
 * fills each one it finds (pages without one are left alone). tests/browser/test_explorer.py
 * moves a slider and checks the drawing follows.
 *
 * File format (see lesson5/explorer.py): per surface, per optimizer, paths[i][j] at learning
 * rate lr * lr_factors[i] and betas[j] (SGD: one β entry), each path a list of integers: the
 * start in thousandths of the window from its lower left corner, then the move of each step.
 */
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  // Each colour keeps 3:1 against the light page and the dark one (WCAG 1.4.11): matplotlib's
  // orange, #ff7f0e, drew at 2.5:1 on white, so momentum's is darker.
  const COLORS = { SGD: "#1f77b4", momentum: "#d06000", RMSProp: "#2ca02c", Adam: "#d62728" };
  const WIDTH = 560;
  // How long the controls must rest before the new paths are said (ms).
  const SETTLE_MS = 700;

  const decode = (codes, box, quantum) => {
    const [x0, x1, y0, y1] = box;
    const points = [];
    let qx = 0;
    let qy = 0;
    for (let i = 0; i < codes.length; i += 2) {
      qx += codes[i];
      qy += codes[i + 1];
      points.push([x0 + (qx / quantum) * (x1 - x0), y0 + (qy / quantum) * (y1 - y0)]);
    }
    return points;
  };

  const element = (tag, attributes = {}, parent = null, ns = null) => {
    const el = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
    if (parent) parent.appendChild(el);
    return el;
  };

  const slider = (form, id, label, count, value) => {
    const row = element("div", { class: "explorer-row" }, form);
    const name = element("label", { for: id, class: "explorer-name" }, row);
    name.textContent = label;
    const input = element("input", { type: "range", id, min: 0, max: count - 1, step: 1 }, row);
    input.value = value;
    // The slider says its value itself (aria-valuetext, set as it moves: its own value is a
    // position in a list), so the value beside it is not a live region announcing it again.
    const shown = element("output", { for: id, "aria-live": "off" }, row);
    return { input, shown };
  };

  // A number in the legend, kept on one line: 1.9e-3 must not break at its hyphen.
  const number = (text) => {
    const span = element("span", { class: "explorer-number" });
    span.textContent = text;
    return span;
  };
  const format = (v) => (v === 0 ? "0" : Math.abs(v) >= 0.01 ? String(+v.toPrecision(3)) : v.toExponential(1));

  const build = (root, data) => {
    const quantum = data.quantum;
    root.textContent = "";
    const uid = `explorer-${Math.random().toString(36).slice(2, 8)}`;
    const form = element("form", { class: "explorer-controls", "aria-label": "Optimizer explorer settings" }, root);
    form.addEventListener("submit", (event) => event.preventDefault());

    const surfaceRow = element("div", { class: "explorer-row" }, form);
    element("label", { for: `${uid}-surface`, class: "explorer-name" }, surfaceRow).textContent = "surface";
    const surfaceSelect = element("select", { id: `${uid}-surface` }, surfaceRow);
    data.surfaces.forEach((s, i) => {
      const option = element("option", { value: i }, surfaceSelect);
      option.textContent = `${s.name}: ${s.formula}`;
    });

    const one = data.lr_factors.indexOf(1);
    const lr = slider(form, `${uid}-lr`, "learning rate ×", data.lr_factors.length, one >= 0 ? one : 0);
    const nine = data.betas.indexOf(0.9);
    const beta = slider(form, `${uid}-beta`, "β", data.betas.length, nine >= 0 ? nine : 0);
    const steps = slider(form, `${uid}-steps`, "steps", 2, 1);

    const boxes = element("div", { class: "explorer-row", role: "group", "aria-labelledby": `${uid}-opts` }, form);
    element("span", { id: `${uid}-opts`, class: "explorer-name" }, boxes).textContent = "optimizers";
    // The options wrap within a box of their own, so a second line starts under the first
    // option rather than under the row's name.
    const options = element("span", { class: "explorer-options" }, boxes);
    const shownOptimizers = {};
    for (const name of data.optimizers) {
      const id = `${uid}-${name}`;
      // The box sits inside its label, so a wrapped row never separates them. Text stays in
      // the theme's colour (readable in light and dark mode); a swatch carries the path's.
      const label = element("label", { for: id, class: "explorer-option" }, options);
      const box = element("input", { type: "checkbox", id, checked: "" }, label);
      box.dataset.optimizer = name;
      shownOptimizers[name] = box;
      element("span", { class: "explorer-swatch", style: `background: ${COLORS[name]}`, "aria-hidden": "true" }, label);
      label.append(name);
    }

    const svg = element("svg", { role: "img", class: "explorer-plot" }, root, SVG);
    const title = element("title", {}, svg, SVG);
    const contours = element("g", { fill: "none", stroke: "#888", "stroke-width": 0.8 }, svg, SVG);
    const paths = element("g", { fill: "none", "stroke-width": 1.6 }, svg, SVG);
    const legend = element("ul", { class: "explorer-legend" }, root);
    // What the paths now show is said once the reader stops moving a control, not at each step:
    // a live legend read out all its lines for every notch of a slider. Nothing is said on load.
    const status = element("p", { class: "explorer-status", role: "status" }, root);
    let pending = null;
    const announce = (text) => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        status.textContent = text;
      }, SETTLE_MS);
    };

    let scale = null;
    const drawSurface = () => {
      const s = data.surfaces[surfaceSelect.value];
      const [x0, x1, y0, y1] = s.box;
      const height = Math.round((WIDTH * (y1 - y0)) / (x1 - x0));
      svg.setAttribute("viewBox", `0 0 ${WIDTH} ${height}`);
      scale = ([x, y]) => [((x - x0) / (x1 - x0)) * WIDTH, height - ((y - y0) / (y1 - y0)) * height];
      contours.textContent = "";
      for (const line of s.contours) {
        const points = decode(line, s.box, quantum).map(scale).map((p) => p.map((v) => v.toFixed(1)).join(","));
        element("polyline", { points: points.join(" ") }, contours, SVG);
      }
      steps.input.max = s.steps;
      steps.input.value = s.steps;
    };

    const draw = () => {
      const s = data.surfaces[surfaceSelect.value];
      const i = +lr.input.value;
      const j = +beta.input.value;
      const k = +steps.input.value;
      lr.shown.textContent = format(data.lr_factors[i]);
      beta.shown.textContent = String(data.betas[j]);
      steps.shown.textContent = String(k);
      for (const { input, shown } of [lr, beta, steps]) input.setAttribute("aria-valuetext", shown.textContent);
      paths.textContent = "";
      legend.textContent = "";
      const start = scale(s.start);
      element("circle", { cx: start[0], cy: start[1], r: 4, fill: "currentColor" }, paths, SVG);
      const described = [];
      for (const name of data.optimizers) {
        if (!shownOptimizers[name].checked) continue;
        const o = s.optimizers[name];
        const entry = o.paths[i][name === "SGD" ? 0 : j];
        const all = decode(entry, s.box, quantum);
        const drawn = all.slice(0, k + 1).map(scale);
        const line = element("polyline", { stroke: COLORS[name], "data-optimizer": name }, paths, SVG);
        line.setAttribute("points", drawn.map((p) => p.map((v) => v.toFixed(1)).join(",")).join(" "));
        const end = drawn[drawn.length - 1];
        element("circle", { cx: end[0], cy: end[1], r: 3, fill: COLORS[name], "data-optimizer": name }, paths, SVG);
        const rate = o.lr * data.lr_factors[i];
        const left = all.length <= s.steps;
        const loss = o.final_loss[i][name === "SGD" ? 0 : j];
        const item = element("li", {}, legend);
        const betaText = name === "SGD" ? "" : `, ${name === "RMSProp" ? "α" : name === "Adam" ? "β1" : "β"} ${data.betas[j]}`;
        element("span", { class: "explorer-swatch", style: `background: ${COLORS[name]}`, "aria-hidden": "true" }, item);
        item.append(`${name} (lr `, number(format(rate)), `${betaText}): `);
        if (left) {
          item.append(`left the window at step ${all.length - 1}`);
        } else {
          // final_loss is the loss after the last step, whatever the steps slider shows.
          item.append(`loss after all ${s.steps} steps `, loss === null ? "overflowed" : number(format(loss)));
        }
        described.push(item.textContent);
      }
      // The plot's name says what it draws; the legend below it, read next, gives each path's
      // rate and loss (named with them too, the plot read every line twice).
      title.textContent = `Paths on ${s.name} from (${s.start.join(", ")}), first ${k} steps, `
        + "of the optimizers listed below";
      return `First ${k} steps. ${described.join(". ")}`;
    };
    const redraw = () => announce(draw());

    surfaceSelect.addEventListener("change", () => {
      drawSurface();
      redraw();
    });
    for (const input of [lr.input, beta.input, steps.input]) input.addEventListener("input", redraw);
    for (const box of Object.values(shownOptimizers)) box.addEventListener("change", redraw);
    drawSurface();
    draw();
    root.dataset.ready = "true";
  };

  const start = () => {
    for (const root of document.querySelectorAll(".optimizer-explorer")) {
      // _ext/explorer_data.py puts the data just before the explorer, so that it draws on a
      // page opened from disk too, where a browser would refuse to fetch a file.
      const holder = root.previousElementSibling;
      if (!holder || !holder.matches("script.optimizer-explorer-data")) {
        root.textContent = "The optimizer explorer found no data on this page: build the site with scripts/build.sh.";
        continue;
      }
      try {
        build(root, JSON.parse(holder.textContent));
      } catch (error) {
        root.textContent = `The optimizer explorer could not read its data (${error.message}).`;
      }
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
