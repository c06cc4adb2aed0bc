/* "(your time: …)" next to a deadline shown in another timezone (secondopinion/_clock.html).
 *
 * Each element with `data-localtime="<ISO 8601 instant>"` is filled with that instant in the
 * browser's own timezone, through Intl.DateTimeFormat, and shown: "(your time: Friday 11 December,
 * 10:00 CET)". The label comes from `data-localtime-label` (translated by the server). When the
 * browser's timezone is the one the page already shows (`data-localtime-zone`), nothing is added.
 * Without JavaScript the server's text stands alone.
 */
(function () {
  "use strict";

  function fill(element) {
    if (element.dataset.localtimeDone) {
      return;
    }
    element.dataset.localtimeDone = "1";
    var moment = new Date(element.dataset.localtime);
    if (isNaN(moment.getTime()) || typeof Intl === "undefined" || !Intl.DateTimeFormat) {
      return;
    }
    var language = document.documentElement.lang || undefined;
    var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browserZone && browserZone === element.dataset.localtimeZone) {
      return;
    }
    var text = new Intl.DateTimeFormat(language, {
      weekday: "long",
      day: "numeric",
      month: "long",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short"
    }).format(moment);
    element.textContent = "(" + (element.dataset.localtimeLabel || "your time") + ": " + text + ")";
    element.hidden = false;
  }

  function run() {
    var elements = document.querySelectorAll("[data-localtime]");
    for (var i = 0; i < elements.length; i++) {
      fill(elements[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
