/* Paying a booking's deposit (payments/templates/payments/pay.html).
 *
 * 1. POST start: our server opens a payment attempt and answers a SetupIntent's client secret.
 * 2. Stripe.js confirmCardSetup: the card goes from the browser to Stripe, never to us.
 * 3. POST card: our server charges the deposit with that card (PaymentIntent confirmed at once).
 * 4. requires_action: Stripe.js confirmCardPayment runs 3-D Secure; POST confirm: our server
 *    re-reads the payment from Stripe and records it.
 * The same flow works with real Stripe.js and with the local emulator's stand-in.
 */
(function () {
  "use strict";

  var form = document.getElementById("payment-form");
  if (!form) {
    return;
  }
  var message = document.getElementById("payment-message");
  var button = document.getElementById("pay-button");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function show(text, kind) {
    message.textContent = text;
    message.className = "message message-" + kind;
    message.hidden = !text;
  }

  if (typeof window.Stripe !== "function") {
    show(form.dataset.unavailable, "error");
    button.disabled = true;
    return;
  }

  var stripe = window.Stripe(form.dataset.publishableKey, { locale: form.dataset.locale || "auto" });
  var card = stripe.elements().create("card");
  card.mount("#card-element");

  function Refusal(text) {
    this.message = text;
  }

  async function post(url, data) {
    var response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        body: new URLSearchParams(data || {}),
      });
    } catch (error) {
      throw new Refusal(form.dataset.genericError);
    }
    var body = await response.json().catch(function () {
      return {};
    });
    if (!response.ok) {
      throw new Refusal(body.message || form.dataset.genericError);
    }
    return body;
  }

  function stripeError(error) {
    return new Refusal((error && error.message) || form.dataset.genericError);
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    show(form.dataset.working, "warning");
    try {
      var start = await post(form.dataset.startUrl);
      var setup = await stripe.confirmCardSetup(start.client_secret, { payment_method: { card: card } });
      if (setup.error) {
        throw stripeError(setup.error);
      }
      var paymentMethod = setup.setupIntent.payment_method;
      if (paymentMethod && typeof paymentMethod === "object") {
        paymentMethod = paymentMethod.id;
      }
      var paid = await post(form.dataset.payUrl, { payment_method: paymentMethod });
      if (paid.status === "requires_action") {
        show(form.dataset.authenticating, "warning");
        var result = await stripe.confirmCardPayment(paid.client_secret);
        if (result.error) {
          throw stripeError(result.error);
        }
        // Whatever the browser was told, the server asks Stripe what happened.
        paid = await post(form.dataset.confirmUrl);
      }
      if (paid.status === "succeeded" && paid.redirect) {
        window.location.assign(paid.redirect);
        return;
      }
      throw new Refusal(form.dataset.genericError);
    } catch (error) {
      show(error instanceof Refusal ? error.message : form.dataset.genericError, "error");
      button.disabled = false;
    }
  });
})();
