// The only script of the desk: keeps the write token for this browser session and sends
// status forms to the API, showing its errors next to the form. Pages read fine without it.
(() => {
  var KEY = "tradewatch-token";
  var tokenInput = document.getElementById("token");
  var tokenState = document.getElementById("token-state");
  function showTokenState() {
    if (tokenState) tokenState.textContent = sessionStorage.getItem(KEY) ? "Token set for this session." : "No token yet: writes will be refused.";
  }
  var tokenForm = document.getElementById("token-form");
  if (tokenForm) {
    tokenForm.addEventListener("submit", (e) => {
      e.preventDefault();
      if (tokenInput.value) sessionStorage.setItem(KEY, tokenInput.value.trim());
      tokenInput.value = "";
      showTokenState();
    });
  }
  showTokenState();

  document.querySelectorAll("form.status").forEach((form) => {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      var out = form.querySelector("[data-role=result]");
      var data = new FormData(form);
      var body = { status: data.get("status"), reason: data.get("reason") };
      ["effectiveAt", "newDueAt", "newStartsAt"].forEach((k) => {
        if (data.get(k)) body[k] = data.get(k);
      });
      out.className = "";
      out.textContent = "Saving…";
      fetch(form.getAttribute("data-endpoint"), {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` },
        body: JSON.stringify(body),
      })
        .then((res) => res.json().then((json) => ({ ok: res.ok, json: json })))
        .then((r) => {
          if (r.ok) {
            out.className = "done";
            out.textContent = `Recorded: ${r.json.entry.from} → ${r.json.entry.to}. Reloading…`;
            setTimeout(() => {
              location.reload();
            }, 400);
            return;
          }
          var fields = (r.json.errors || []).map((x) => `${x.field}: ${x.problem}`).join("; ");
          out.className = "error";
          out.textContent = r.json.detail + (fields && r.json.detail.indexOf(fields) < 0 ? ` (${fields})` : "");
        })
        .catch(() => {
          out.className = "error";
          out.textContent = "The server could not be reached.";
        });
    });
  });
})();
