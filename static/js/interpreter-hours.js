/* The interpreter order form's hours meter (concierge/templates/concierge/orders/interpreter.html).
 *
 * As the patient changes the hours or minutes, the meter and its caption show what would be billed:
 * rounded up to the step, never below the minimum (both read from the meter's data attributes).
 * Only a preview: the review page shows the exact total computed by the server.
 */
(function () {
  "use strict";

  var meter = document.getElementById("hours-meter");
  var hours = document.getElementById("id_hours");
  var minutes = document.getElementById("id_minutes");
  var caption = document.getElementById("hours-billed");
  if (!meter || !hours || !minutes || !caption) {
    return;
  }
  var minimum = parseInt(meter.dataset.minimumMinutes, 10);
  var step = parseInt(meter.dataset.stepMinutes, 10);

  function text(total) {
    var rest = total % 60;
    return caption.dataset.template
      .replace("{hours}", String(Math.floor(total / 60)))
      .replace("{minutes}", (rest < 10 ? "0" : "") + rest);
  }

  function update() {
    var asked = (parseInt(hours.value, 10) || 0) * 60 + (parseInt(minutes.value, 10) || 0);
    if (asked <= 0) {
      return;
    }
    var billed = Math.max(minimum, Math.ceil(asked / step) * step);
    meter.max = Math.max(parseFloat(meter.max), Math.ceil(billed / 60));
    meter.value = billed / 60;
    meter.textContent = text(billed);
    caption.textContent = text(billed);
  }

  hours.addEventListener("input", update);
  minutes.addEventListener("change", update);
})();
