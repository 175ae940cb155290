(function () {
  // Only under docgen serve, which marks the page with its build number: reload when it changes.
  var own = document.documentElement.getAttribute("data-bygge");
  if (own === null || !window.fetch) { return; }
  var line = document.getElementById("bygge-status");
  function poll() {
    fetch("/_docgen/tillstand.json", {cache: "no-store"}).then(function (reply) {
      return reply.json();
    }).then(function (state) {
      if (String(state.bygge) !== own) { window.location.reload(); return; }
      if (line) { line.textContent = state.bygger ? "Bygger om efter ändringen …" : ""; }
      window.setTimeout(poll, 200);
    }).catch(function () {
      if (line) { line.textContent = "docgen serve svarar inte; sidan visar det senaste bygget."; }
      window.setTimeout(poll, 1000);
    });
  }
  window.setTimeout(poll, 200);
})();
