// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Inside Telegram (when the host page provides window.Telegram.WebApp): tell it we are ready
  // and take its theme colours. No external script is ever loaded here.
  var tg = window.Telegram && window.Telegram.WebApp;
  if (tg) {
    try {
      tg.ready();
      var theme = tg.themeParams || {};
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
      if (tg.expand) tg.expand();
    } catch (e) { /* an old client: keep our own theme */ }
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
})();
