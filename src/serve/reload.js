// pufa serve：保存文件后自动刷新页面（并回到原来的滚动位置）；网站有错误时在页面上显示。
// 只在预览时加到页面里，pufa build 生成的网站没有这段脚本。
(function () {
  "use strict";
  var KEY = "pufa-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    window.addEventListener("load", function () { window.scrollTo(0, Number(saved)); });
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
      "color:#fff;font:16px/1.6 -apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;padding:24px";
    var title = document.createElement("h2");
    title.textContent = "网站有错误：改正后页面会自动刷新。现在显示的是上一次正确的版本。";
    title.style.cssText = "margin:0 0 16px;font-size:20px;color:#ffb4ab";
    overlay.appendChild(title);
    problems.forEach(function (p) {
      var item = document.createElement("div");
      item.style.cssText = "margin:0 0 16px;padding:12px;background:#2b2b2b;border-left:4px solid #ff6b5b";
      var where = document.createElement("div");
      where.textContent = p.location;
      where.style.cssText = "color:#ffd479;font-family:monospace";
      var message = document.createElement("div");
      message.textContent = p.message;
      item.appendChild(where);
      item.appendChild(message);
      if (p.line) {
        var source = document.createElement("pre");
        source.textContent = p.line;
        source.style.cssText = "margin:8px 0 0;padding:8px;background:#111;white-space:pre-wrap";
        item.appendChild(source);
      }
      if (p.suggestion) {
        var hint = document.createElement("div");
        hint.textContent = "提示：" + p.suggestion;
        hint.style.cssText = "color:#b8e0b8";
        item.appendChild(hint);
      }
      overlay.appendChild(item);
    });
    document.body.appendChild(overlay);
  }

  // The build this page came from; a newer one on the server means reload.
  var version = document.currentScript.getAttribute("data-version");
  var events = new EventSource("/__pufa/events");
  events.addEventListener("version", function (e) {
    if (e.data !== version) {
      sessionStorage.setItem(KEY, String(window.scrollY));
      location.reload();
      return;
    }
    hide();
  });
  events.addEventListener("errors", function (e) { show(JSON.parse(e.data)); });
})();
