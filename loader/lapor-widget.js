/*! LAPOR! widget loader. One <script> tag on any regional government site:
 *  <script src="https://GATEWAY/widget/lapor-widget.js"
 *          data-endpoint="https://GATEWAY/api/v1" data-lang="id" async></script>
 * Optional: data-target="CSS selector" (default: right after this tag).
 * Script API: LaporWidget.mount(element, {endpoint, lang}) -> {unmount()}.
 * A classic script on purpose: it must work with async and defer, and it
 * defines no global but LaporWidget. */
(function () {
  "use strict";

  // scripts/build-widget.sh replaces these two names with the content-hashed
  // ones, so the glue and the Wasm can be cached forever and this file cannot.
  var GLUE = "lapor_widget.js";
  var WASM = "lapor_widget_bg.wasm";

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
  var shared = W._shared || { loads: {}, hosts: new WeakMap() };
  try {
    Object.defineProperty(W, "_shared", { value: shared });
  } catch (e) {
    /* already defined by an earlier copy */
  }
  var loads = shared.loads;

  function load() {
    var glue = base + GLUE;
    if (!loads[glue]) {
      loads[glue] = import(glue).then(function (m) {
        return m.default({ module_or_path: base + WASM }).then(function () {
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
    if (!endpoint) {
      fail(host, 1, l);
    } else if (!base) {
      fail(host, 0, l);
    } else {
      load().then(
        function (m) {
          if (dead) return;
          try {
            inner = m.mount(host, { endpoint: endpoint, lang: l });
          } catch (e) {
            fail(host, 0, l);
          }
        },
        function (e) {
          if (!dead) fail(host, 0, l);
          // Say why in the console for the webmaster: CSP, network, blocker.
          if (window.console) console.error("LAPOR! widget:", e);
        }
      );
    }
    var handle = {
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
  window.LaporWidget = W;

  // The script tag's own instance.
  if (!me) return;
  var attr = function (n) {
    return me.getAttribute("data-" + n);
  };
  var opts = { endpoint: attr("endpoint") || "", lang: lang(attr("lang")) };
  var target = attr("target");

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
  place();
})();
