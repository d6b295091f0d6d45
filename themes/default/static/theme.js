// 默认主题的阅读设置：字号（大 中 小）和高对比度记在浏览器里，换页后保持；
// 打印按钮、二维码的显示和隐藏、点击后才加载的外部视频播放器。
// 没有脚本时页面照常可读，这些按钮不显示。
(function () {
  "use strict";
  var root = document.documentElement;

  function remember(key, value) {
    try {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    } catch (e) { /* 隐私模式下不能保存，只对当前页面生效 */ }
  }

  function setFont(size) {
    root.classList.remove("font-large", "font-small");
    if (size === "large" || size === "small") root.classList.add("font-" + size);
    remember("pufa-font", size === "medium" ? "" : size);
    document.querySelectorAll("[data-font]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-font") === (size || "medium")));
    });
  }

  function setContrast(on) {
    root.classList.toggle("contrast", on);
    remember("pufa-contrast", on ? "1" : "");
    document.querySelectorAll("[data-contrast]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(on));
    });
  }

  var current = root.classList.contains("font-large") ? "large"
    : root.classList.contains("font-small") ? "small" : "medium";
  setFont(current);
  setContrast(root.classList.contains("contrast"));

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button, a");
    if (!target) return;
    if (target.hasAttribute("data-font")) setFont(target.getAttribute("data-font"));
    else if (target.hasAttribute("data-contrast")) setContrast(!root.classList.contains("contrast"));
    else if (target.hasAttribute("data-print")) window.print();
    else if (target.hasAttribute("data-qr")) {
      var box = document.getElementById(target.getAttribute("aria-controls"));
      var open = target.getAttribute("aria-expanded") !== "true";
      target.setAttribute("aria-expanded", String(open));
      box.classList.toggle("is-open", open);
      if (open) {
        // The code is at the foot of the article: bring it into view, and keyboard and
        // screen-reader users with it.
        box.scrollIntoView({ block: "center" });
        box.focus({ preventScroll: true });
      }
    } else if (target.classList.contains("embed-play")) {
      // The platform's player loads only when the reader asks for it.
      var facade = target.closest("[data-player]");
      if (!facade) return;
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.src = facade.getAttribute("data-player");
      frame.title = facade.getAttribute("data-title");
      frame.allowFullscreen = true;
      frame.setAttribute("allow", "fullscreen");
      facade.replaceWith(frame);
      frame.focus();
    }
  });
})();
