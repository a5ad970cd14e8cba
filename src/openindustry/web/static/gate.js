/*
 * The gate's check-in screen, enhanced: a QR reader and an offline mode. The page works without it
 * (type the code, press «Отметить»); nothing external is loaded.
 *
 * Ticket code format (registration/tickets.py):
 *   "OI1" + base32 (RFC 4648, upper case, no padding) of 74 bytes:
 *     payload (10 bytes): version u8 (1), ticket_id u32 big-endian (the registration id),
 *                         slot_id u32 big-endian, party size u8;
 *     signature (64 bytes): Ed25519 over the 10 payload bytes, by the program's ticket key.
 *   The kit (kit.json) carries the raw public key (base64), the guests and the revoked ids.
 *
 * Offline: when navigator.onLine is false or the submit fails with a network error, the code is
 * checked here — signature with WebCrypto Ed25519 when the browser has it, otherwise only the
 * registration id against the downloaded list — then the revocation list; the scan
 * {scan_id, ticket_code, scanned_at} is kept in localStorage and sent to the sync route later.
 */
(function () {
  "use strict";
  var form = document.getElementById("gate-form");
  if (!form) return;
  var slotId = form.getAttribute("data-slot");
  var kitUrl = form.getAttribute("data-kit");
  var syncUrl = form.getAttribute("data-sync");
  var KIT_KEY = "oi-gate-kit-" + slotId;
  var PENDING_KEY = "oi-gate-pending-" + slotId;
  var DONE_KEY = "oi-gate-done-" + slotId;
  var words = (document.getElementById("gate-i18n") || {}).dataset || {};
  var codeInput = document.getElementById("code");
  var resultBox = document.getElementById("gate-result");
  var offlineBox = document.getElementById("gate-offline");
  var statusLine = document.getElementById("gate-offline-status");
  var csrfToken = form.querySelector("input[name=csrf_token]").value;

  function load(key, fallback) {
    try { var raw = localStorage.getItem(key); return raw ? JSON.parse(raw) : fallback; }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function nonce() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return "off-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function hhmm(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  // --- Decoding ----------------------------------------------------------------------------
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  function base32(text) {
    var bits = 0, value = 0, out = [];
    for (var i = 0; i < text.length; i++) {
      var index = ALPHABET.indexOf(text.charAt(i));
      if (index < 0) return null;
      value = (value << 5) | index; bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    }
    return new Uint8Array(out);
  }
  function decode(code) {
    code = code.replace(/\s+/g, "").toUpperCase();
    if (code.indexOf("OI1") !== 0) return null;
    var raw = base32(code.slice(3));
    if (!raw || raw.length < 74) return null;
    var view = new DataView(raw.buffer);
    return {
      code: code, payload: raw.slice(0, 10), signature: raw.slice(10, 74),
      version: raw[0], ticketId: view.getUint32(1), slotId: view.getUint32(5), party: raw[9]
    };
  }
  function b64bytes(text) {
    // The key may come base64url-encoded and without padding.
    text = text.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) text += "=";
    var bin = atob(text), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function verifySignature(kit, ticket) {
    // Resolves true/false when WebCrypto has Ed25519, null when it cannot tell.
    if (!window.crypto || !crypto.subtle) return Promise.resolve(null);
    var raw;
    try { raw = b64bytes(kit.public_key); } catch (e) { return Promise.resolve(null); }
    return crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"])
      .then(function (key) { return crypto.subtle.verify({ name: "Ed25519" }, key, ticket.signature, ticket.payload); })
      .catch(function () { return null; });
  }

  // --- Showing a result --------------------------------------------------------------------
  function show(tone, title, lines) {
    resultBox.textContent = "";
    var card = document.createElement("section");
    card.className = "gate-result gate-result--" + tone;
    card.setAttribute("role", tone === "no" ? "alert" : "status");
    var head = document.createElement("p");
    head.className = "gate-result__title";
    head.textContent = title + " (" + (words.offline || "без связи") + ")";
    card.appendChild(head);
    lines.forEach(function (line) { var p = document.createElement("p"); p.textContent = line; card.appendChild(p); });
    resultBox.appendChild(card);
  }

  function checkOffline(code) {
    var kit = load(KIT_KEY, null);
    var ticket = decode(code);
    if (!kit || !ticket) { show("no", words.no || "Не пропускать", [words.forged || ""]); return Promise.resolve(); }
    return verifySignature(kit, ticket).then(function (valid) {
      if (valid === false) { show("no", words.no, [words.forged]); return; }
      if (ticket.slotId !== kit.slot_id) { show("no", words.no, [words["otherSlot"] || ""]); return; }
      if (kit.revoked.indexOf(ticket.ticketId) >= 0) { show("no", words.no, [words.revoked]); return; }
      var guest = null;
      kit.guests.forEach(function (g) { if (g.registration_id === ticket.ticketId) guest = g; });
      if (!guest || guest.status !== "confirmed") { show("no", words.no, [words.unknown]); return; }
      var done = load(DONE_KEY, {});
      var now = new Date();
      if (done[ticket.ticketId] || guest.checked_in_at) {
        var first = new Date(done[ticket.ticketId] || guest.checked_in_at);
        show("again", (words.again || "Уже отмечен в {time}").replace("{time}", hhmm(first)), [guest.name]);
        return;
      }
      done[ticket.ticketId] = now.toISOString();
      save(DONE_KEY, done);
      var pending = load(PENDING_KEY, []);
      pending.push({ scan_id: nonce(), ticket_code: ticket.code, scanned_at: now.toISOString() });
      save(PENDING_KEY, pending);
      show("ok", words.ok || "Проходите!", [guest.name + " · " + (words.people || "человек") + ": " + guest.party_size]);
      showPending();
    });
  }

  function showPending(extra) {
    var pending = load(PENDING_KEY, []);
    var text = (words.pending || "Ждут отправки") + ": " + pending.length;
    if (load(KIT_KEY, null)) text = (words.kitSaved || "") + ". " + text;
    statusLine.textContent = extra ? extra + " " + text : text;
  }

  function sync() {
    var pending = load(PENDING_KEY, []);
    if (!pending.length || !navigator.onLine) return;
    fetch(syncUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
      body: JSON.stringify({ scans: pending })
    }).then(function (response) {
      if (!response.ok) throw new Error("sync " + response.status);
      return response.json();
    }).then(function (result) {
      save(PENDING_KEY, []);
      showPending((words.synced || "Отправлено отметок") + ": " + result.checked_in + ", " +
        (words.duplicates || "повторных") + ": " + result.duplicates + ", " +
        (words.refused || "отклонено") + ": " + result.refused + ".");
    }).catch(function () { /* stays pending until the next chance */ });
  }

  // --- The form: online as usual, offline checked here ---------------------------------------
  form.addEventListener("submit", function (event) {
    var code = codeInput.value;
    if (!code.trim()) return;
    if (!navigator.onLine && load(KIT_KEY, null)) {
      event.preventDefault();
      checkOffline(code).then(function () { codeInput.value = ""; codeInput.focus(); });
      return;
    }
    if (!load(KIT_KEY, null) || !window.fetch) return;  // plain form post
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        // Follow the server's answer like a normal submit would.
        if (response.redirected) { window.location.href = response.url; return; }
        return response.text().then(function (html) { document.open(); document.write(html); document.close(); });
      })
      .catch(function () { checkOffline(code).then(function () { codeInput.value = ""; }); });
  });

  if (offlineBox && window.localStorage) {
    offlineBox.hidden = false;
    showPending();
    document.getElementById("gate-kit").addEventListener("click", function () {
      fetch(kitUrl, { credentials: "same-origin" })
        .then(function (response) { if (!response.ok) throw new Error("kit"); return response.json(); })
        .then(function (kit) { save(KIT_KEY, kit); showPending(); })
        .catch(function () { statusLine.textContent = words.kitFailed || ""; });
    });
    window.addEventListener("online", sync);
    sync();
  }

  // --- QR reading: VK, Telegram, or the browser's BarcodeDetector with the camera ------------
  var scanButton = document.getElementById("gate-scan");
  var video = document.getElementById("gate-video");
  function useCode(text) {
    if (!text) return;
    codeInput.value = String(text).trim();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }
  function scanWithCamera() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream; video.hidden = false; video.play();
      function stop() { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; }
      function tick() {
        detector.detect(video).then(function (codes) {
          if (codes.length) { stop(); useCode(codes[0].rawValue); } else { requestAnimationFrame(tick); }
        }).catch(function () { requestAnimationFrame(tick); });
      }
      tick();
    }).catch(function () { statusLine.textContent = words.noCamera || ""; });
  }
  var tg = window.Telegram && window.Telegram.WebApp;
  var vk = window.vkBridge;
  var hasCamera = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (scanButton && (vk || (tg && tg.showScanQrPopup) || hasCamera)) {
    scanButton.hidden = false;
    scanButton.addEventListener("click", function () {
      if (vk) {
        vk.send("VKWebAppOpenCodeReader").then(function (data) { useCode(data && data.code_data); })
          .catch(function () { if (hasCamera) scanWithCamera(); });
      } else if (tg && tg.showScanQrPopup) {
        tg.showScanQrPopup({}, function (text) { useCode(text); return true; });
      } else {
        scanWithCamera();
      }
    });
  }
})();
