/*
 * The course's playground: the shipped generators, run in the reader's browser.
 *
 * A chapter places   <div class="gan-playground" data-widget="walk|gallery|digit" data-model="NAME">
 * and loads this file. It loads onnxruntime-web (vendored in _static/onnxruntime-web, see its
 * README.txt) and the export of NAME (_static/playground/models/NAME.onnx and NAME.json, written by
 * `python -m gan export-onnx`), then builds the widget. Seed s in a widget is the vector that
 * `gan.sample(G, 1, seed=s)` feeds to G: the export stores those vectors for s = 0 .. 255.
 *
 * Opened from disk (file://), browsers refuse to fetch the network's files and to import the runtime's
 * module, so nothing is tried: the widget says in one line how to serve the site, and the static figure
 * above it stays.
 * A widget starts when it comes near the reader's view, so the 15 MB runtime is fetched only by readers
 * who scroll to one. Test hooks (tests_browser/test_playground.py): window.ganPlayground.settled(),
 * .forwardMs, .timeForward; each widget's data-state ("waiting", "loading", "ready", "unavailable",
 * "failed"), data-renders and data-busy.
 */
(function () {
  "use strict";
  if (window.ganPlayground) return; // loaded twice on one page: the first copy does the work

  const here = new URL(".", document.currentScript.src); // .../_static/playground/
  const runtimeFolder = new URL("../onnxruntime-web/", here).href;
  const PIXELS = 28 * 28;
  const playground = { forwardMs: [], widgets: [] };
  window.ganPlayground = playground;

  // ---------------------------------------------------------------- the runtime and the networks

  let runtime = null;
  function loadRuntime() {
    runtime = runtime || new Promise(function (resolve, reject) {
      if (location.protocol === "file:") {
        reject(new Unavailable("file"));
        return;
      }
      if (typeof WebAssembly !== "object") {
        reject(new Unavailable("wasm"));
        return;
      }
      const tag = document.createElement("script");
      tag.src = runtimeFolder + "ort.wasm.min.js";
      tag.onload = function () {
        const ort = window.ort;
        ort.env.wasm.wasmPaths = runtimeFolder; // the .mjs and .wasm next to it, never a CDN
        ort.env.wasm.numThreads = 1; // threads need a cross-origin-isolated page, which a static host is not
        ort.env.logLevel = "error";
        resolve(ort);
      };
      tag.onerror = function () {
        reject(new Error("could not load " + tag.src));
      };
      document.head.appendChild(tag);
    });
    return runtime;
  }

  function Unavailable(why) {
    this.why = why;
  }

  function decode(base64, Type) {
    const bytes = Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); });
    return new Type(bytes.buffer);
  }

  const models = {};
  function loadModel(name) {
    models[name] = models[name] || (async function () {
      const ort = await loadRuntime();
      const response = await fetch(new URL("models/" + name + ".json", here));
      if (!response.ok) throw new Error("models/" + name + ".json: HTTP " + response.status);
      const meta = await response.json();
      const session = await ort.InferenceSession.create(new URL("models/" + name + ".onnx", here).href, {
        executionProviders: ["wasm"],
      });
      return new Model(ort, meta, session);
    })();
    return models[name];
  }

  function Model(ort, meta, session) {
    this.ort = ort;
    this.meta = meta;
    this.session = session;
    this.zDim = meta.z_dim;
    this.seedCount = meta.seeds.count;
    this.seeds = decode(meta.seeds.z, Float32Array);
    this.queue = Promise.resolve(); // one run at a time per network
  }

  Model.prototype.seed = function (s) {
    return this.seeds.slice(s * this.zDim, (s + 1) * this.zDim);
  };

  // Images (each a Float32Array of 784 values in [-1, 1]) for the latent vectors zs (and the digits).
  Model.prototype.generate = function (zs, digits) {
    const model = this;
    const run = async function () {
      const n = zs.length;
      const flat = new Float32Array(n * model.zDim);
      zs.forEach(function (z, i) { flat.set(z, i * model.zDim); });
      const feeds = { z: new model.ort.Tensor("float32", flat, [n, model.zDim]) };
      if (model.meta.conditional) {
        feeds.labels = new model.ort.Tensor("int64", BigInt64Array.from(digits, BigInt), [n]);
      }
      const start = performance.now();
      const out = await model.session.run(feeds);
      playground.forwardMs.push({ model: model.meta.name, n: n, ms: performance.now() - start });
      const data = out.images.data;
      return zs.map(function (_, i) { return data.subarray(i * PIXELS, (i + 1) * PIXELS); });
    };
    const result = this.queue.then(run);
    this.queue = result.catch(function () {});
    return result;
  };

  // The time of `repeats` forward passes of one image through the network `name`, in milliseconds.
  playground.timeForward = async function (name, repeats) {
    const model = await loadModel(name);
    const digits = model.meta.conditional ? [0] : undefined;
    const times = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      await model.generate([model.seed(i % model.seedCount)], digits);
      times.push(performance.now() - start);
    }
    return times;
  };

  // ---------------------------------------------------------------- latent arithmetic (as gan.latent)

  function lerp(a, b, t) {
    return a.map(function (x, i) { return (1 - t) * x + t * b[i]; });
  }

  function norm(v) {
    return Math.sqrt(v.reduce(function (s, x) { return s + x * x; }, 0));
  }

  function slerp(a, b, t) {
    const na = norm(a), nb = norm(b);
    let cos = a.reduce(function (s, x, i) { return s + (x / na) * (b[i] / nb); }, 0);
    cos = Math.min(1, Math.max(-1, cos));
    const omega = Math.acos(cos), sin = Math.sin(omega);
    if (Math.abs(sin) < 1e-6) return lerp(a, b, t); // parallel: the arc is the straight line
    const wa = Math.sin((1 - t) * omega) / sin, wb = Math.sin(t * omega) / sin;
    return a.map(function (x, i) { return wa * x + wb * b[i]; });
  }

  function combine(a, b, sign) {
    return a.map(function (x, i) { return x + sign * b[i]; });
  }

  // ---------------------------------------------------------------- drawing and controls

  // Grey levels as `python -m gan export-onnx` stores PyTorch's: round((x + 1) * 127.5), white ink on black.
  function draw(canvas, image) {
    const context = canvas.getContext("2d");
    const pixels = context.createImageData(28, 28);
    for (let i = 0; i < PIXELS; i++) {
      const x = Math.min(1, Math.max(-1, image[i]));
      const grey = Math.round((x + 1) * 127.5);
      pixels.data[4 * i] = pixels.data[4 * i + 1] = pixels.data[4 * i + 2] = grey;
      pixels.data[4 * i + 3] = 255;
    }
    context.putImageData(pixels, 0, 0);
  }

  function element(tag, attributes, children) {
    const el = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") el.textContent = attributes[key];
      else el.setAttribute(key, attributes[key]);
    });
    (children || []).forEach(function (child) { el.appendChild(child); });
    return el;
  }

  let ids = 0;
  function uid(what) {
    ids += 1;
    return "gan-playground-" + what + "-" + ids;
  }

  // A 28x28 canvas shown larger (CSS), with a caption and a description a screen reader reads.
  function picture(caption, size) {
    const canvas = element("canvas", { width: 28, height: 28, role: "img", class: "gan-pg-" + (size || "small") });
    const figure = element("figure", { class: "gan-pg-picture" }, [canvas, element("figcaption", { text: caption })]);
    return { figure: figure, canvas: canvas, caption: figure.lastChild };
  }

  function labelled(text, input) {
    input.id = input.id || uid("input");
    return element("span", { class: "gan-pg-control" }, [element("label", { for: input.id, text: text }), input]);
  }

  // The seed a number box asks for, within 0 .. count - 1 (an empty or odd box counts as 0). The box itself
  // is corrected only when the reader leaves it ("change"), not while they type.
  function seedOf(input, count) {
    const s = Math.round(Number(input.value));
    return Number.isFinite(s) ? Math.min(count - 1, Math.max(0, s)) : 0;
  }

  function seedBox(value, count, update) {
    const input = element("input", { type: "number", min: 0, max: count - 1, step: 1, value: value, inputmode: "numeric" });
    input.addEventListener("input", update);
    input.addEventListener("change", function () { input.value = seedOf(input, count); });
    return input;
  }

  function randomSeed(count, not) {
    let s;
    do { s = Math.floor(Math.random() * count); } while (not && not.indexOf(s) >= 0);
    return s;
  }

  function fixed(x) {
    return Number(x).toFixed(2);
  }

  // Re-render when a control changes; while a render runs, only the latest request waits. `read` takes
  // the controls' state before the network runs, `show` draws what the network returned for that state,
  // so a control moved meanwhile cannot mislabel the images (the next render draws the new state).
  function renderer(root, read, run, show) {
    let running = false, again = false;
    return async function update() {
      if (running) { again = true; return; }
      running = true;
      root.dataset.busy = "1";
      try {
        do {
          again = false;
          const state = read();
          show(state, await run(state));
          root.dataset.renders = String(Number(root.dataset.renders || 0) + 1);
        } while (again);
      } catch (err) {
        fail(root, err);
      } finally {
        running = false;
        delete root.dataset.busy;
      }
    };
  }

  // ---------------------------------------------------------------- the widgets
  //
  // Canvases that show a seed carry data-seed (and data-label); those that show a latent vector computed
  // from seeds carry data-check, named as `python -m gan export-onnx` names the PyTorch images it stores
  // ("slerp(2, 3, 0.50)", "2 - 3", "0 + (1.00, 0.00, 0.00) d"), so the browser tests can compare them.

  const widgets = {};

  // Chapter 8: two seeds, the path between them (lerp or slerp), and their sums and differences.
  widgets.walk = function (root, model) {
    const count = model.seedCount;
    let update = function () {};
    const later = function () { update(); };
    const seedA = seedBox(2, count, later), seedB = seedBox(3, count, later);
    const fresh = element("button", { type: "button", text: "New seeds" });
    const slider = element("input", { type: "range", min: 0, max: 1, step: 0.05, value: 0.5 });
    slider.dataset.role = "t";
    const sliderControl = labelled("t (0: A, 1: B)", slider);
    const tValue = element("output", { for: slider.id, text: "0.50" });
    const methodName = uid("method");
    const methods = ["slerp", "lerp"].map(function (m, i) {
      const radio = element("input", { type: "radio", name: methodName, value: m, id: uid("method") });
      radio.checked = i === 0;
      return radio;
    });
    const methodBox = element("fieldset", { class: "gan-pg-control" }, [element("legend", { text: "Path" })].concat(
      methods.map(function (r) {
        return element("span", { class: "gan-pg-choice" }, [r, element("label", { for: r.id, text: r.value === "slerp" ? "spherical (slerp)" : "straight (lerp)" })]);
      })));
    const a = picture("seed A", "large"), mid = picture("between", "large"), b = picture("seed B", "large");
    const steps = Array.from({ length: 8 }, function (_, i) { return picture("t = " + fixed(i / 7)); });
    const sums = ["A + B", "A \u2212 B", "B \u2212 A"].map(function (name) { return picture(name, "large"); });
    root.append(
      element("div", { class: "gan-pg-controls" }, [labelled("Seed A", seedA), labelled("Seed B", seedB), fresh, methodBox,
        sliderControl, tValue]),
      element("div", { class: "gan-pg-row" }, [a.figure, mid.figure, b.figure]),
      element("p", { class: "gan-pg-note", text: "Eight steps along the path:" }),
      element("div", { class: "gan-pg-row" }, steps.map(function (p) { return p.figure; })),
      element("p", { class: "gan-pg-note", text: "Seed arithmetic:" }),
      element("div", { class: "gan-pg-row" }, sums.map(function (p) { return p.figure; })));

    update = renderer(root,
      function read() {
        return { a: seedOf(seedA, count), b: seedOf(seedB, count), method: methods[0].checked ? "slerp" : "lerp", t: Number(slider.value) };
      },
      function run(st) {
        const za = model.seed(st.a), zb = model.seed(st.b), path = st.method === "slerp" ? slerp : lerp;
        return model.generate([za, zb, path(za, zb, st.t)]
          .concat(steps.map(function (_, i) { return path(za, zb, i / 7); }))
          .concat([combine(za, zb, 1), combine(za, zb, -1), combine(zb, za, -1)]));
      },
      function show(st, images) {
        const pictures = [a, b, mid].concat(steps, sums);
        const labels = ["seed " + st.a, "seed " + st.b, st.method + " at t = " + fixed(st.t) + " from seed " + st.a + " to seed " + st.b]
          .concat(steps.map(function (_, i) { return st.method + " step " + (i + 1) + " of 8 from seed " + st.a + " to seed " + st.b; }))
          .concat(["seed " + st.a + " plus seed " + st.b, "seed " + st.a + " minus seed " + st.b, "seed " + st.b + " minus seed " + st.a]);
        pictures.forEach(function (p, i) {
          draw(p.canvas, images[i]);
          p.canvas.setAttribute("aria-label", "Generated image: " + labels[i]);
        });
        a.canvas.dataset.seed = st.a;
        b.canvas.dataset.seed = st.b;
        mid.canvas.dataset.check = st.method + "(" + st.a + ", " + st.b + ", " + fixed(st.t) + ")";
        [st.a + " + " + st.b, st.a + " - " + st.b, st.b + " - " + st.a].forEach(function (name, i) { sums[i].canvas.dataset.check = name; });
        tValue.textContent = fixed(st.t);
        a.caption.textContent = "seed A = " + st.a;
        b.caption.textContent = "seed B = " + st.b;
      });
    [slider].concat(methods).forEach(function (input) { input.addEventListener("input", update); });
    fresh.addEventListener("click", function () {
      const sa = randomSeed(count);
      seedA.value = sa;
      seedB.value = randomSeed(count, [sa]);
      update();
    });
    return update();
  };

  // The DCGAN chapter: a gallery to draw again, and sliders along the directions that change the image most.
  widgets.gallery = function (root, model) {
    const count = model.seedCount, directions = model.meta.directions;
    const again = element("button", { type: "button", text: "Draw again" });
    const reset = element("button", { type: "button", text: "Reset sliders" });
    let seeds = Array.from({ length: 16 }, function (_, i) { return i; });
    let chosen = 0;
    // The tiles are one radio group: Tab enters it at the chosen image, the arrow keys choose another.
    const tiles = seeds.map(function (_, i) {
      const p = picture("");
      const button = element("button", { type: "button", class: "gan-pg-tile", role: "radio", "aria-checked": "false", tabindex: "-1" }, [p.figure]);
      button.addEventListener("click", function () { choose(i, false); });
      button.addEventListener("keydown", function (event) {
        const move = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (move) {
          event.preventDefault();
          choose((i + move + tiles.length) % tiles.length, true);
        }
      });
      return { button: button, picture: p };
    });
    const sliders = directions.vectors.map(function (_, k) {
      const input = element("input", { type: "range", min: -3, max: 3, step: 0.25, value: 0 });
      input.dataset.role = "direction-" + (k + 1);
      return input;
    });
    const values = sliders.map(function () { return element("output", { text: "0.00" }); });
    const big = picture("", "large");
    root.append(
      element("div", { class: "gan-pg-controls" }, [again]),
      element("div", { class: "gan-pg-grid", role: "radiogroup", "aria-label": "Gallery: the image to move along the directions" },
        tiles.map(function (t) { return t.button; })),
      element("div", { class: "gan-pg-row" }, [
        big.figure,
        element("div", { class: "gan-pg-sliders" }, sliders.map(function (input, k) {
          return element("span", { class: "gan-pg-control" }, [
            labelled("Direction " + (k + 1) + " (RMS change " + fixed(directions.rms_change[k]) + " per unit)", input),
            values[k]]);
        }).concat([reset])),
      ]));

    const update = renderer(root,
      function read() {
        return { seeds: seeds.slice(), chosen: chosen, steps: sliders.map(function (input) { return Number(input.value); }) };
      },
      function run(st) {
        const z = Array.from(model.seed(st.seeds[st.chosen]));
        st.steps.forEach(function (step, k) {
          directions.vectors[k].forEach(function (v, i) { z[i] += step * v; });
        });
        return model.generate(st.seeds.map(function (s) { return model.seed(s); }).concat([z]));
      },
      function show(st, images) {
        tiles.forEach(function (tile, i) {
          draw(tile.picture.canvas, images[i]);
          tile.picture.canvas.dataset.seed = st.seeds[i];
          tile.picture.canvas.setAttribute("aria-label", "Generated image of seed " + st.seeds[i]);
          tile.picture.caption.textContent = "seed " + st.seeds[i];
          tile.button.setAttribute("aria-checked", String(i === st.chosen));
          tile.button.tabIndex = i === st.chosen ? 0 : -1;
        });
        draw(big.canvas, images[images.length - 1]);
        const moved = st.steps.map(fixed);
        big.canvas.dataset.check = st.seeds[st.chosen] + " + (" + moved.join(", ") + ") d";
        values.forEach(function (out, k) { out.textContent = moved[k]; });
        big.caption.textContent = "seed " + st.seeds[st.chosen] + " moved by (" + moved.join(", ") + ")";
        big.canvas.setAttribute("aria-label", "Generated image of seed " + st.seeds[st.chosen] +
          " moved along the three directions by " + moved.join(", "));
      });

    function choose(i, focus) {
      chosen = i;
      tiles.forEach(function (tile, j) { tile.button.tabIndex = j === i ? 0 : -1; });
      if (focus) tiles[i].button.focus();
      update();
    }
    sliders.forEach(function (input) { input.addEventListener("input", update); });
    again.addEventListener("click", function () {
      const picked = [];
      while (picked.length < seeds.length) picked.push(randomSeed(count, picked));
      seeds = picked;
      update();
    });
    reset.addEventListener("click", function () {
      sliders.forEach(function (input) { input.value = 0; });
      update();
    });
    tiles[0].button.tabIndex = 0;
    return update();
  };

  // The conditional chapter: choose a digit and a style (a seed); the same style for all ten digits.
  widgets.digit = function (root, model) {
    const count = model.seedCount, classes = model.meta.classes;
    let update = function () {};
    const digit = element("select", {}, Array.from({ length: classes }, function (_, d) {
      return element("option", { value: d, text: String(d) });
    }));
    digit.value = "7";
    const style = seedBox(0, count, function () { update(); });
    const fresh = element("button", { type: "button", text: "New style" });
    const big = picture("", "large");
    const row = Array.from({ length: classes }, function (_, d) { return picture("digit " + d); });
    root.append(
      element("div", { class: "gan-pg-controls" }, [labelled("Digit", digit), labelled("Style (seed)", style), fresh]),
      element("div", { class: "gan-pg-row" }, [big.figure]),
      element("p", { class: "gan-pg-note", text: "The same style, every digit:" }),
      element("div", { class: "gan-pg-row" }, row.map(function (p) { return p.figure; })));

    update = renderer(root,
      function read() {
        return { s: seedOf(style, count), d: Number(digit.value) };
      },
      function run(st) {
        const z = model.seed(st.s), labels = [st.d].concat(row.map(function (_, k) { return k; }));
        return model.generate(labels.map(function () { return z; }), labels);
      },
      function show(st, images) {
        draw(big.canvas, images[0]);
        big.canvas.dataset.seed = st.s;
        big.canvas.dataset.label = st.d;
        big.caption.textContent = "digit " + st.d + ", style " + st.s;
        big.canvas.setAttribute("aria-label", "Generated digit " + st.d + " in the style of seed " + st.s);
        row.forEach(function (p, k) {
          draw(p.canvas, images[k + 1]);
          p.canvas.dataset.seed = st.s;
          p.canvas.dataset.label = k;
          p.canvas.setAttribute("aria-label", "Generated digit " + k + " in the style of seed " + st.s);
        });
      });
    digit.addEventListener("input", update);
    fresh.addEventListener("click", function () {
      style.value = randomSeed(count, [seedOf(style, count)]);
      update();
    });
    return update();
  };

  // ---------------------------------------------------------------- start every widget on the page

  // One live region per widget, in place from the start, so that a screen reader announces its changes.
  function say(root, text, className) {
    let status = root.querySelector(".gan-pg-status");
    if (!status) {
      status = element("p", { class: "gan-pg-status", role: "status", "aria-live": "polite" });
      root.appendChild(status);
    }
    status.className = "gan-pg-status " + (className || "");
    status.textContent = text;
  }

  function fail(root, err) {
    root.dataset.state = "failed";
    say(root, "The playground stopped: " + (err && err.message ? err.message : err) +
      ". The figure above shows the same network.", "gan-pg-failed");
    console.warn("gan playground:", err); // a warning: a page whose widget cannot run is still a working page
  }

  const CAPTIONS = {
    walk: "Seed s is the vector gan.sample(G, 1, seed=s) feeds to G in Python.",
    gallery: "Seed s is the vector gan.sample(G, 1, seed=s) feeds to G in Python.",
    digit: "Style s with digit d is what gan.sample(G, 1, seed=s, labels=d) draws in Python.",
  };

  async function start(root) {
    const kind = root.dataset.widget, name = root.dataset.model;
    root.dataset.state = "loading";
    root.querySelectorAll(".gan-playground-fallback").forEach(function (el) { el.remove(); });
    say(root, "Loading the generator (" + name + ") into your browser\u2026");
    try {
      if (!widgets[kind]) throw new Error("unknown widget " + kind);
      const model = await loadModel(name);
      root.insertBefore(element("p", { class: "gan-pg-caption", text: "This network (" + name + ", " +
        model.meta.generator + ") runs in your browser with onnxruntime-web; nothing is sent anywhere. " +
        CAPTIONS[kind] }), root.firstChild);
      await widgets[kind](root, model);
      if (root.dataset.state !== "failed") {
        root.dataset.state = "ready";
        say(root, "");
      }
    } catch (err) {
      if (err instanceof Unavailable) {
        root.dataset.state = "unavailable";
        say(root, err.why === "file"
          ? "Browsers do not let a page opened from disk load the network; to play with it, serve the site " +
            "folder (the one with index.html): python -m http.server -d _build/html, then open http://localhost:8000."
          : "This browser has no WebAssembly, which the playground needs; the figure above shows the same network.");
      } else {
        fail(root, err);
      }
    }
  }

  const style = document.createElement("style");
  style.textContent = [
    ".gan-playground{border:1px solid var(--pst-color-border,#ccc);border-radius:6px;padding:.6em .8em;margin:1em 0}",
    ".gan-pg-controls{display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center;margin-bottom:.5em}",
    ".gan-pg-control{display:inline-flex;gap:.4em;align-items:center}",
    ".gan-pg-control input[type=number]{width:4.5em}",
    "fieldset.gan-pg-control{border:0;padding:0;margin:0}",
    "fieldset.gan-pg-control legend{float:left;margin-right:.4em;font-size:inherit;width:auto}",
    ".gan-pg-row{display:flex;flex-wrap:wrap;gap:.6em;align-items:flex-start}",
    ".gan-pg-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(64px,1fr));gap:.3em;max-width:37em;margin-bottom:.6em}",
    ".gan-pg-picture{margin:0;text-align:center;font-size:.8em;white-space:nowrap}",
    ".gan-pg-picture canvas{image-rendering:pixelated;display:block;background:#000}",
    "canvas.gan-pg-small{width:56px;height:56px}canvas.gan-pg-large{width:112px;height:112px}",
    ".gan-pg-tile{padding:2px;border:2px solid transparent;background:none;border-radius:4px}",
    ".gan-pg-tile[aria-checked=true]{border-color:var(--pst-color-primary,#1a73e8)}",
    ".gan-pg-choice{margin-right:.6em}",
    ".gan-pg-sliders{display:flex;flex-direction:column;gap:.3em;align-items:flex-start}",
    ".gan-pg-note,.gan-pg-caption,.gan-pg-status{margin:.4em 0;font-size:.9em}",
    ".gan-pg-caption{font-style:italic}",
  ].join("\n");
  document.head.appendChild(style);

  // A widget starts (and the page downloads the runtime and its network, 17-19 MB the first time) only
  // when it comes near the reader's view: a reader who never scrolls to it downloads nothing.
  const started = [];
  playground.settled = function () { return Promise.all(started); };
  function startAll() {
    const roots = Array.from(document.querySelectorAll(".gan-playground"));
    playground.widgets = roots;
    const begin = function (root) { started.push(start(root)); };
    if (!("IntersectionObserver" in window)) {
      roots.forEach(begin);
      return;
    }
    const observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          begin(entry.target);
        }
      });
    }, { rootMargin: "400px 0px" });
    roots.forEach(function (root) {
      root.dataset.state = "waiting";
      observer.observe(root);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
