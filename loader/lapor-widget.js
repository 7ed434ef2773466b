/*! LAPOR! widget loader. One <script> tag on any regional government site:
 *  <script src="https://GATEWAY/widget/lapor-widget.js"
 *          data-endpoint="https://GATEWAY/api/v1" data-lang="id" async></script>
 * Optional: data-target="CSS selector" (default: right after this tag).
 * data-mode="launcher": a Lapor! button in a bottom corner (data-position
 * bottom-right or bottom-left) opens the form in a modal dialog.
 * Script API: LaporWidget.mount(element, {endpoint, lang}) -> {unmount()},
 * LaporWidget.open() (the launcher's dialog; false when there is none).
 * A classic script on purpose: it must work with async and defer, and it
 * defines no global but LaporWidget. */
(function () {
  "use strict";

  // scripts/build-widget.sh replaces these two names with the content-hashed
  // ones, so the glue and the Wasm can be cached forever and this file cannot.
  var GLUE = "lapor_widget.js";
  var WASM = "lapor_widget_bg.wasm";
  // And the form's first paint, rendered at build time (examples/prerender.rs).
  var FORM = { id: "form-id.json", en: "form-en.json" };
  // How long the citizen pauses in the pre-rendered form before the Wasm takes it over.
  var QUIET = 500;

  var doc = document;
  // Read synchronously: currentScript is null once this first run is over.
  var me = doc.currentScript;
  var src = (me && me.src) || "";
  var base = src ? new URL(".", src).href : "";

  // The message shown in the widget's place when it cannot appear. Both
  // languages, the chosen one first, with the way to still file a report.
  var TEXT = {
    id: [
      "Formulir LAPOR! tidak dapat dimuat.",
      "Formulir LAPOR! belum dikonfigurasi (atribut data-endpoint tidak ada).",
      "Formulir LAPOR! tidak menemukan tempatnya (data-target tidak cocok).",
      "Anda tetap dapat melapor di "
    ],
    en: [
      "The LAPOR! form could not be loaded.",
      "The LAPOR! form is not configured (the data-endpoint attribute is missing).",
      "The LAPOR! form did not find its place (data-target matches nothing).",
      "You can still file your report at "
    ]
  };
  var CSS =
    ".lw-fail{font:16px/1.5 system-ui,sans-serif;color:#1f2933;background:#fff;" +
    "border:2px solid #b42318;border-left-width:6px;border-radius:4px;" +
    "padding:12px 16px;margin:8px 0;display:block;max-width:40rem}" +
    ".lw-fail p{margin:0 0 6px}.lw-fail p+p{margin-top:10px}.lw-fail a{color:#0b5cab}";

  // Shared by every copy of this loader on the page (two tags, or a second
  // script calling LaporWidget.mount): one import and one Wasm init per glue
  // URL, and the live handle of each host element.
  var W = window.LaporWidget || {};
  var shared = W._shared || { loads: {}, hosts: new WeakMap(), got: {} };
  try {
    Object.defineProperty(W, "_shared", { value: shared });
  } catch (e) {
    /* already defined by an earlier copy */
  }
  var loads = shared.loads;

  // The glue's import and the Wasm's streaming compile start together, not one after the
  // other; the glue instantiates the compiled module.
  function load() {
    var glue = base + GLUE;
    if (!loads[glue]) {
      var url = base + WASM;
      var wasm = WebAssembly.compileStreaming
        ? WebAssembly.compileStreaming(fetch(url))["catch"](function () {
            return url; // e.g. a wrong content type: the glue fetches it itself
          })
        : url;
      loads[glue] = import(glue).then(function (m) {
        return m.default({ module_or_path: wasm }).then(function () {
          return m;
        });
      });
      // A failed load may be retried by a later mount (e.g. after going online).
      loads[glue]["catch"](function () {
        delete loads[glue];
      });
    }
    return loads[glue];
  }

  // GET once per URL, resolving as the widget's own getJson does ([status, body]), never
  // rejecting. Started by the loader so that no request waits for the Wasm.
  function get(url) {
    if (!shared.got[url]) {
      shared.got[url] = fetch(url, { credentials: "omit" }).then(
        function (r) {
          var body = r.ok ? r.json() : null;
          return Promise.resolve(body).then(
            function (b) {
              return [r.status, b];
            },
            function () {
              return [r.status, null];
            }
          );
        },
        function () {
          delete shared.got[url];
          return [0, null];
        }
      );
    }
    return shared.got[url];
  }
  // What the form needs from the gateway, as [url, promise] pairs for the widget's mount.
  function json(endpoint) {
    return ["/config", "/regions"].map(function (p) {
      return [endpoint + p, get(endpoint + p)];
    });
  }

  // The pre-rendered form, put into the shadow root while the Wasm is still on its way: the
  // citizen can type, tick and choose at once. The Wasm takes it over (src/io/takeover.rs).
  // It comes with its stylesheet, made a constructed sheet (a strict CSP forbids inline
  // style). A press of the submit button is remembered for the Wasm. `shown` gets the
  // form's container and is told of each press of a key or pointer in it.
  function paint(host, l, late, shown) {
    return get(base + FORM[l]).then(function (a) {
      if (!a[1] || late()) return;
      var root = host.shadowRoot || host.attachShadow({ mode: "open" });
      if (root.firstChild) return;
      var tpl = doc.createElement("template");
      tpl.innerHTML = a[1].html;
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(a[1].css);
      root.adoptedStyleSheets = [sheet];
      var box = doc.createElement("div");
      box.className = "lapor";
      box.setAttribute("data-lapor-prerendered", "");
      box.append(tpl.content);
      root.append(box);
      shown(box, false);
      ["keydown", "input", "pointerdown", "focusin"].forEach(function (n) {
        box.addEventListener(n, function () {
          shown(box, false);
        });
      });
      var form = box.querySelector("form");
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        box.setAttribute("data-lapor-submit", "");
        var b = form.querySelector("[data-lapor-pending]");
        b.textContent = b.getAttribute("data-lapor-pending");
        shown(box, true);
      });
    })["catch"](function () {
      /* no first paint: the Wasm renders the form when it comes */
    });
  }

  function lang(v) {
    return v === "en" ? "en" : "id";
  }

  // Renders the failure message in the host's shadow root, out of reach of
  // the host page's CSS, with no inline style (strict CSPs forbid it).
  function fail(host, code, l) {
    var root = host.shadowRoot;
    if (!root) {
      try {
        root = host.attachShadow({ mode: "open" });
      } catch (e) {
        root = host; // elements that cannot host a shadow root
      }
    }
    if (root !== host && root.adoptedStyleSheets) {
      try {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      } catch (e) {
        /* unstyled text is still readable */
      }
    }
    var box = doc.createElement("div");
    box.className = "lw-fail";
    box.setAttribute("role", "alert");
    var order = l === "en" ? ["en", "id"] : ["id", "en"];
    for (var i = 0; i < 2; i++) {
      var t = TEXT[order[i]];
      var p = doc.createElement("p");
      p.lang = order[i];
      var a = doc.createElement("a");
      a.href = "https://www.lapor.go.id/";
      a.textContent = "www.lapor.go.id";
      p.append(t[code] + " " + t[3], a, ".");
      box.append(p);
    }
    while (root.firstChild) root.removeChild(root.firstChild);
    root.append(box);
  }

  function mount(host, options) {
    if (!host || host.nodeType !== 1) {
      throw new TypeError("LaporWidget.mount: the first argument must be an element");
    }
    // Mounting again in the same element replaces the widget, never doubles it.
    var previous = shared.hosts.get(host);
    if (previous) previous.unmount();
    var o = options || {};
    var endpoint = typeof o.endpoint === "string" ? o.endpoint.trim() : "";
    var l = lang(o.lang);
    var dead = false;
    var inner = null;
    // The launcher mounts into its closed dialog on intent (o._held): the pre-rendered form is
    // built before the click, and neither the take-over nor a failure message comes before
    // the dialog opens (_release). A load that failed meanwhile makes _release() say false.
    var held = !!o._held;
    var broken = false;
    if (!endpoint) {
      fail(host, 1, l);
    } else if (!base) {
      fail(host, 0, l);
    } else {
      var api = endpoint.replace(/\/+$/, "");
      var prefetched = json(api);
      // The take-over (the Wasm's first render: a long task on a slow phone) waits while
      // the citizen works in the pre-rendered form, until QUIET ms pass without a key or
      // pointer pressed in it, so that no keystroke waits behind it. A press of "Kirim
      // Laporan" starts it at once.
      var last = 0;
      var module = null;
      var timer = 0;
      var takeOver = function () {
        clearTimeout(timer);
        if (dead || inner || !module || held) return;
        var wait = last ? last + QUIET - Date.now() : 0;
        if (wait > 0) {
          timer = setTimeout(takeOver, wait);
          return;
        }
        try {
          inner = module.mount(host, { endpoint: endpoint, lang: l, prefetched: prefetched });
        } catch (e) {
          fail(host, 0, l);
        }
      };
      // The form's few kilobytes first: on a slow link the Wasm's download would delay them.
      // A load already under way (a launcher's prefetch) is not held back.
      var painted = paint(
        host,
        l,
        function () {
          return dead || inner;
        },
        function (box, now) {
          last = now ? 0 : Date.now();
          if (now) takeOver();
        }
      );
      (loads[base + GLUE] ? Promise.resolve() : painted).then(load).then(
        function (m) {
          module = m;
          takeOver();
        },
        function (e) {
          if (held) broken = true;
          else if (!dead) fail(host, 0, l);
          // Say why in the console for the webmaster: CSP, network, blocker.
          if (window.console) console.error("LAPOR! widget:", e);
        }
      );
    }
    var handle = {
      _release: function () {
        if (!held) return true;
        held = false;
        if (broken) return false;
        last = Date.now();
        takeOver();
        return true;
      },
      unmount: function () {
        if (dead) return;
        dead = true;
        if (shared.hosts.get(host) === handle) shared.hosts["delete"](host);
        if (inner) inner.unmount();
        inner = null;
        var root = host.shadowRoot;
        if (root) while (root.firstChild) root.removeChild(root.firstChild);
      }
    };
    shared.hosts.set(host, handle);
    return handle;
  }

  if (!W.mount) W.mount = mount;
  if (!W.open)
    W.open = function () {
      return shared.open ? (shared.open(), true) : false;
    };
  window.LaporWidget = W;

  // The script tag's own instance.
  if (!me) return;
  var attr = function (n) {
    return me.getAttribute("data-" + n);
  };
  var opts = { endpoint: attr("endpoint") || "", lang: lang(attr("lang")) };
  var target = attr("target");


  // The launcher: a button fixed in a bottom corner, in a shadow root of its
  // own, that costs nothing but this file until the citizen shows intent.
  // Labels: button, its accessible name, waiting reports, dialog title, close.
  var LTEXT = {
    id: ["Lapor!", "Buat laporan ke LAPOR!", "laporan menunggu koneksi", "Laporan ke LAPOR!", "Tutup"],
    en: ["Lapor!", "File a report with LAPOR!", "waiting for a connection", "Report to LAPOR!", "Close"]
  };
  var LCSS =
    ":host{all:initial}" +
    ".lw-b{position:fixed;z-index:2147483000;bottom:calc(16px + env(safe-area-inset-bottom,0px));" +
    "right:calc(16px + env(safe-area-inset-right,0px));display:inline-flex;align-items:center;gap:8px;" +
    "min-height:48px;padding:0 20px;border:2px solid #fff;border-radius:24px;" +
    "background:var(--lapor-accent,#b42318);color:#fff;font:700 18px/1 system-ui,sans-serif;" +
    "cursor:pointer;box-shadow:0 2px 10px rgba(0,0,0,.35)}" +
    ".lw-l{right:auto;left:calc(16px + env(safe-area-inset-left,0px))}" +
    ".lw-b:hover{filter:brightness(.92)}" +
    ".lw-b:focus-visible{outline:3px solid #1f2933;outline-offset:3px}" +
    ".lw-n{min-width:22px;padding:3px 6px;border-radius:11px;background:#fff;color:#1f2933;" +
    "font-size:14px;text-align:center;box-sizing:border-box}" +
    "[hidden]{display:none!important}" +
    "dialog{box-sizing:border-box;width:min(704px,calc(100vw - 16px));max-width:none;" +
    "max-height:calc(100vh - 16px);max-height:calc(100dvh - 16px);padding:0;border:0;border-radius:8px;background:#fff;" +
    "color:#1f2933;font:16px/1.5 system-ui,sans-serif;overflow:auto;overscroll-behavior:contain}" +
    "dialog::backdrop{background:rgba(15,23,42,.6)}" +
    // Prepared but closed: laid out but unseen (opacity, which nothing inside can undo; the
    // form's own :host resets what is inherited) and out of reach (inert, aria-hidden), so that
    // opening it costs no style or layout of the whole form.
    ".lw-p:not([open]){display:block;opacity:0;position:fixed;top:0;left:0;margin:0}" +
    ".lw-h{position:sticky;top:0;z-index:1;display:flex;align-items:center;justify-content:space-between;" +
    "gap:12px;padding:8px 8px 8px 16px;background:#fff;border-bottom:1px solid #d2d6dc}" +
    "h2{margin:0;font-size:20px;line-height:1.3}h2:focus{outline:none}" +
    ".lw-x{min-height:44px;min-width:44px;padding:0 14px;border:2px solid #52606d;border-radius:6px;" +
    "background:#fff;color:#1f2933;font:600 16px/1 system-ui,sans-serif;cursor:pointer}" +
    ".lw-x:focus-visible{outline:3px solid #0b5cab;outline-offset:2px}" +
    ".lw-w{padding:0 8px 8px}";

  function launcher() {
    var t = LTEXT[opts.lang];
    var host = doc.createElement("div");
    host.className = "lapor-launcher-host";
    var root = host.attachShadow({ mode: "open" });
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(LCSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      /* an unstyled button still works */
    }
    var el = function (tag, cls, text) {
      var n = doc.createElement(tag);
      if (cls) n.className = cls;
      if (text) n.textContent = text;
      return n;
    };
    var button = el("button", attr("position") === "bottom-left" ? "lw-b lw-l" : "lw-b", t[0]);
    button.type = "button";
    button.lang = opts.lang;
    button.setAttribute("aria-haspopup", "dialog");
    var badge = el("span", "lw-n");
    badge.hidden = true;
    badge.setAttribute("aria-hidden", "true");
    button.append(badge);
    var dialog = el("dialog");
    dialog.lang = opts.lang;
    dialog.setAttribute("aria-labelledby", "lw-t");
    var head = el("div", "lw-h");
    var title = el("h2", "", t[3]);
    title.id = "lw-t";
    title.tabIndex = -1;
    var close = el("button", "lw-x", t[4]);
    close.type = "button";
    var place = el("div", "lw-w");
    head.append(title, close);
    dialog.append(head, place);
    root.append(button, dialog);

    // Waiting reports (the widget's outbox store) shown on the button.
    function label(n) {
      button.setAttribute("aria-label", t[1] + (n ? " (" + n + " " + t[2] + ")" : ""));
      badge.textContent = n ? String(n) : "";
      badge.hidden = !n;
    }
    label(0);
    function count() {
      try {
        var r = indexedDB.open("lapor-widget");
        // No database yet: create none, the widget makes it with its stores.
        r.onupgradeneeded = function () {
          try {
            r.transaction.abort();
          } catch (e) {
            /* nothing to undo */
          }
        };
        r.onsuccess = function () {
          var db = r.result;
          try {
            var c = db.transaction("outbox", "readonly").objectStore("outbox").count();
            c.onsuccess = function () {
              label(c.result);
            };
          } catch (e) {
            /* no outbox store: nothing waits */
          }
          db.close();
        };
        r.onerror = function (e) {
          if (e && e.preventDefault) e.preventDefault();
        };
      } catch (e) {
        /* storage off: no badge */
      }
    }
    count();

    var handle = null;
    var inner = null;
    function prepare(held) {
      if (handle || !host.isConnected) return;
      if (!inner) {
        inner = el("div");
        place.append(inner);
        // The event is composed: the page sees it too. The outbox changed.
        inner.addEventListener("lapor:submitted", count);
      }
      handle = mount(inner, { endpoint: opts.endpoint, lang: opts.lang, _held: held });
      dialog.classList.add("lw-p");
      conceal(true);
    }
    function conceal(on) {
      dialog.inert = on;
      if (on) dialog.setAttribute("aria-hidden", "true");
      else dialog.removeAttribute("aria-hidden");
    }
    // Intent (pointer, focus, touch), or an idle moment after load on a
    // connection that can afford it, fetches and compiles the widget.
    function prefetch() {
      // The pre-rendered form, built into the closed dialog, and the gateway's JSON, so that
      // a click shows the form at once; then the Wasm (mount fetches the form's few
      // kilobytes first, which the Wasm's download would otherwise slow down).
      if (base) prepare(true);
    }
    ["pointerenter", "focus", "touchstart"].forEach(function (n) {
      button.addEventListener(n, prefetch, { passive: true });
    });
    function idle() {
      var c = navigator.connection;
      if (c && (c.saveData || /2g/.test(c.effectiveType || ""))) return;
      if (window.requestIdleCallback) requestIdleCallback(prefetch, { timeout: 5000 });
      else setTimeout(prefetch, 2000);
    }
    if (doc.readyState === "complete") idle();
    else window.addEventListener("load", idle);

    function open() {
      if (dialog.open) return;
      if (!host.isConnected) return;
      prepare(false);
      // Prepared on intent but its load failed: a fresh mount tries again.
      if (!handle._release()) {
        handle = null;
        prepare(false);
      }
      // The dialog gives focus back to what had it when it opened, at once on Esc; the close
      // event comes a task later. Opened from a link (#lapor), that would be the link.
      button.focus({ preventScroll: true });
      conceal(false);
      try {
        dialog.showModal();
      } catch (e) {
        dialog.setAttribute("open", "");
      }
      title.focus();
    }
    button.addEventListener("click", open);
    close.addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      conceal(true);
      count();
      button.focus();
    });
    shared.open = open;

    function hash() {
      if (location.hash !== "#lapor") return;
      open();
      // So that the same link opens the dialog again after it is closed.
      try {
        history.replaceState(history.state, "", location.pathname + location.search);
      } catch (e) {
        /* the hash stays */
      }
    }
    window.addEventListener("hashchange", hash);
    function attach() {
      if (!doc.body) return doc.addEventListener("DOMContentLoaded", attach);
      doc.body.appendChild(host);
      hash();
    }
    attach();
  }

  function place() {
    var host = null;
    if (target) {
      try {
        host = doc.querySelector(target);
      } catch (e) {
        /* an invalid selector is treated as not found */
      }
      // With async the tag may run before the target is parsed: wait once.
      if (!host && doc.readyState === "loading") {
        doc.addEventListener("DOMContentLoaded", place);
        return;
      }
    }
    if (!host) {
      host = doc.createElement("div");
      host.className = "lapor-widget-host";
      var parent = me.parentNode;
      // Nothing in <head> is rendered: fall back to the end of <body>.
      if (parent && parent !== doc.head) parent.insertBefore(host, me.nextSibling);
      else if (doc.body) doc.body.appendChild(host);
      else return doc.addEventListener("DOMContentLoaded", place);
      // Tell the webmaster, in the page, rather than failing silently.
      if (target) return fail(host, 2, opts.lang);
    }
    mount(host, opts);
  }
  // One launcher per page, however many tags ask for it.
  if (attr("mode") !== "launcher") place();
  else if (!shared.open) launcher();
})();
