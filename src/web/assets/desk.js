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
      ["effectiveAt", "newDueAt", "newStartsAt", "until", "then"].forEach((k) => {
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
            out.textContent = `Recorded: ${r.json.entry.from} → ${r.json.entry.to} from ${r.json.entry.effectiveAt}. Reloading…`;
            setTimeout(() => {
              location.reload();
            }, 400);
            return;
          }
          showError(out, r.json);
        })
        .catch(() => {
          out.className = "error";
          out.textContent = "The server could not be reached.";
        });
    });
  });

  function showError(out, json) {
    var fields = (json.errors || []).map((x) => `${x.field}: ${x.problem}`).join("; ");
    out.className = "error";
    out.textContent = json.detail + (fields && json.detail.indexOf(fields) < 0 ? ` (${fields})` : "");
  }

  // Retraction: the entry stays in history, known as wrong from now on.
  document.querySelectorAll("form.retract").forEach((form) => {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      var out = form.querySelector("[data-role=result]");
      out.className = "";
      out.textContent = "Retracting…";
      fetch(form.getAttribute("data-endpoint"), {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` },
        body: JSON.stringify({ reason: new FormData(form).get("reason") }),
      })
        .then((res) => res.json().then((json) => ({ ok: res.ok, json: json })))
        .then((r) => {
          if (!r.ok) return showError(out, r.json);
          out.className = "done";
          out.textContent = `Retracted ${r.json.retracted.length} entr${r.json.retracted.length === 1 ? "y" : "ies"}. Reloading…`;
          setTimeout(() => {
            location.reload();
          }, 400);
        })
        .catch(() => {
          out.className = "error";
          out.textContent = "The server could not be reached.";
        });
    });
  });
})();
