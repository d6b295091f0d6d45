// pufa serve：保存文件后自动刷新页面（并回到原来的滚动位置）；网站有错误时在页面上显示，
// 有警告时在页面右下角列出。只在预览时加到页面里，pufa build 生成的网站没有这段脚本。
(function () {
  "use strict";
  var KEY = "pufa-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    window.addEventListener("load", function () { window.scrollTo(0, Number(saved)); });
  }
  var FONT = "-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif";

  function item(p, colour) {
    var box = document.createElement("div");
    box.style.cssText = "margin:0 0 12px;padding:10px 12px;background:#2b2b2b;border-left:4px solid " + colour;
    var where = document.createElement("div");
    where.textContent = p.location;
    where.style.cssText = "color:#ffd479;font-family:monospace";
    var message = document.createElement("div");
    message.textContent = p.message;
    box.appendChild(where);
    box.appendChild(message);
    if (p.line) {
      var source = document.createElement("pre");
      source.textContent = p.line;
      source.style.cssText = "margin:8px 0 0;padding:8px;background:#111;white-space:pre-wrap";
      box.appendChild(source);
    }
    if (p.suggestion) {
      var hint = document.createElement("div");
      hint.textContent = "提示：" + p.suggestion;
      hint.style.cssText = "color:#b8e0b8";
      box.appendChild(hint);
    }
    return box;
  }

  var overlay = null;
  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
  }
  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "pufa-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.92);" +
      "color:#fff;font:16px/1.6 " + FONT + ";padding:24px";
    var title = document.createElement("h2");
    title.textContent = "网站有错误：改正后页面会自动刷新。现在显示的是上一次正确的版本。";
    title.style.cssText = "margin:0 0 16px;font-size:20px;color:#ffb4ab";
    overlay.appendChild(title);
    problems.forEach(function (p) { overlay.appendChild(item(p, "#ff6b5b")); });
    document.body.appendChild(overlay);
  }

  // Warnings: a small panel in a corner, closed with its button until the warnings change.
  var panel = null;
  var DISMISSED = "pufa-warnings-dismissed";
  function warnings(list) {
    if (panel) panel.remove();
    panel = null;
    var key = JSON.stringify(list);
    if (list.length === 0 || sessionStorage.getItem(DISMISSED) === key) return;
    panel = document.createElement("aside");
    panel.id = "pufa-warnings";
    panel.setAttribute("aria-label", "pufa 预览的警告");
    panel.style.cssText = "position:fixed;right:12px;bottom:12px;z-index:2147483646;max-width:min(480px,calc(100vw - 24px));" +
      "max-height:50vh;overflow:auto;background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 " + FONT +
      ";padding:12px;border-radius:6px;box-shadow:0 2px 12px rgba(0,0,0,.4)";
    var head = document.createElement("div");
    head.style.cssText = "display:flex;justify-content:space-between;align-items:center;margin:0 0 8px;color:#ffd479";
    var title = document.createElement("strong");
    title.textContent = "预览发现 " + list.length + " 个警告（生成网站时仍要改正其中的错误）";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "关闭";
    close.setAttribute("aria-label", "关闭警告");
    close.style.cssText = "margin-left:12px;font:inherit;color:#fff;background:#555;border:0;border-radius:4px;padding:2px 10px;cursor:pointer";
    close.addEventListener("click", function () {
      sessionStorage.setItem(DISMISSED, key);
      panel.remove();
      panel = null;
    });
    head.appendChild(title);
    head.appendChild(close);
    panel.appendChild(head);
    list.forEach(function (p) { panel.appendChild(item(p, "#ffd479")); });
    (document.body || document.documentElement).appendChild(panel);
  }

  // The build this page came from; a newer one on the server means reload. The socket is
  // closed while the page sits in the back/forward cache and opened again when it is shown.
  var version = document.currentScript.getAttribute("data-version");
  var socket = null;
  var hidden = false;
  var wait = 250;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/__pufa/events");
    socket.onopen = function () { wait = 250; };
    socket.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.version !== undefined) {
        if (String(m.version) !== version) {
          sessionStorage.setItem(KEY, String(window.scrollY));
          location.reload();
          return;
        }
        hide();
      } else if (m.errors) {
        show(m.errors);
      } else if (m.warnings) {
        warnings(m.warnings);
      }
    };
    socket.onclose = function () {
      socket = null;
      // The server stopped, or the page was hidden: try again while the page is shown.
      if (!hidden) {
        setTimeout(function () { if (!hidden && !socket) connect(); }, wait);
        wait = Math.min(wait * 2, 4000);
      }
    };
  }
  window.addEventListener("pagehide", function () {
    hidden = true;
    if (socket) socket.close();
  });
  window.addEventListener("pageshow", function () {
    hidden = false;
    if (!socket) connect();
  });
  connect();
})();
