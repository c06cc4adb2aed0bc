/* Tells the site the browser's timezone, so deadlines read in the viewer's own time (core/when.py).
 *
 * Sets the `tz` cookie to the IANA name Intl reports ("Europe/London"), for a year, on every page
 * (an anonymous visitor has no account to hold it). At sign-up and on "My account" it also fills an
 * empty `timezone` field. The server ignores a name it does not know. Without JavaScript, the
 * account's timezone or the site's default is used.
 */
(function () {
  "use strict";
  if (typeof Intl === "undefined" || !Intl.DateTimeFormat) {
    return;
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) {
    return;
  }
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "tz=" + encodeURIComponent(zone) + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  var fields = document.querySelectorAll("[data-detect-timezone]");
  for (var i = 0; i < fields.length; i++) {
    if (!fields[i].value) {
      fields[i].value = zone;
    }
  }
})();
