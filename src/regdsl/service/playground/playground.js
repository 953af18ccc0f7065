// The regdsl playground: a form generated from a book's JSON Schema, answers with their provisions.
// Plain JavaScript, no framework, nothing loaded from another site.  Every URL is relative, so the
// page works behind a reverse proxy that serves the service under a path of its own.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { book: null, schema: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

async function getJSON(url, options) {
  const r = await fetch(url, options);
  const body = await r.json();
  return { ok: r.ok, status: r.status, body };
}

// ---- the form, from the JSON Schema

function numberSchema(prop) {
  const alts = prop.anyOf || [prop];
  return alts.find((a) => a.type === "number" || a.type === "integer" ||
    (Array.isArray(a.type) && (a.type.includes("number") || a.type.includes("integer")))) || {};
}

function radios(name, options, labels) {
  const group = el("div", { class: "choices", role: "radiogroup", "aria-label": name });
  options.forEach((value, i) => {
    const id = `f-${name}-${i}`;
    group.append(el("label", { class: "choice", for: id },
      el("input", { type: "radio", name, id, value: JSON.stringify(value), checked: value === null }),
      labels[i]));
  });
  return group;
}

function widget(name, prop) {
  const note = prop["x-regdsl"] || {};
  const members = (prop.enum || []).filter((v) => v !== null);
  if (note.type === "boolean") return radios(name, [null, true, false], ["not known", "yes", "no"]);
  if (note.type === "enum" && members.length <= 4) {
    return radios(name, [null, ...members], ["not known", ...members.map((m) => m.replaceAll("_", " "))]);
  }
  if (note.type === "enum") {
    return el("select", { name, id: `f-${name}` }, el("option", { value: "" }, "not known"),
      members.map((m) => el("option", { value: m }, m.replaceAll("_", " "))));
  }
  if (note.type === "quantity") {
    const num = numberSchema(prop);
    const all = note.units || [note.unit];  // each unit once: "months", not also "month"
    const units = all.filter((u) => u === note.unit || !all.includes(u.replace(/^(\w+)/, "$1s")));
    return el("span", { class: "quantity" },
      el("input", { type: "number", name, id: `f-${name}`, step: "any", min: num.minimum, max: num.maximum,
        inputmode: "decimal", "aria-label": `${name} in ${note.unit}` }),
      el("select", { name: `${name}.unit`, "aria-label": `unit of ${name}` },
        units.map((u) => el("option", { value: u, selected: u === note.unit }, u))));
  }
  if (note.type === "integer" || note.type === "number") {
    const num = numberSchema(prop);
    return el("input", { type: "number", name, id: `f-${name}`, step: note.type === "integer" ? "1" : "any",
      min: num.minimum, max: num.maximum });
  }
  if (note.type === "date") return el("input", { type: "date", name, id: `f-${name}` });
  if (note.type === "time") return el("input", { type: "time", name, id: `f-${name}` });
  if (note.type === "list") {
    return el("input", { type: "text", name, id: `f-${name}`, placeholder: "values, separated by commas" });
  }
  return el("input", { type: "text", name, id: `f-${name}` });
}

function provisionLink(c, book) {
  const query = c.book && c.book !== book ? `?book=${encodeURIComponent(c.book)}` : "";
  return el("a", { href: `books/${encodeURIComponent(book)}/provisions/${encodeURIComponent(c.eid)}${query}`,
    class: "cite", "data-eid": c.eid, "data-book": c.book || book, target: "_blank", onclick: showProvision },
    c.cite);
}

function field(name, prop) {
  const note = prop["x-regdsl"] || {};
  const where = note.declared_in ? el("span", { class: "where" }, "declared in ",
    provisionLink(note.declared_in, state.book)) : null;
  const decided = note.decided_by ? el("span", { class: "where" }, `decided by ${note.decided_by}`) : null;
  return el("div", { class: "field", "data-name": name, "data-search": `${name} ${prop.description || ""}`.toLowerCase() },
    el("div", { class: "label" }, el("label", { for: `f-${name}` }, el("code", {}, name)),
      note.type === "quantity" ? el("span", { class: "unit" }, note.unit) : null),
    widget(name, prop),
    prop.description ? el("p", { class: "help" }, prop.description) : null,
    el("p", { class: "help small" }, where, decided));
}

