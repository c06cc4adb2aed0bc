/* The hold's countdown on the payment page: "14:59 left", from the <time datetime> the server
 * rendered (the deadline in UTC), updated each second. At zero it says the hold has run out and
 * disables the pay button; the server still decides (an expired hold is refused when paying).
 * No inline script (CSP): the element carries its deadline and messages as data attributes.
 *
 *   <p data-countdown="2026-12-04T16:03:00+00:00" data-left="%s left" data-over="…">…</p>
 */
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-countdown]");
  if (!nodes.length) {
    return;
  }
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function tick() {
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var deadline = Date.parse(node.getAttribute("data-countdown"));
      if (isNaN(deadline)) {
        continue;
      }
      var out = node.querySelector("[data-countdown-text]") || node;
      var left = Math.floor((deadline - Date.now()) / 1000);
      if (left <= 0) {
        out.textContent = node.getAttribute("data-over");
        node.classList.add("message-error");
        var button = document.getElementById("pay-button");
        if (button) {
          button.disabled = true;
        }
        continue;
      }
      var text = Math.floor(left / 60) + ":" + pad(left % 60);
      out.textContent = node.getAttribute("data-left").replace("%s", text);
    }
  }
  tick();
  window.setInterval(tick, 1000);
})();
