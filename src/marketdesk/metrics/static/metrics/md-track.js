/* MarketDesk first-party tracking snippet (O14). No third-party code.
 *
 * <script async src="https://md.example.com/static/metrics/md-track.js"></script>
 *
 * - a page view on load, with the page's UTM parameters and referrer;
 * - an anonymous first-party id (cookie "_mdid" + localStorage, two years);
 * - mdTrack.identify(email, props) and forms marked data-md-identify (their e-mail field);
 * - mdTrack.track(name, props), and clicks on elements marked data-md-click="name";
 * - batched: sent at 20 events, after 5 s, and when the page is hidden or left, with
 *   navigator.sendBeacon (fetch keepalive as the fallback); every event has a
 *   crypto.randomUUID id, so a resend is harmless.
 * Options on the script tag: data-md-endpoint (default: /collect on the script's host),
 * data-md-flush-ms (default 5000).
 */
(function () {
  "use strict";
  if (window.mdTrack && window.mdTrack.version) return;
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src, location.href) : new URL(location.href);
  var endpoint = (script && script.getAttribute("data-md-endpoint")) || new URL("/collect", base).href;
  var flushMs = parseInt((script && script.getAttribute("data-md-flush-ms")) || "5000", 10);
  var MAX_BATCH = 20;
  var TWO_YEARS = 2 * 365 * 24 * 3600;
  var KEY = "_mdid";
  var queue = [];
  var timer = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function readCookie() {
    var m = document.cookie.match(/(?:^|;\s*)_mdid=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function anonymousId() {
    var id = readCookie();
    try { id = id || localStorage.getItem(KEY); } catch (e) { /* storage off */ }
    id = id || uuid();
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = KEY + "=" + encodeURIComponent(id) + "; Max-Age=" + TWO_YEARS + "; Path=/; SameSite=Lax" + secure;
    try { localStorage.setItem(KEY, id); } catch (e) { /* storage off */ }
    return id;
  }

  var anon = anonymousId();

  function utm() {
    var out = {};
    var params = new URLSearchParams(location.search);
    ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (k) {
      var v = params.get(k);
      if (v) out[k] = v;
    });
    return out;
  }

  function event(type, extra) {
    var e = { id: uuid(), type: type, ts: new Date().toISOString(), anonymous_id: anon,
              url: location.href, referrer: document.referrer || "" };
    var u = utm();
    for (var k in u) e[k] = u[k];
    for (var j in extra) if (extra[j] !== undefined) e[j] = extra[j];
    return e;
  }

  function send(batch) {
    var body = JSON.stringify({ events: batch });
    // A text/plain body is a "simple" request: no CORS preflight, and sendBeacon keeps
    // it alive when the page is being left.
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }))) return;
    try {
      fetch(endpoint, { method: "POST", body: body, keepalive: true, credentials: "omit",
                        headers: { "Content-Type": "text/plain" } });
    } catch (e) { /* nothing more we can do */ }
  }

  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    while (queue.length) send(queue.splice(0, MAX_BATCH));
  }

  function push(e) {
    queue.push(e);
    if (queue.length >= MAX_BATCH) flush();
    else if (!timer) timer = setTimeout(flush, flushMs);
  }

  var api = {
    version: 1,
    anonymousId: function () { return anon; },
    page: function (props) { push(event("page_view", { properties: props })); },
    track: function (name, props) { push(event("track", { name: String(name), properties: props })); },
    identify: function (email, props) {
      if (!email) return;
      push(event("identify", { email: String(email), properties: props }));
      flush();  // a form submission usually leaves the page next
    },
    flush: flush
  };
  window.mdTrack = api;

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-md-identify")) return;
    var field = form.querySelector("input[type=email], input[name=email]");
    if (field && field.value) {
      api.identify(field.value, { form: form.getAttribute("data-md-identify") || form.id || form.getAttribute("name") || "" });
    }
  }, true);

  document.addEventListener("click", function (ev) {
    var el = ev.target && ev.target.closest ? ev.target.closest("[data-md-click]") : null;
    if (el) api.track(el.getAttribute("data-md-click"), { text: (el.textContent || "").trim().slice(0, 100) });
  }, true);

  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  api.page();
})();