async function chooseBook(name) {
  state.book = name;
  const { body } = await getJSON(`books/${encodeURIComponent(name)}/schema`);
  state.schema = body;
  const about = body["x-regdsl-book"] || {};
  const inputs = Object.values(body.properties);
  const decisions = inputs.filter((p) => (p["x-regdsl"] || {}).kind === "decision").length;
  $("#book-title").textContent = `${inputs.length - decisions} facts and ${decisions} decisions` +
    (about.in_force ? `; the text in force from ${about.in_force}` : "");
  for (const kind of ["facts", "decisions"]) $(`#${kind} .fields`).replaceChildren();
  for (const [fname, prop] of Object.entries(body.properties)) {
    const kind = (prop["x-regdsl"] || {}).kind === "decision" ? "decisions" : "facts";
    $(`#${kind} .fields`).append(field(fname, prop));
  }
  $("#decisions").hidden = !$("#decisions .fields").children.length;
  clearAnswers();
}

// ---- reading the form

function facts() {
  const out = {};
  for (const [name, prop] of Object.entries(state.schema.properties)) {
    const note = prop["x-regdsl"] || {};
    const form = $("#student");
    const radio = form.querySelector(`input[type=radio][name="${CSS.escape(name)}"]:checked`);
    if (radio) {
      const v = JSON.parse(radio.value);
      if (v !== null) out[name] = v;
      continue;
    }
    const input = form.elements.namedItem(name);
    if (!input || input.value.trim() === "") continue;
    const raw = input.value.trim();
    const number = Number.isFinite(Number(raw)) ? Number(raw) : raw;  // the service says what is wrong
    if (note.type === "quantity") {
      const unit = form.elements.namedItem(`${name}.unit`).value;
      out[name] = unit === note.unit ? number : { value: number, unit };
    } else if (note.type === "integer" || note.type === "number") out[name] = number;
    else if (note.type === "list") out[name] = raw.split(",").map((s) => s.trim()).filter(Boolean);
    else out[name] = raw;
  }
  return out;
}

// ---- answers

function shown(o) {
  if (o.status === "discretionary") return "pending a decision";
  if (o.value === null || o.value === undefined) return "?";
  if (o.value === true) return "yes";
  if (o.value === false) return "no";
  if (Array.isArray(o.value)) return o.value.join("; ");
  if (typeof o.value === "number" && o.unit) {
    const one = Math.abs(o.value) === 1 && o.unit.endsWith("s") && !o.unit.includes(" per ");
    return `${o.value} ${one ? o.unit.slice(0, -1) : o.unit}`;
  }
  return String(o.value);
}

function explanation(e) {
  const value = e.status === "not given" ? "not given" : shown({ ...e, status: "" });
  const head = el("summary", {}, el("code", {}, e.name), ` = ${value}`,
    e.citation ? el("span", { class: "by" }, " by ", provisionLink(e.citation, state.book)) : null,
    el("span", { class: `tag ${e.kind}` }, e.kind));
  const body = [];
  if (e.text) body.push(el("blockquote", {}, e.text));
  if (e.rule) body.push(el("pre", { class: "rule" }, e.rule));
  for (const c of e.exceptions_considered || []) {
    body.push(el("p", { class: "considered" }, provisionLink(c.citation, state.book), `: ${c.result}`));
  }
  if (e.because && e.because.length) body.push(el("ul", { class: "tree" }, e.because.map((b) => el("li", {}, explanation(b)))));
  if (!body.length) return el("div", { class: "leaf" }, ...head.childNodes);
  return el("details", {}, head, ...body);
}

function outcome(o) {
  const rows = [];
  if (o.description) rows.push(el("p", { class: "description" }, o.description));
  if (o.decided_by.length) rows.push(el("p", {}, el("strong", {}, "Decided by: "), o.decided_by.join("; ")));
  if (o.missing.length) {
    rows.push(el("p", { class: "missing" }, el("strong", {}, "Missing facts: "), o.missing.map((m, i) =>
      [i ? ", " : "", el("a", { href: `#f-${m}`, onclick: (ev) => { ev.preventDefault(); focusField(m); } }, m)])));
  }
  for (const r of o.reasons) rows.push(el("p", {}, el("strong", {}, "Because: "), r));
  for (const n of o.notes) rows.push(el("p", {}, el("strong", {}, "Note: "), n));
  if (o.citations.length) {
    rows.push(el("p", { class: "citations" }, el("strong", {}, "Provisions: "),
      o.citations.map((c, i) => [i ? "; " : "", provisionLink(c, state.book)])));
  }
  if (o.explanation) {
    rows.push(el("details", { class: "why" }, el("summary", {}, "Why"), el("div", { class: "tree-root" },
      explanation(o.explanation))));
  }
  return el("article", { class: `outcome ${o.status}`, "data-name": o.name },
    el("h3", {}, el("code", {}, o.name), " = ", el("span", { class: "value" }, shown(o)),
      el("span", { class: "status" }, o.status)), rows);
}

