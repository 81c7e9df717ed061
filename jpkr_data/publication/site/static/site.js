/* jpkr-data explorer: search, filters and shareable addresses. Pages are complete without this script. */
"use strict";
(function () {
  // Same normalisation as jpkr_data/publication/site/search.py `norm`.
  function norm(text) {
    return " " + String(text).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+|_/gu, " ").trim() + " ";
  }
  function terms(query) {
    const out = [], re = /"([^"]+)"|(\S+)/g, q = String(query || "").replace(/[“”]/g, '"');
    let mt;
    while ((mt = re.exec(q)) !== null) { const t = norm(mt[1] || mt[2]).trim(); if (t) out.push(t); }
    return out;
  }
  function matchAll(normText, ts) { return ts.every(t => normText.includes(" " + t)); }  // each term at the start of a word
  function readState() {
    const state = {};
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    new URLSearchParams(location.search).forEach((v, k) => { state[k] = v; });
    params.forEach((v, k) => { state[k] = v; });
    return state;
  }
  function writeState(state) {
    const params = new URLSearchParams();
    Object.keys(state).sort().forEach(k => { if (state[k]) params.set(k, state[k]); });
    const hash = params.toString();
    history.replaceState(null, "", location.pathname + (hash ? "#" + hash : ""));
  }
  const INDEX = window.JPKR_INDEX || [];
  const KINDS = window.JPKR_KINDS || {};

  // Search page: results grouped by kind.
  const results = document.getElementById("search-results");
  if (results) {
    const form = document.getElementById("search-form"), input = document.getElementById("search-q");
    const render = () => {
      const q = input.value, ts = terms(q);
      results.textContent = "";
      if (!ts.length) { results.appendChild(el("p", {}, "Type words to search " + INDEX.length + " items.")); return; }
      const hits = INDEX.filter(d => matchAll(d.n, ts));
      const head = el("p", {id: "search-count"}, hits.length + " result" + (hits.length === 1 ? "" : "s") + " for " + q);
      results.appendChild(head);
      if (!hits.length) {
        results.appendChild(el("p", {class: "note"}, "Nothing matches. The data holds only what five news articles of 2019 report; " +
          "a person, place or event they do not mention is not here. Try fewer words, or browse the timeline."));
        return;
      }
      const box = el("div", {class: "results"});
      const others = hits.filter(d => d.k !== "claim").length;
      Object.keys(KINDS).forEach(kind => {
        const group = hits.filter(d => d.k === kind);
        if (!group.length) return;
        const sec = el("section", {"data-kind": kind});
        const title = KINDS[kind] + " (" + group.length + ")";
        let holder = sec;
        if (kind === "claim" && others) {  // wording differences come last, folded away when anything else matched
          holder = el("details");
          holder.appendChild(el("summary", {}, title));
          sec.appendChild(holder);
        } else {
          sec.appendChild(el("h2", {}, title));
        }
        const ul = el("ul");
        group.forEach(d => {
          const li = el("li", {"data-kind": d.k}), a = el("a", {href: d.u}, d.t);
          li.appendChild(a);
          if (d.b) { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", {class: "badge" + (d.st ? " status-" + d.st : "")}, d.b)); }
          li.appendChild(el("span", {class: "snip"}, d.s)); ul.appendChild(li);
        });
        holder.appendChild(ul); box.appendChild(sec);
      });
      results.appendChild(box);
    };
    input.value = readState().q || "";
    form.addEventListener("submit", ev => { ev.preventDefault(); writeState({q: input.value}); render(); });
    input.addEventListener("input", () => { writeState({q: input.value}); render(); });
    window.addEventListener("hashchange", () => { input.value = readState().q || ""; render(); });
    render();
  }

  // Home page: timeline filter by thread and words.
  const tf = document.getElementById("timeline-filters");
  if (tf) {
    const eventText = {};
    INDEX.forEach(d => { if (d.k === "event") eventText[d.u.replace(/^events\/|\.html$/g, "")] = d.n; });
    const boxes = Array.from(tf.querySelectorAll("input[name=thread]")), words = tf.querySelector("input[name=q]");
    const apply = (save) => {
      const on = new Set(boxes.filter(b => b.checked).map(b => b.value));
      const ts = terms(words.value);
      let shown = 0;
      const seen = new Set();
      document.querySelectorAll("[data-event]").forEach(node => {
        const id = node.getAttribute("data-event");
        const threads = (node.getAttribute("data-threads") || "other").split(" ");
        const ok = threads.some(t => on.has(t)) && (!ts.length || matchAll(eventText[id] || "", ts));
        node.classList.toggle("dim", !ok);
        if (ok && !seen.has(id)) { seen.add(id); shown += 1; }
      });
      document.getElementById("timeline-count").textContent = shown + " of " + Object.keys(eventText).length + " events shown";
      if (save) {
        const all = on.size === boxes.length;
        writeState({threads: all ? "" : Array.from(on).join(","), q: words.value});
      }
    };
    const load = () => {
      const st = readState();
      const want = st.threads ? new Set(st.threads.split(",")) : null;
      boxes.forEach(b => { b.checked = !want || want.has(b.value); });
      words.value = st.q || "";
      apply(false);
    };
    boxes.forEach(b => b.addEventListener("change", () => apply(true)));
    words.addEventListener("input", () => apply(true));
    tf.addEventListener("submit", ev => ev.preventDefault());
    window.addEventListener("hashchange", load);
    load();
  }

  // Statements page: filters by speaker, country, outlet, month, mode and words.
  const sf = document.getElementById("statement-filters");
  if (sf) {
    const rows = Array.from(document.querySelectorAll("#statements-table tbody tr"));
    const text = new Map(rows.map(r => [r, norm(r.textContent)]));
    const selects = Array.from(sf.querySelectorAll("select")), words = sf.querySelector("input[name=q]");
    const apply = (save) => {
      const ts = terms(words.value);
      let shown = 0;
      rows.forEach(r => {
        const ok = selects.every(s => !s.value || r.getAttribute("data-" + s.name) === s.value) && (!ts.length || matchAll(text.get(r), ts));
        r.classList.toggle("hidden", !ok);
        if (ok) shown += 1;
      });
      document.getElementById("statement-count").textContent = shown + " of " + rows.length + " statements";
      if (save) {
        const st = {q: words.value};
        selects.forEach(s => { st[s.name] = s.value; });
        writeState(st);
      }
    };
    const load = () => {
      const st = readState();
      selects.forEach(s => { s.value = st[s.name] || ""; if (s.selectedIndex < 0) s.value = ""; });
      words.value = st.q || "";
      apply(false);
      const wanted = st.id || (/^#st_[a-z0-9_]+$/.test(location.hash) ? location.hash.slice(1) : "");
      rows.forEach(r => r.classList.toggle("target", r.id === wanted));
      if (wanted && document.getElementById(wanted)) document.getElementById(wanted).scrollIntoView({block: "center"});
    };
    selects.forEach(s => s.addEventListener("change", () => apply(true)));
    words.addEventListener("input", () => apply(true));
    sf.addEventListener("submit", ev => ev.preventDefault());
    sf.addEventListener("reset", () => setTimeout(() => apply(true), 0));
    window.addEventListener("hashchange", load);
    load();
  }

  function el(tag, attrs, text) {
    const n = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => n.setAttribute(k, v));
    if (text !== undefined) n.textContent = text;
    return n;
  }
  document.documentElement.setAttribute("data-ready", "yes");
})();
