// The "Add an article" pages: store the pasted article through the API, then confirm the
// intake's proposals as deadlines, status changes or evidence. The token is desk.js's, kept
// in sessionStorage; every write goes through the same API as any other client.
(() => {
  var KEY = "tradewatch-token";

  function send(method, url, body) {
    return fetch(url, {
      method: method,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` },
      body: JSON.stringify(body),
    }).then((res) => res.json().then((json) => ({ ok: res.ok, json: json })));
  }

  function problemText(json) {
    var fields = (json.errors || []).map((x) => `${x.field}: ${x.problem}`).join("; ");
    return (json.detail || "The request failed") + (fields && (json.detail || "").indexOf(fields) < 0 ? ` (${fields})` : "");
  }

  // `build` answers the request, or a promise of it (a typed id is looked up first); an Error it
  // throws or rejects with is shown as the result.
  function submitWith(form, build, done) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      var out = form.querySelector("[data-role=result]");
      var data = new FormData(form);
      out.className = "";
      out.textContent = "Saving…";
      Promise.resolve()
        .then(() => build(data))
        .then(
          (request) => send("POST", request.url, request.body),
          (error) => ({ ok: false, json: { detail: error.message } }),
        )
        .then((r) => {
          if (!r.ok) {
            out.className = "error";
            out.textContent = problemText(r.json);
            return;
          }
          out.className = "done";
          done(r.json, out);
        })
        .catch(() => {
          out.className = "error";
          out.textContent = "The server could not be reached.";
        });
    });
  }

  function link(out, text, href) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    out.append(" ", a);
  }

  var sourceForm = document.getElementById("intake-form");
  if (sourceForm) {
    submitWith(
      sourceForm,
      (data) => {
        var body = {
          title: data.get("title"),
          publisher: data.get("publisher"),
          kind: data.get("kind"),
          publishedAt: data.get("publishedAt"),
          text: data.get("text"),
        };
        if (data.get("url")) body.url = data.get("url");
        return { url: "/api/sources", body: body };
      },
      (json, out) => {
        out.textContent = `Stored, with ${json.proposals.length}${json.proposalsNextCursor ? " or more" : ""} proposals. Opening them…`;
        location.assign(`/intake/${encodeURIComponent(json.id)}`);
      },
    );
  }

  // A record field offers the page's first records; typing searches the API's lists (`q`) for
  // the others, a few of each kind, into the field's datalist.
  var TRACKED = [
    ["threats", "threats/", "Threat: "],
    ["conditions", "conditions/", "Condition: "],
    ["deadlines", "deadlines/", "Deadline: "],
    ["events", "events/", "Event: "],
    ["scenarios", "scenarios/", "Scenario: "],
    ["agreements", "agreements/", "Agreement: "],
    ["commitments", "commitments/", "Commitment: "],
  ];
  var SEARCHED = {
    owners: [
      ["threats", "threatId:", "Threat: "],
      ["conditions", "conditionId:", "Condition: "],
      ["scenarios", "scenarioId:", "Scenario: "],
    ],
    threats: [["threats", "", ""]],
    tracked: TRACKED,
    all: TRACKED.concat([
      ["actors", "actors/", "Actor: "],
      ["topics", "topics/", "Topic: "],
    ]),
    actors: [["actors", "", ""]],
  };

  function labelOf(item) {
    return item.summary || item.description || item.wording || item.title || item.name || item.id;
  }

  function search(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var term = input.value.trim();
    if (term.length < 2 || [].some.call(list.options, (o) => o.value === term)) return;
    var asked = SEARCHED[input.getAttribute("data-search")].map((kind) =>
      fetch(`/api/${kind[0]}?limit=5&q=${encodeURIComponent(term)}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` } })
        .then((res) => (res.ok ? res.json() : { items: [] }))
        .then((json) => json.items.map((item) => [kind[1] + item.id, kind[2] + labelOf(item)])),
    );
    Promise.all(asked).then((found) => {
      if (input.value.trim() !== term) return;
      list.replaceChildren(
        ...[].concat(...found).map((pair) => {
          var option = document.createElement("option");
          option.value = pair[0];
          option.label = pair[1];
          return option;
        }),
      );
    });
  }

  document.querySelectorAll("input[data-search]").forEach((input) => {
    var timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => search(input), 250);
    });
  });

  // A record field's value in its list's form ("threats/<id>", "threatId:<id>"). A bare id, typed
  // as is, is looked up in each kind the field offers, and takes the form of the kind that has it.
  function recordOf(form, name) {
    var input = form.querySelector(`[name=${name}]`);
    var value = input.value.trim();
    var kinds = SEARCHED[input.getAttribute("data-search")];
    if (kinds.some((kind) => kind[1] === "" || value.indexOf(kind[1]) === 0)) return Promise.resolve(value);
    var asked = kinds.map((kind) =>
      fetch(`/api/${kind[0]}/${encodeURIComponent(value)}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` } }).then((res) =>
        res.ok ? kind[1] + value : null,
      ),
    );
    return Promise.all(asked).then((found) => {
      var hits = found.filter((f) => f !== null);
      if (hits.length === 1) return hits[0];
      throw new Error(
        hits.length
          ? `${value} is the id of more than one record: pick one from the list (${hits.join(", ")})`
          : `No record with the id “${value}” of the kinds this field takes: pick one from the list, or type its id`,
      );
    });
  }

  function withEffectiveAt(body, data) {
    if (data.get("effectiveAt")) body.effectiveAt = data.get("effectiveAt");
    return body;
  }

  function evidenceOf(data) {
    return { sourceId: data.get("sourceId"), quote: data.get("quote") };
  }

  document.querySelectorAll("form.intake[data-action]").forEach((form) => {
    var action = form.getAttribute("data-action");
    if (action === "deadline") {
      submitWith(
        form,
        (data) =>
          recordOf(form, "owner").then((value) => {
            var owner = value.split(":");
            var body = { wording: data.get("wording"), dueAt: data.get("dueAt"), precision: data.get("precision"), evidence: [evidenceOf(data)] };
            body[owner[0]] = owner.slice(1).join(":");
            return { url: "/api/deadlines", body: withEffectiveAt(body, data) };
          }),
        (json, out) => {
          out.textContent = "Recorded as a pending deadline.";
          link(out, "See it", `/api/deadlines/${encodeURIComponent(json.id)}`);
        },
      );
    } else if (action === "condition") {
      submitWith(
        form,
        (data) => {
          var body = { threatId: data.get("threatId"), description: data.get("description"), effect: data.get("effect"), evidence: [evidenceOf(data)] };
          if (data.get("awaitedActorId")) body.awaitedActorId = data.get("awaitedActorId");
          return { url: "/api/conditions", body: withEffectiveAt(body, data) };
        },
        (json, out) => {
          out.textContent = "Recorded as an open condition.";
          link(out, "See it", `/api/conditions/${encodeURIComponent(json.id)}`);
        },
      );
    } else if (action === "status") {
      submitWith(
        form,
        (data) =>
          recordOf(form, "record").then((record) => ({
            url: `/api/${record}/status`,
            body: withEffectiveAt({ status: data.get("status"), reason: data.get("reason"), evidence: evidenceOf(data) }, data),
          })),
        (json, out) => {
          out.textContent = `Recorded: ${json.entry.from} → ${json.entry.to}.`;
        },
      );
    } else if (action === "evidence") {
      submitWith(
        form,
        (data) =>
          recordOf(form, "record").then((record) => {
            var body = evidenceOf(data);
            body.stance = data.get("stance");
            if (data.get("speakerId")) body.speakerId = data.get("speakerId");
            return { url: `/api/${record}/evidence`, body: body };
          }),
        (json, out) => {
          out.textContent = `Attached (${json.stance}, ${json.verification}).`;
        },
      );
    }
  });
})();
