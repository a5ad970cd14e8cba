// The mini-app entry: Telegram and MAX put the signed launch data into the address fragment, which
// never reaches the server; send it once, as a form, and drop it from the address.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || form.hasAttribute("data-failed")) return; // a refusal is final: no retry loop

  var provider = "";
  var data = "";
  var tg = window.Telegram && window.Telegram.WebApp;
  var max = window.WebApp;
  var hash = window.location.hash.replace(/^#/, "");
  var params = new URLSearchParams(hash);

  if (tg && tg.initData) {
    provider = "telegram"; data = tg.initData;
  } else if (max && max.initData) {
    provider = "max"; data = max.initData;
  } else if (params.get("tgWebAppData")) {
    provider = "telegram"; data = params.get("tgWebAppData"); // decoded once: the initData itself
  } else if (params.has("WebAppData") || params.has("hash")) {
    provider = "max"; data = hash; // the server unwraps and decodes it exactly once
  }
  if (!provider) return;

  try {
    var theme = params.get("tgWebAppThemeParams");
    if (theme) window.sessionStorage.setItem("oi-theme", theme);
  } catch (e) { /* storage may be unavailable inside a webview */ }

  form.elements.provider.value = provider;
  form.elements.data.value = data;
  var status = document.getElementById("entry-status");
  if (status) status.hidden = false;

  function send() {
    if (window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    form.submit();
  }
  // app.js (run just before) has recorded the platform and is loading its SDK, which must read the
  // fragment before it is dropped; without app.js, send at once.
  var app = window.openindustry;
  if (app && app.whenMessengerReady) app.whenMessengerReady(send); else send();
})();
