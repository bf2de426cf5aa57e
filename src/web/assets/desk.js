// The only script of the desk: keeps the token for this browser session, shows who is signed
// in, and sends status forms to the API, showing its errors next to the form. Pages read fine
// without it.
(() => {
  var KEY = "tradewatch-token";
  var tokenInput = document.getElementById("token");
  var tokenState = document.getElementById("token-state");
  var signOut = document.getElementById("sign-out");
  // A session cookie mirrors the token so desk pages can be read when reads are private;
  // the server accepts it for reads only, never for writes.
  function mirrorInCookie(token) {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing from some browsers the desk supports
    document.cookie = token ? `${KEY}=${encodeURIComponent(token)}; path=/; SameSite=Strict` : `${KEY}=; path=/; max-age=0; SameSite=Strict`;
  }
  function cookieToken() {
    var m = document.cookie.match(/(?:^|; )tradewatch-token=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : null;
  }
  if (!sessionStorage.getItem(KEY) && cookieToken()) sessionStorage.setItem(KEY, cookieToken());
  // Who the token belongs to, asked of /api/me: the name the history will record as `by`.
  function showSignedIn() {
    if (!tokenState) return;
    var token = sessionStorage.getItem(KEY);
    if (signOut) signOut.hidden = !token;
    if (!token) {
      tokenState.textContent = "Not signed in: writes will be refused.";
      return;
    }
    tokenState.textContent = "Checking the token…";
    fetch("/api/me", { headers: { Authorization: `Bearer ${token}` } })
      .then((res) => {
        if (res.ok)
          return res.json().then((me) => {
            tokenState.textContent = `Signed in as ${me.name} (${me.role}).`;
          });
        tokenState.textContent = res.status === 401 ? "This token is unknown or revoked." : `The token could not be checked (${res.status}).`;
      })
      .catch(() => {
        tokenState.textContent = "The server could not be reached.";
      });
  }
  var tokenForm = document.getElementById("token-form");
  if (tokenForm) {
    tokenForm.addEventListener("submit", (e) => {
      e.preventDefault();
      var token = tokenInput.value.trim();
      tokenInput.value = "";
      if (!token) return;
      sessionStorage.setItem(KEY, token);
      mirrorInCookie(token);
      // The sign-in page stands in for a private page: show that page now.
      if (document.getElementById("sign-in-needed")) location.reload();
      else showSignedIn();
    });
  }
  if (signOut) {
    signOut.addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      mirrorInCookie(null);
      showSignedIn();
    });
  }
  showSignedIn();

  document.querySelectorAll("form.status").forEach((form) => {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      var out = form.querySelector("[data-role=result]");
      var data = new FormData(form);
      var body = { status: data.get("status"), reason: data.get("reason") };
      ["effectiveAt", "newDueAt", "newStartsAt", "newPrecision", "newWording", "until", "then", "supersededById"].forEach((k) => {
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
