// Muninn UI: progressive enhancement only. Every page works without this script (but file
// upload). It builds DOM with textContent and createElementNS only (no HTML parsing), and runs
// under a CSP without 'unsafe-inline' or 'unsafe-eval'.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";
  var SVG = "http://www.w3.org/2000/svg";
  var FIELDS = ["title", "body", "source", "entity", "indicator", "indicator.type", "id", "lang", "tlp", "grade", "date"];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }
  function quoted(value) { return '"' + String(value).replace(/\\+$/, "").replace(/"/g, '\\"') + '"'; }
  function addFilter(query, clause) {
    query = (query || "").trim();
    if (!query || query === "*") return clause;
    return query.indexOf(" OR ") >= 0 ? "(" + query + ") " + clause : query + " " + clause;
  }
  function searchUrl(q) { return "/search?q=" + encodeURIComponent(q); }
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Field completion: the datalist offers "<what you typed> field:" for the word being typed.
  var datalist = document.getElementById("query-fields");
  document.querySelectorAll('input[list="query-fields"]').forEach(function (input) {
    input.addEventListener("input", function () {
      if (!datalist) return;
      var value = input.value;
      var cut = Math.max(value.lastIndexOf(" "), value.lastIndexOf("("));
      var head = value.slice(0, cut + 1), word = value.slice(cut + 1).replace(/^-/, "");
      var sign = value.slice(cut + 1).charAt(0) === "-" ? "-" : "";
      while (datalist.firstChild) datalist.removeChild(datalist.firstChild);
      FIELDS.filter(function (f) { return word.indexOf(":") < 0 && f.indexOf(word.toLowerCase()) === 0; })
        .forEach(function (f) { datalist.appendChild(el("option", { value: head + sign + f + ":" })); });
    });
  });

  // Keyboard: / search, g+key to go, j/k rows, o/Enter open, x select, a/d/e triage, ? help.
  var pendingG = false, selected = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".rows > .row, .rows > tr.row")); }
  function select(index) {
    var all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    all[selected].scrollIntoView({ block: "nearest" });
  }
  var go = { s: "/search", n: "/incidents", d: "/duplicates", a: "/alerts", w: "/watchlists", i: "/import", e: "/export", h: "/sharing", u: "/audit" };
  document.addEventListener("keydown", function (event) {
    var help = document.getElementById("shortcuts");
    if (event.key === "Escape") {
      if (help) help.hidden = true;
      if (typing(event.target)) event.target.blur();
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (pendingG) {
      pendingG = false;
      if (go[event.key]) { window.location.href = go[event.key]; event.preventDefault(); }
      return;
    }
    var all = rows(), row = all[selected];
    switch (event.key) {
      case "/": {
        var box = document.getElementById("query") || document.querySelector('input[name="q"]');
        if (box) { box.focus(); box.select(); event.preventDefault(); }
        break;
      }
      case "g": pendingG = true; break;
      case "?": if (help) help.hidden = !help.hidden; break;
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "o": case "Enter": {
        var link = row && (row.querySelector("a.open") || row.querySelector("a"));
        if (link) { window.location.href = link.getAttribute("href"); event.preventDefault(); }
        break;
      }
      case "x": {
        var box2 = row && row.querySelector('input[type="checkbox"]');
        if (box2) box2.checked = !box2.checked;
        break;
      }
      case "a": case "d": case "e": {
        var button = document.querySelector('#triage button[data-key="' + event.key + '"]');
        if (!button) break;
        if (!document.querySelector('#triage input[name="key"]:checked')) {
          var own = row && row.querySelector('input[name="key"]');
          if (!own) break;
          own.checked = true;
        }
        button.click();
        break;
      }
    }
  });

  // Select all alerts.
  var selectAll = document.getElementById("select-all");
  if (selectAll) selectAll.addEventListener("change", function () {
    document.querySelectorAll('#alert-rows input[name="key"]').forEach(function (box) { box.checked = selectAll.checked; });
  });

  // Histogram brush: drag across bars for a date range.
  document.querySelectorAll("svg.bars").forEach(function (chart) {
    var start = null, dragged = false;
    chart.addEventListener("mousedown", function (event) {
      var bar = event.target.closest("a[data-day]");
      if (bar) { start = bar.getAttribute("data-day"); dragged = false; event.preventDefault(); }
    });
    chart.addEventListener("mouseover", function (event) {
      var bar = event.target.closest("a[data-day]");
      if (start === null || !bar) return;
      var day = bar.getAttribute("data-day");
      dragged = dragged || day !== start;
      var low = day < start ? day : start, high = day < start ? start : day;
      chart.querySelectorAll("a[data-day]").forEach(function (a) {
        var d = a.getAttribute("data-day");
        a.classList.toggle("brushed", d >= low && d <= high);
      });
    });
    chart.addEventListener("mouseup", function (event) {
      var bar = event.target.closest("a[data-day]");
      if (start === null || !bar) { start = null; return; }
      var end = bar.getAttribute("data-day");
      if (dragged && end !== start) {
        var low = end < start ? end : start, high = end < start ? start : end;
        window.location.href = searchUrl(addFilter(chart.getAttribute("data-query"), "date:[" + low + " TO " + high + "]"));
        event.preventDefault();
      }
      start = null;
    });
  });

  // Live alerts from the server-sent event stream.
  var alertRows = document.getElementById("alert-rows");
  if (alertRows && window.EventSource) {
    var status = document.getElementById("live-status");
    var stream = new EventSource("/api/v1/alerts/stream");
    stream.addEventListener("open", function () { if (status) status.textContent = "● live"; });
    stream.addEventListener("error", function () {
      if (status && stream.readyState !== EventSource.CLOSED) status.textContent = "○ reconnecting";
    });
    // The server ends the stream with the session (idle, too old, signed out, revoked): stop
    // (no reconnecting with a dead cookie) and offer to sign in again, back to this queue.
    stream.addEventListener("session-ended", function () {
      stream.close();
      if (status) status.textContent = "○ session ended";
      if (document.getElementById("session-ended")) return;
      var notice = el("div", { "class": "notice warn", role: "alert", id: "session-ended" }, "Your session has ended: this queue no longer updates. ");
      var next = window.location.pathname + window.location.search;
      notice.appendChild(el("a", { href: "/login?next=" + encodeURIComponent(next) + "&ended=1" }, "Sign in again"));
      var table = alertRows.closest("table") || alertRows;
      table.parentNode.insertBefore(notice, table);
    });
    stream.addEventListener("alert", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      var alert = data.alert || {}, key = String(data.key || "");
      var wantState = alertRows.getAttribute("data-state"), wantList = alertRows.getAttribute("data-list");
      if ((wantState && alert.state !== wantState) || (wantList && alert.list !== wantList)) return;
      var exists = Array.prototype.some.call(alertRows.querySelectorAll("tr[data-key]"), function (r) { return r.getAttribute("data-key") === key; });
      if (exists) return;
      alertRows.insertBefore(alertRow(key, alert), alertRows.firstChild);
      if (status) status.textContent = "● live · new alert";
    });
  }
  function cell(text, cls) { return el("td", cls ? { "class": cls } : {}, text === undefined ? "" : String(text)); }
  function alertRow(key, alert) {
    var tr = el("tr", { "class": "row live-new state-" + String(alert.state || "").replace(/[^a-z]/g, ""), "data-key": key });
    var box = el("input", { type: "checkbox", name: "key", "aria-label": "Select" });
    box.value = key;
    var first = el("td"); first.appendChild(box); tr.appendChild(first);
    var severity = String(alert.severity || "");
    tr.appendChild(cell(severity, "sev sev-" + severity.replace(/[^a-z]/g, "")));
    tr.appendChild(cell(alert.state, "state"));
    tr.appendChild(cell(String(alert.raised_at || "").slice(0, 16).replace("T", " ") + "Z"));
    var listCell = el("td");
    listCell.appendChild(el("a", { href: "/watchlists/" + encodeURIComponent(alert.list || "") }, alert.list || ""));
    listCell.appendChild(document.createTextNode(" · " + (alert.entry || "")));
    tr.appendChild(listCell);
    tr.appendChild(cell(alert.matched));
    tr.appendChild(cell(alert.method));
    var itemCell = el("td");
    itemCell.appendChild(el("a", { href: "/items/" + encodeURIComponent(alert.item || ""), "class": "open mono" }, String(alert.item || "").slice(0, 12)));
    tr.appendChild(itemCell);
    var tlpCell = el("td");
    var tlp = String(alert.tlp || "").toUpperCase();
    tlpCell.appendChild(el("span", { "class": "badge tlp tlp-" + tlp.toLowerCase().replace("+", "-").replace(/[^a-z-]/g, "") }, "TLP:" + tlp));
    tr.appendChild(tlpCell);
    return tr;
  }

  // Entity graph: drawn from the neighbour list (entities named in the same items, the
  // indicators in them, the knowledge base's relationships); a click expands a node with its own
  // neighbours (the search API's facets, under the same access rules); the boxes hide
  // relationship types (a node reached only through hidden types goes too).
  var graph = document.getElementById("entity-graph"), neighbours = document.getElementById("neighbours");
  if (graph && neighbours) {
    var nodes = [], edges = [], byKey = {}, hiddenRels = {};
    var centre = neighbours.getAttribute("data-entity") || "";
    function addNode(name, kind, x, y) {
      var key = kind + ":" + name;
      if (byKey[key]) return byKey[key];
      var node = { name: name, kind: kind, x: x, y: y, expanded: kind === "center" || kind === "stix", rels: {} };
      nodes.push(node); byKey[key] = node;
      return node;
    }
    // Places items around a node: a full circle, or an arc of `spread` radians around `offset`.
    function ring(around, items, radius, offset, spread) {
      items.forEach(function (item, i) {
        var angle = spread
          ? offset - spread / 2 + (spread * (i + 0.5)) / Math.max(items.length, 1)
          : offset + (2 * Math.PI * i) / Math.max(items.length, 1);
        var x = Math.max(30, Math.min(760, around.x + radius * Math.cos(angle)));
        var y = Math.max(20, Math.min(500, around.y + radius * Math.sin(angle)));
        var node = addNode(item.name, item.kind, x, y);
        link(around, node, item.rel, item.label);
      });
    }
    function link(from, to, rel, label) {
      edges.push({ from: from, to: to, rel: rel, label: label || "" });
      to.rels[rel] = true;
    }
    function shown(node) {
      if (node.kind === "center") return true;
      return Object.keys(node.rels).some(function (rel) { return !hiddenRels[rel]; });
    }
    var root = addNode(centre, "center", 450, 260);
    byKey["entity:" + centre] = root;
    var first = Array.prototype.map.call(neighbours.querySelectorAll("a[data-name]"), function (a) {
      return { name: a.getAttribute("data-name"), kind: a.getAttribute("data-kind") || "entity", rel: a.getAttribute("data-rel") || "", label: a.getAttribute("data-label") || "" };
    });
    ring(root, first, 200, -Math.PI / 2);
    function draw() {
      while (graph.firstChild) graph.removeChild(graph.firstChild);
      edges.forEach(function (edge) {
        if (hiddenRels[edge.rel] || !shown(edge.from) || !shown(edge.to)) return;
        graph.appendChild(svg("line", { x1: edge.from.x, y1: edge.from.y, x2: edge.to.x, y2: edge.to.y, "class": "k-" + edge.to.kind + " rel-" + edge.rel, "data-rel": edge.rel }));
        if (edge.label) {
          var text = svg("text", { x: (edge.from.x + edge.to.x) / 2, y: (edge.from.y + edge.to.y) / 2 - 3, "class": "edge-label" });
          text.textContent = edge.label;
          graph.appendChild(text);
        }
      });
      nodes.forEach(function (node) {
        if (!shown(node)) return;
        var g = svg("g", { tabindex: 0, role: "button", "aria-label": node.name, "class": "k-" + node.kind });
        var shape;
        if (node.kind === "indicator") {
          shape = svg("rect", { x: node.x - 6, y: node.y - 6, width: 12, height: 12, "class": node.expanded ? "expanded" : "" });
        } else if (node.kind === "stix") {
          shape = svg("polygon", { points: [node.x, node.y - 8, node.x + 8, node.y, node.x, node.y + 8, node.x - 8, node.y].join(" "), "class": "stix" });
        } else {
          shape = svg("circle", { cx: node.x, cy: node.y, r: node.kind === "center" ? 11 : 7, "class": node.kind === "center" ? "center" : node.expanded ? "expanded" : "" });
        }
        var title = svg("title", {});
        title.textContent = node.name + (node.expanded ? "" : " (click to expand, double-click to open)");
        shape.appendChild(title);
        var label = svg("text", { x: node.x + 10, y: node.y + 4 });
        label.textContent = node.name.length > 28 ? node.name.slice(0, 27) + "…" : node.name;
        g.appendChild(shape); g.appendChild(label);
        g.addEventListener("click", function () { expand(node); });
        g.addEventListener("dblclick", function () { open(node); });
        g.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { open(node); event.preventDefault(); }
          if (event.key === " ") { expand(node); event.preventDefault(); }
        });
        graph.appendChild(g);
      });
    }
    function clause(node) {
      if (node.kind === "stix") return quoted(node.name);
      return (node.kind === "indicator" ? "indicator:" : "entity:") + quoted(node.name);
    }
    function open(node) {
      window.location.href = node.kind === "entity" || node.kind === "center" ? "/entities/" + encodeURIComponent(node.name) : searchUrl(clause(node));
    }
    function getJson(url) {
      return fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; });
    }
    // A STIX relationship type as the page's filter names it (entity.rs's rel_word).
    function relWord(kind) {
      return "stix-" + Array.from(String(kind)).map(function (c) { return /^[A-Za-z0-9]$/.test(c) ? c.toLowerCase() : "-"; }).slice(0, 40).join("");
    }
    // An entity's neighbours are what its items' facets name (entities, indicators) and, from
    // the entity route, the knowledge base's relationships of the objects carrying its names.
    function expand(node) {
      if (node.expanded) return;
      node.expanded = true;
      var facets = getJson("/api/v1/search?facets=true&limit=1&q=" + encodeURIComponent(clause(node)));
      var profile = node.kind === "entity" ? getJson("/api/v1/entities/" + encodeURIComponent(node.name) + "?limit=1") : Promise.resolve(null);
      Promise.all([facets, profile]).then(function (answers) {
        var data = answers[0], entity = answers[1];
        var found = [];
        if (data && data.facets) {
          found = (data.facets.entity || []).slice(0, 8).map(function (e) { return { name: e.name, kind: "entity", rel: "named-with" }; })
            .concat((data.facets.indicator || []).slice(0, 5).map(function (e) { return { name: e.value, kind: "indicator", rel: "indicator" }; }));
        }
        ((entity && entity.relationships) || []).slice(0, 12).forEach(function (r) {
          var other = r.other || {};
          if (other.name) found.push({ name: String(other.name), kind: "stix", rel: relWord(r.type), label: String(r.type || "") });
        });
        found = found.filter(function (item) { return !(item.kind === node.kind && item.name === node.name); });
        var fresh = found.filter(function (item) { return !byKey[item.kind + ":" + item.name]; });
        found.filter(function (item) { return byKey[item.kind + ":" + item.name]; }).forEach(function (item) {
          var other = byKey[item.kind + ":" + item.name];
          if (other !== node) link(node, other, item.rel, item.label);
        });
        ring(node, fresh, 120, Math.atan2(node.y - 260, node.x - 450), Math.PI);
        syncFilter();
        draw();
      });
    }
    // The filter offers every relationship type drawn, the ones an expansion brought included,
    // each with how many links of that type the graph has.
    var filter = document.querySelector("fieldset.graph-filter");
    var labels = {};
    function filterBox(rel) {
      var boxes = filter ? filter.querySelectorAll("input[data-graph-rel]") : [];
      for (var i = 0; i < boxes.length; i++) if (boxes[i].getAttribute("data-graph-rel") === rel) return boxes[i];
      return null;
    }
    function onFilterChange(box) {
      box.addEventListener("change", function () {
        var rel = box.getAttribute("data-graph-rel");
        hiddenRels[rel] = !box.checked;
        neighbours.querySelectorAll("li[data-rel]").forEach(function (li) {
          if (li.getAttribute("data-rel") === rel) li.hidden = !box.checked;
        });
        graph.setAttribute("data-hidden", Object.keys(hiddenRels).filter(function (r) { return hiddenRels[r]; }).join(" "));
        draw();
      });
    }
    function syncFilter() {
      if (!filter) return;
      var counts = {};
      edges.forEach(function (edge) {
        if (!edge.rel) return;
        counts[edge.rel] = (counts[edge.rel] || 0) + 1;
        if (!labels[edge.rel]) labels[edge.rel] = edge.label || (edge.rel === "named-with" ? "named in the same items" : edge.rel === "indicator" ? "indicators in its items" : edge.rel);
      });
      Object.keys(counts).forEach(function (rel) {
        var box = filterBox(rel);
        if (!box) {
          box = el("input", { type: "checkbox", "data-graph-rel": rel, "data-label": labels[rel] });
          box.checked = true;
          onFilterChange(box);
          var label = el("label", { "class": "added" });
          label.appendChild(box);
          label.appendChild(document.createTextNode(""));
          filter.appendChild(label);
        }
        var text = box.nextSibling;
        if (text && text.nodeType === 3) text.nodeValue = " " + (box.getAttribute("data-label") || labels[rel]) + " (" + counts[rel] + ")";
      });
    }
    document.querySelectorAll("input[data-graph-rel]").forEach(function (box) {
      labels[box.getAttribute("data-graph-rel")] = box.getAttribute("data-label") || "";
      onFilterChange(box);
    });
    draw();
  }

  // Watchlist import: the chosen files go with the form as base64 (their exact bytes: the
  // server refuses text that is not UTF-8 rather than guess), so the result per record is the
  // server's page. Without script, the pasted text is sent.
  var listImport = document.getElementById("watchlist-import");
  if (listImport) listImport.addEventListener("submit", function (event) {
    var file = document.getElementById("watchlist-file"), alt = document.getElementById("watchlist-alt");
    var chosen = [[file, "watchlist-file-b64"], [alt, "watchlist-alt-b64"]].filter(function (pair) {
      return pair[0] && pair[0].files && pair[0].files.length;
    });
    if (!chosen.length) return;
    event.preventDefault();
    var status = document.getElementById("watchlist-import-status");
    if (status) status.textContent = "Reading the file…";
    Promise.all(chosen.map(function (pair) {
      return pair[0].files[0].arrayBuffer().then(function (buffer) {
        document.getElementById(pair[1]).value = base64(new Uint8Array(buffer));
      });
    })).then(function () {
      var name = document.getElementById("watchlist-filename");
      if (name && file.files.length) name.value = file.files[0].name;
      if (status) status.textContent = "Importing…";
      listImport.submit();
    }).catch(function () {
      if (status) status.textContent = "The file could not be read.";
    });
  });
  function base64(bytes) {
    var parts = [];
    for (var i = 0; i < bytes.length; i += 0x8000) parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    return btoa(parts.join(""));
  }

  // Entry form: aliases only for names.
  var entryKind = document.getElementById("entry-kind");
  if (entryKind) {
    var aliasesField = document.querySelector(".aliases-field");
    var showAliases = function () { if (aliasesField) aliasesField.hidden = entryKind.value !== "name"; };
    entryKind.addEventListener("change", showAliases);
    showAliases();
  }

  // Import: send the chosen file to the API with the form's selectors; show the run's result.
  var importForm = document.getElementById("import-form");
  if (importForm) importForm.addEventListener("submit", function (event) {
    var file = document.getElementById("import-file");
    if (!file || !file.files || !file.files.length) return; // the pasted text posts as a form
    event.preventDefault();
    var params = [];
    ["format", "source", "tlp", "grade"].forEach(function (name) {
      var field = importForm.elements[name];
      if (field && field.value) params.push(name + "=" + encodeURIComponent(field.value));
    });
    var result = document.getElementById("import-result"), progress = document.getElementById("import-progress");
    while (result.firstChild) result.removeChild(result.firstChild);
    progress.hidden = false; progress.value = 0;
    var request = new XMLHttpRequest();
    request.open("POST", importForm.getAttribute("data-api") + "?" + params.join("&"));
    request.setRequestHeader("X-CSRF-Token", csrf);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.addEventListener("progress", function (e) { if (e.lengthComputable) progress.value = (100 * e.loaded) / e.total; });
    request.addEventListener("load", function () {
      progress.hidden = true;
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
      if (request.status !== 200 || !data) {
        result.appendChild(el("div", { "class": "notice error", role: "alert" }, (data && data.description) || ("Import failed: HTTP " + request.status)));
        return;
      }
      result.appendChild(el("h2", {}, "Result: " + file.files[0].name));
      var dl = el("dl", { "class": "summary" });
      [["Stored", "stored"], ["Duplicates", "duplicates"], ["Rejected", "rejected"], ["Alerts", "alerts"], ["Bytes", "bytes"]].forEach(function (pair) {
        dl.appendChild(el("dt", {}, pair[0]));
        dl.appendChild(el("dd", { "data-field": pair[1] }, String(data[pair[1]] === undefined ? 0 : data[pair[1]])));
      });
      result.appendChild(dl);
      var problems = data.problems || [];
      if (problems.length) {
        var ul = el("ul", { "class": "problems" });
        problems.forEach(function (p) { ul.appendChild(el("li", {}, String(p))); });
        result.appendChild(ul);
      }
      result.appendChild(el("a", { href: searchUrl("date:>now-1d") }, "Search what arrived today"));
    });
    request.addEventListener("error", function () {
      progress.hidden = true;
      result.appendChild(el("div", { "class": "notice error", role: "alert" }, "Import failed: the server did not answer"));
    });
    request.send(file.files[0]);
  });
})();