function clearAnswers() {
  $("#outcomes").replaceChildren();
  $("#summary").textContent = "";
  $("#errors").hidden = true;
  $("#errors").replaceChildren();
  document.querySelectorAll(".field.invalid").forEach((f) => f.classList.remove("invalid"));
}

function showErrors(problem) {
  const box = $("#errors");
  box.replaceChildren(el("p", {}, el("strong", {}, problem.title || "Error")),
    el("ul", {}, (problem.errors || []).map((e) => {
      const name = (e.pointer || "").split("/").filter(Boolean).pop();
      if (name) {
        const f = document.querySelector(`.field[data-name="${CSS.escape(name)}"]`);
        if (f) f.classList.add("invalid");
      }
      return el("li", {}, el("code", {}, e.code), " ", e.message, e.hint ? el("span", { class: "hint" }, ` (${e.hint})`) : null);
    })));
  box.hidden = false;
}

async function evaluate(ev) {
  ev.preventDefault();
  clearAnswers();
  $("#busy").hidden = false;
  const asOf = $("#as-of").value;
  const url = `books/${encodeURIComponent(state.book)}/evaluate?explain=true${asOf ? `&as_of=${asOf}` : ""}`;
  try {
    const { ok, body } = await getJSON(url, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(facts()) });
    if (!ok) { showErrors(body); return; }
    const counts = {};
    for (const o of body.outcomes) counts[o.status] = (counts[o.status] || 0) + 1;
    $("#summary").textContent = `${body.title}, as of ${body.as_of}: ${body.outcomes.length} outcomes (` +
      Object.entries(counts).sort().map(([s, n]) => `${n} ${s}`).join(", ") + ")";
    $("#outcomes").replaceChildren(...body.outcomes.map(outcome));
  } catch (err) {
    showErrors({ title: "The service did not answer", errors: [{ code: "", message: String(err) }] });
  } finally {
    $("#busy").hidden = true;
  }
}

function focusField(name) {
  const f = document.querySelector(`.field[data-name="${CSS.escape(name)}"]`);
  if (!f) return;
  $("#filter").value = "";
  filterFields();
  f.scrollIntoView({ block: "center" });
  const input = f.querySelector("input, select");
  if (input) input.focus();
}

// ---- provisions

async function showProvision(ev) {
  ev.preventDefault();
  const a = ev.currentTarget;
  const { ok, body } = await getJSON(a.getAttribute("href"), { headers: { Accept: "application/json" } });
  const panel = $("#provision");
  if (!ok) {
    $("#provision-title").textContent = a.textContent;
    $("#provision-text").replaceChildren(el("p", {}, body.detail));
  } else {
    $("#provision-title").textContent = body.home_cite + (body.title ? ` — ${body.title}` : "");
    $("#provision-meta").replaceChildren(el("code", {}, body.eid),
      body.in_force_from ? ` in force from ${body.in_force_from}` : "",
      body.in_force_until ? ` to ${body.in_force_until}` : "");
    const parts = body.parts.map((p) => el("section", {}, el("h3", {}, p.cite.split(", ").pop()),
      el("p", {}, p.text || "(no text)")));
    $("#provision-text").replaceChildren(body.text ? el("p", {}, body.text) : "", ...parts,
      body.deleted ? el("p", {}, el("em", {}, "Deleted.")) : "");
  }
  panel.hidden = false;
}

// ---- start

function filterFields() {
  const words = $("#filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  document.querySelectorAll(".field").forEach((f) => {
    f.hidden = !words.every((w) => f.dataset.search.includes(w));
  });
}

async function start() {
  const params = new URLSearchParams(location.search);
  $("#as-of").value = params.get("as_of") || new Date().toISOString().slice(0, 10);
  const { body } = await getJSON("books");
  const select = $("#book");
  select.replaceChildren(...body.map((b) => el("option", { value: b.name }, b.title)));
  const wanted = params.get("book");
  if (wanted && body.some((b) => b.name === wanted)) select.value = wanted;
  select.addEventListener("change", () => chooseBook(select.value));
  $("#filter").addEventListener("input", filterFields);
  $("#student").addEventListener("submit", evaluate);
  $("#student").addEventListener("reset", () => setTimeout(clearAnswers));
  $("#provision-close").addEventListener("click", () => { $("#provision").hidden = true; });
  await chooseBook(select.value);
  document.body.dataset.ready = "true";
}

start();
