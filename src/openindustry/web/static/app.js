// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Inside a messenger: load its SDK (a copy under /static/vendor, so `script-src 'self'` admits it),
  // tell the platform we are ready, follow its theme and use its back button. On the website nothing
  // extra loads. MAX has no SDK we can serve: what its client puts on window is used as it is.
  var SDK = {
    vk: "/static/vendor/vk-bridge.js",
    telegram: "/static/vendor/telegram-web-app.js"
  };
  var PLATFORMS = { vk: true, telegram: true, max: true };

  function remembered(key) {
    try { return window.sessionStorage.getItem(key) || ""; } catch (e) { return ""; }
  }

  function remember(key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (e) { /* a webview without storage */ }
  }

  // The launch data is in the address of the first page only (VK: the query; Telegram, MAX: the
  // fragment); after VK's entry the server marks the fragment instead. The tab keeps the answer,
  // so the pages that follow load the same SDK.
  function detectPlatform() {
    var hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var query = new URLSearchParams(window.location.search);
    var found = "";
    if (PLATFORMS[hash.get("oi-platform")]) {
      found = hash.get("oi-platform");
      if (window.history.replaceState) {
        window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
      }
    } else if (query.has("vk_app_id") || query.has("vk_platform")) {
      found = "vk";
    } else if (hash.has("tgWebAppData") || hash.has("tgWebAppVersion")) {
      found = "telegram";
    } else if (hash.has("WebAppData")) {
      found = "max";
    }
    if (found) { remember("oi-platform", found); return found; }
    found = remembered("oi-platform");
    return PLATFORMS[found] ? found : "";
  }

  function applyTheme(theme) {
    if (!theme) return;
    var map = {
      "--c-bg": theme.secondary_bg_color || theme.bg_color,
      "--c-surface": theme.bg_color,
      "--c-text": theme.text_color,
      "--c-muted": theme.hint_color,
      "--c-link": theme.link_color,
      "--c-accent": theme.button_color,
      "--c-on-accent": theme.button_text_color
    };
    Object.keys(map).forEach(function (name) {
      if (map[name]) root.style.setProperty(name, map[name]);
    });
  }

  function useBackButton(backButton) {
    if (!backButton || !backButton.show) return;
    if (window.location.pathname === "/" || window.history.length < 2) { backButton.hide(); return; }
    backButton.show();
    backButton.onClick(function () { window.history.back(); });
  }

  function startMessenger() {
    var tg = window.Telegram && window.Telegram.WebApp;
    var webApp = tg || window.WebApp; // MAX's client names its object WebApp
    if (webApp) {
      try {
        webApp.ready();
        applyTheme(webApp.themeParams);
        if (webApp.onEvent) webApp.onEvent("themeChanged", function () { applyTheme(webApp.themeParams); });
        useBackButton(webApp.BackButton);
        if (webApp.expand) webApp.expand();
      } catch (e) { /* an old client: keep our own theme */ }
    }
    var bridge = window.vkBridge;
    if (bridge && bridge.send) {
      // VK shows the mini-app only after this; outside VK the promise may reject: nothing to do then.
      try { bridge.send("VKWebAppInit").catch(function () {}); } catch (e) { /* outside VK */ }
    }
  }

  var platform = detectPlatform();
  var waiting = [];
  var settled = !SDK[platform];
  // Entering from Telegram, entry.js waits for the SDK before it sends the launch data away: the
  // SDK reads the fragment and keeps it for the pages that follow (their theme, version, platform).
  function whenMessengerReady(callback) {
    if (settled) callback(); else waiting.push(callback);
  }
  window.openindustry = { platform: platform, whenMessengerReady: whenMessengerReady };

  try {
    // Telegram passes its theme in the entry address; entry.js kept it for the session. Applied at
    // once, so the page does not flash our own colours while the SDK loads.
    var saved = remembered("oi-theme");
    if (saved) applyTheme(JSON.parse(saved));
  } catch (e) { /* a broken value: keep our own theme */ }

  if (SDK[platform]) {
    var script = document.createElement("script");
    script.src = SDK[platform];
    script.onload = script.onerror = function () {
      settled = true;
      startMessenger();
      waiting.splice(0).forEach(function (callback) { callback(); });
    };
    document.head.appendChild(script);
  } else {
    startMessenger();
  }

  // Filters: lists and checkboxes apply at once; text and dates wait for the button.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t.tagName === "SELECT" || t.type === "checkbox") {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
  });

  // «Показать ещё»: append the next page instead of leaving this one; the link still works as a link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-more]");
    if (!link || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var list = document.querySelector("main .cards");
        var items = doc.querySelectorAll("main .cards > li");
        var first = null;
        items.forEach(function (item) {
          var node = document.importNode(item, true);
          list.appendChild(node);
          if (!first) first = node;
        });
        var next = doc.querySelector("a[data-more]");
        if (next) { link.href = next.getAttribute("href"); link.removeAttribute("aria-busy"); }
        else { link.closest(".pager").remove(); }
        var focusable = first && first.querySelector("a");
        if (focusable) focusable.focus();
      })
      .catch(function () { window.location.href = link.href; });
  });

  // The quiz: a countdown to the attempt's deadline (the deadline is also written as text).
  document.querySelectorAll("[data-deadline]").forEach(function (box) {
    var end = Date.parse(box.getAttribute("data-deadline"));
    var out = box.querySelector("[data-timer]");
    if (!out || isNaN(end)) return;
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      out.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0) {
        box.classList.add("quiz__deadline--over");
        out.textContent = box.getAttribute("data-expired") || "";
        box.setAttribute("role", "alert");
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  });

  // «Скопировать ссылку»: shown only where the clipboard can be used.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        if (status) status.textContent = button.getAttribute("data-copied") || "";
      }, function () { source.select(); });
    });
  });
})();
