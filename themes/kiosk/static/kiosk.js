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
