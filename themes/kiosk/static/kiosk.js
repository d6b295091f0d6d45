// kiosk 主题的首页轮播：每隔几秒换一屏，可以点按钮翻页或暂停。没有脚本时所有内容依次显示。
(function () {
  var carousel = document.querySelector(".carousel");
  if (!carousel) return;
  var slides = carousel.querySelectorAll(".slide");
  if (slides.length < 2) return;
  var seconds = parseInt(carousel.getAttribute("data-seconds"), 10) || 8;
  var current = 0;
  var timer = null;
  var pause = carousel.querySelector(".carousel-pause");

  function show(n) {
    slides[current].classList.remove("is-current");
    current = (n + slides.length) % slides.length;
    slides[current].classList.add("is-current");
  }
  function start() {
    stop();
    timer = setInterval(function () { show(current + 1); }, seconds * 1000);
    pause.setAttribute("aria-pressed", "false");
    pause.textContent = "暂停";
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  carousel.classList.add("is-running");
  slides[0].classList.add("is-current");
  carousel.querySelector(".carousel-prev").addEventListener("click", function () { show(current - 1); start(); });
  carousel.querySelector(".carousel-next").addEventListener("click", function () { show(current + 1); start(); });
  // Nobody at the screen for a while: start again from the first slide.
  document.addEventListener("kiosk-idle", function () { show(0); start(); });
  pause.addEventListener("click", function () {
    if (timer) {
      stop();
      pause.setAttribute("aria-pressed", "true");
      pause.textContent = "继续播放";
    } else {
      start();
    }
  });
  start();
})();

// 返回：回到上一页；从别处直接打开（没有上一页）时，链接本身就回首页。
(function () {
  // Whether this tab showed a page of the site before this one (file:// pages send no
  // referrer, so the tab remembers it).
  var before = null;
  try {
    before = sessionStorage.getItem("pufa-kiosk-page");
    sessionStorage.setItem("pufa-kiosk-page", location.href);
  } catch (e) { /* storage switched off: the link goes home */ }
  var back = document.querySelector("[data-back]");
  if (!back) return;
  back.addEventListener("click", function (event) {
    if (before && before !== location.href && history.length > 1) {
      event.preventDefault();
      history.back();
    }
  });
})();

// 一段时间没人触摸，就回到首页，让下一位读者从头看起；正在播放视频时不回。
(function () {
  var seconds = parseInt(document.body.getAttribute("data-idle"), 10);
  var home = document.body.getAttribute("data-home");
  if (!(seconds > 0) || !home) return;
  var last = Date.now();
  function touched() { last = Date.now(); }
  ["pointerdown", "keydown", "wheel", "touchstart", "scroll"].forEach(function (name) {
    window.addEventListener(name, touched, { passive: true, capture: true });
  });
  var homeUrl = new URL(home, location.href).href;
  var atHome = homeUrl.split("#")[0] === location.href.split("#")[0];
  setInterval(function () {
    var playing = Array.prototype.some.call(document.querySelectorAll("video"), function (v) {
      return !v.paused && !v.ended;
    });
    if (playing) touched();
    if (Date.now() - last < seconds * 1000) return;
    touched();
    if (atHome) {
      // On the home screen: back to the top and the first slide.
      window.scrollTo(0, 0);
      document.dispatchEvent(new CustomEvent("kiosk-idle"));
      if (document.activeElement) document.activeElement.blur();
    } else {
      location.href = homeUrl;
    }
  }, 1000);
})();
