// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Inside a messenger, tell the platform we are ready, follow its theme and use its back button.
  // Only objects the host page already put on window are used: no external script is loaded.
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

  var tg = window.Telegram && window.Telegram.WebApp;
  var max = !tg && window.WebApp;
  var webApp = tg || max;
  if (webApp) {
    try {
      webApp.ready();
      applyTheme(webApp.themeParams);
      useBackButton(webApp.BackButton);
      if (webApp.expand) webApp.expand();
    } catch (e) { /* an old client: keep our own theme */ }
  } else {
    try {
      // Telegram passes its theme in the entry address; entry.js kept it for the session.
      var saved = window.sessionStorage.getItem("oi-theme");
      if (saved) applyTheme(JSON.parse(saved));
    } catch (e) { /* no storage or a broken value: keep our own theme */ }
  }
  if (window.vkBridge && window.vkBridge.send) {
    try { window.vkBridge.send("VKWebAppInit"); } catch (e) { /* outside VK */ }
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
