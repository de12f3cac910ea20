/* corpuslint report: pages, searches and draws one file at a time from the embedded
 * JSON. Data from the corpus is only ever set with textContent / setAttribute,
 * never parsed as HTML. No request ever leaves the page. */
(function () {
  "use strict";
  var S = JSON.parse(document.getElementById("summary").textContent);
  var details = null; // parsed on the first file view
  function getDetails() {
    if (details === null) {
      details = JSON.parse(document.getElementById("details").textContent);
    }
    return details;
  }
  // Row fields (see corpuslint/report/embed.py summary_payload).
  var DIR = 0, NAME = 1, WORDS = 2, PEN = 3, NF = 4, GARBLE = 5, BP = 6, MOJI = 7,
    CODES = 8, CLUSTER = 9, DETAIL = 10;
  var FAMILY_ORDER = ["FMT", "ENC", "BP", "DUP", "MT"];
  var rows = S.files, codes = S.codes, pageSize = S.pageSize || 100;
  var paths = new Array(rows.length), lower = new Array(rows.length);
  for (var i = 0; i < rows.length; i++) {
    paths[i] = S.dirs[rows[i][DIR]] + rows[i][NAME];
    lower[i] = paths[i].toLowerCase();
  }
  var codeIndex = {};
  codes.forEach(function (c, k) { codeIndex[c[0]] = k; });

  var state = { q: "", filter: "", sort: "penalty", page: 0, hist: null };
  var current = []; // file indices of the filtered, sorted list
  var lastScroll = 0;

  // -- small DOM helpers ------------------------------------------------------------
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (k === "class") e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmtInt(n) { return Number(n).toLocaleString("en-US"); }
  function fmtShare(v) { return v ? Math.round(v * 100) + "%" : "\u2013"; }
  function fmtGarble(v) { return v === null || v === undefined ? "\u2013" : v.toFixed(2); }
  function famClass(f) { return FAMILY_ORDER.indexOf(f) >= 0 ? f : "other"; }
  function familyChip(f) { return el("span", { class: "chip fam fam-" + famClass(f) }, f); }
  function fileLink(i) { return el("a", { href: "#file=" + i, class: "file-link" }, paths[i]); }

  function familiesOf(i) {
    var list = rows[i][CODES], seen = [];
    for (var k = 0; k < list.length; k += 2) {
      var f = codes[list[k]][3];
      if (seen.indexOf(f) < 0) seen.push(f);
    }
    seen.sort(function (a, b) {
      var x = FAMILY_ORDER.indexOf(a), y = FAMILY_ORDER.indexOf(b);
      return (x < 0 ? 99 : x) - (y < 0 ? 99 : y) || (a < b ? -1 : a > b ? 1 : 0);
    });
    return seen;
  }

  // -- filtering ----------------------------------------------------------------------
  function binHolds(bin, v) {
    if (v === null || v === undefined) return false;
    var lo = bin[0], hi = bin[1] === null ? Infinity : bin[1], closed = bin[2];
    var above = closed[0] === "c" ? v >= lo : v > lo;
    var below = closed[1] === "o" ? v < hi : v <= hi;
    return above && below;
  }
  var METRIC = { words: WORDS, garble: GARBLE, bp: BP };

  function matches(i) {
    var r = rows[i], f = state.filter;
    if (state.q && lower[i].indexOf(state.q) < 0) return false;
    if (state.hist) {
      if (!binHolds(state.hist.bin, r[METRIC[state.hist.metric]])) return false;
    }
    if (!f) return true;
    if (f === "any") return r[NF] > 0;
    if (f === "clean") return r[NF] === 0;
    if (f === "dup") return r[CLUSTER] >= 0;
    var list = r[CODES], k;
    if (f.lastIndexOf("code:", 0) === 0) {
      var want = codeIndex[f.slice(5)];
      for (k = 0; k < list.length; k += 2) if (list[k] === want) return true;
      return false;
    }
    if (f.lastIndexOf("fam:", 0) === 0) {
      var fam = f.slice(4);
      for (k = 0; k < list.length; k += 2) if (codes[list[k]][3] === fam) return true;
      return false;
    }
    return true;
  }

  function byPath(a, b) { return lower[a] < lower[b] ? -1 : lower[a] > lower[b] ? 1 : a - b; }
  function desc(field) {
    return function (a, b) {
      var x = rows[a][field], y = rows[b][field];
      if (x === null) x = -1;
      if (y === null) y = -1;
      return y - x || rows[b][PEN] - rows[a][PEN] || byPath(a, b);
    };
  }
  var SORTS = {
    penalty: function (a, b) {
      return rows[b][PEN] - rows[a][PEN] || rows[b][NF] - rows[a][NF] || byPath(a, b);
    },
    path: byPath,
    findings: desc(NF),
    words: desc(WORDS),
    garble: desc(GARBLE),
    bp: desc(BP),
  };

  function recompute() {
    var out = [];
    for (var i = 0; i < rows.length; i++) if (matches(i)) out.push(i);
    out.sort(SORTS[state.sort] || SORTS.penalty);
    current = out;
    var pages = Math.max(1, Math.ceil(current.length / pageSize));
    if (state.page >= pages) state.page = pages - 1;
  }

  // -- file list ------------------------------------------------------------------------
  var tbody = document.getElementById("file-rows");
  var pager = document.getElementById("pager");
  var countEl = document.getElementById("count");
  var activeEl = document.getElementById("active-filter");

  function renderFiles() {
    var start = state.page * pageSize, end = Math.min(current.length, start + pageSize);
    var frag = document.createDocumentFragment();
    for (var p = start; p < end; p++) {
      var i = current[p], r = rows[i];
      var tr = el("tr", { "data-file": i });
      tr.appendChild(el("td", { class: "num rank" }, p + 1));
      var td = el("td", { class: "path" });
      td.appendChild(fileLink(i));
      tr.appendChild(td);
      tr.appendChild(el("td", { class: "num" }, r[PEN] ? r[PEN] : "0"));
      tr.appendChild(el("td", { class: "num" }, fmtInt(r[NF])));
      var fams = el("td");
      familiesOf(i).forEach(function (f) { fams.appendChild(familyChip(f)); });
      tr.appendChild(fams);
      tr.appendChild(el("td", { class: "num" }, fmtInt(r[WORDS])));
      tr.appendChild(el("td", { class: "num" }, fmtGarble(r[GARBLE])));
      tr.appendChild(el("td", { class: "num" }, fmtShare(r[BP])));
      frag.appendChild(tr);
    }
    if (!current.length) {
      var none = el("tr");
      none.appendChild(el("td", { colspan: "8", class: "empty" }, "No file matches."));
      frag.appendChild(none);
    }
    tbody.replaceChildren(frag);
    countEl.textContent = fmtInt(current.length) + " of " + fmtInt(rows.length) + " files";
    renderPager(pager, state.page, Math.ceil(current.length / pageSize), function (p) {
      state.page = p;
      renderFiles();
      document.getElementById("files").scrollIntoView();
    });
    activeEl.replaceChildren();
    if (state.hist) {
      activeEl.appendChild(document.createTextNode(state.hist.label + " "));
      var x = el("button", { type: "button", title: "Clear this filter", id: "clear-hist" }, "\u00d7");
      x.addEventListener("click", function () {
        state.hist = null;
        state.page = 0;
        recompute();
        renderFiles();
      });
      activeEl.appendChild(x);
    }
  }

  function renderPager(box, page, pages, go) {
    box.replaceChildren();
    pages = Math.max(1, pages);
    function button(label, id, target, disabled) {
      var b = el("button", { type: "button", "data-role": id }, label);
      b.disabled = disabled;
      b.addEventListener("click", function () { go(target); });
      box.appendChild(b);
    }
    button("\u00ab First", "first", 0, page === 0);
    button("\u2039 Prev", "prev", page - 1, page === 0);
    box.appendChild(el("span", { class: "info" }, "Page " + fmtInt(page + 1) + " of " + fmtInt(pages)));
    button("Next \u203a", "next", page + 1, page >= pages - 1);
    button("Last \u00bb", "last", pages - 1, page >= pages - 1);
  }

  // filter select: every family and rule with findings, with file counts
  var filterEl = document.getElementById("filter");
  var sortEl = document.getElementById("sort");
  var qEl = document.getElementById("q");
  (function buildFilter() {
    var perCode = new Array(codes.length).fill(0), any = 0, dup = 0;
    var perFam = {};
    rows.forEach(function (r) {
      if (r[NF]) any++;
      if (r[CLUSTER] >= 0) dup++;
      var seen = {};
      for (var k = 0; k < r[CODES].length; k += 2) {
        perCode[r[CODES][k]]++;
        seen[codes[r[CODES][k]][3]] = 1;
      }
      for (var f in seen) perFam[f] = (perFam[f] || 0) + 1;
    });
    function opt(parent, value, label) {
      var o = el("option", { value: value }, label);
      parent.appendChild(o);
    }
    opt(filterEl, "", "All files");
    opt(filterEl, "any", "With findings (" + fmtInt(any) + ")");
    opt(filterEl, "clean", "Clean (" + fmtInt(rows.length - any) + ")");
    if (dup) opt(filterEl, "dup", "In a duplicate cluster (" + fmtInt(dup) + ")");
    var fams = Object.keys(perFam).sort(function (a, b) {
      var x = FAMILY_ORDER.indexOf(a), y = FAMILY_ORDER.indexOf(b);
      return (x < 0 ? 99 : x) - (y < 0 ? 99 : y) || (a < b ? -1 : 1);
    });
    fams.forEach(function (f) {
      var g = el("optgroup", { label: f });
      opt(g, "fam:" + f, "All " + f + " (" + fmtInt(perFam[f]) + ")");
      codes.forEach(function (c, k) {
        if (c[3] === f && perCode[k]) opt(g, "code:" + c[0], c[0] + " " + c[1] + " (" + fmtInt(perCode[k]) + ")");
      });
      filterEl.appendChild(g);
    });
  })();

  function setFilter(value) {
    var known = Array.prototype.some.call(filterEl.options, function (o) { return o.value === value; });
    if (!known && value) {
      // a rule or family without findings: still selectable, shows an empty list
      filterEl.appendChild(el("option", { value: value }, value.replace(/^\w+:/, "")));
    }
    filterEl.value = value;
    state.filter = value;
  }

  var debounce = null;
  qEl.addEventListener("input", function () {
    clearTimeout(debounce);
    debounce = setTimeout(function () {
      state.q = qEl.value.trim().toLowerCase();
      state.page = 0;
      recompute();
      renderFiles();
    }, rows.length > 20000 ? 200 : 60);
  });
  filterEl.addEventListener("change", function () {
    state.filter = filterEl.value;
    state.page = 0;
    recompute();
    renderFiles();
  });
  sortEl.addEventListener("change", function () {
    state.sort = sortEl.value;
    state.page = 0;
    recompute();
    renderFiles();
  });

  // -- duplicate clusters ----------------------------------------------------------------
  var clusterBox = document.getElementById("clusters");
  var clusterTools = document.getElementById("cluster-tools");
  var CLUSTER_PAGE = 10, MEMBERS_SHOWN = 8;
  var clusterState = { page: 0, q: "", list: S.clusters.map(function (_, k) { return k; }) };
  var clusterPager = el("div", { class: "pager", id: "cluster-pager" });

  function pathOf(idx, fallback) { return idx >= 0 ? paths[idx] : fallback; }
  function pathNode(idx, fallback) {
    return idx >= 0 ? fileLink(idx) : el("span", { title: "not in this run" }, fallback);
  }

  function renderClusters() {
    var list = clusterState.list;
    var start = clusterState.page * CLUSTER_PAGE;
    var frag = document.createDocumentFragment();
    list.slice(start, start + CLUSTER_PAGE).forEach(function (k) {
      var c = S.clusters[k], root = c[0], rootPath = c[1], size = c[2], members = c[3];
      var box = el("div", { class: "cluster", "data-cluster": k });
      var head = el("div", { class: "cluster-head" });
      head.appendChild(el("span", { class: "size" }, fmtInt(size) + " files"));
      head.appendChild(el("span", { class: "tag" }, "original"));
      var rp = el("span", { class: "root" });
      rp.appendChild(pathNode(root, rootPath));
      head.appendChild(rp);
      box.appendChild(head);
      var ol = el("ol");
      function addMember(m) {
        var li = el("li");
        var who = el("span", { class: "who" });
        who.appendChild(pathNode(m[0], "?"));
        if (m[1] !== root || (root < 0 && m[2] !== rootPath)) {
          // matched to another member, not to the original: say which
          var of = el("span", { class: "of" });
          of.appendChild(document.createTextNode(" duplicates "));
          of.appendChild(pathNode(m[1], m[2]));
          who.appendChild(el("br"));
          who.appendChild(of);
        }
        li.appendChild(who);
        var jb = el("span", { class: "jbar", title: "Jaccard similarity" });
        var fill = el("i");
        fill.style.width = Math.round((m[3] || 0) * 100) + "%";
        jb.appendChild(fill);
        li.appendChild(jb);
        li.appendChild(el("span", { class: "jac" }, m[3] === null ? "\u2013" : m[3].toFixed(2)));
        var code = m[4] >= 0 ? codes[m[4]][0] : "";
        li.appendChild(el("span", {}, "")).appendChild(familyChip("DUP")).textContent = code;
        ol.appendChild(li);
      }
      members.slice(0, MEMBERS_SHOWN).forEach(addMember);
      box.appendChild(ol);
      if (members.length > MEMBERS_SHOWN) {
        var more = el("div", { class: "more" });
        var b = el("button", { type: "button" }, "Show all " + fmtInt(members.length) + " members");
        b.addEventListener("click", function () {
          members.slice(MEMBERS_SHOWN).forEach(addMember);
          more.remove();
        });
        more.appendChild(b);
        box.appendChild(more);
      }
      frag.appendChild(box);
    });
    clusterBox.replaceChildren(frag);
    renderPager(clusterPager, clusterState.page, Math.ceil(list.length / CLUSTER_PAGE), function (p) {
      clusterState.page = p;
      renderClusters();
      document.getElementById("duplicates").scrollIntoView();
    });
  }
  if (S.clusters.length) {
    var cq = el("input", { type: "search", placeholder: "Find a cluster by path\u2026", "aria-label": "Find a cluster by path" });
    cq.addEventListener("input", function () {
      var q = cq.value.trim().toLowerCase();
      clusterState.list = [];
      S.clusters.forEach(function (c, k) {
        if (!q || pathOf(c[0], c[1]).toLowerCase().indexOf(q) >= 0 ||
          c[3].some(function (m) { return pathOf(m[0], "").toLowerCase().indexOf(q) >= 0; })) {
          clusterState.list.push(k);
        }
      });
      clusterState.page = 0;
      renderClusters();
    });
    clusterTools.appendChild(cq);
    clusterBox.parentNode.appendChild(clusterPager);
    renderClusters();
  }

  // -- file view ------------------------------------------------------------------------------
  var dashboard = document.getElementById("dashboard");
  var view = document.getElementById("view");

  function figure(label, value) {
    var f = el("div", { class: "figure" });
    f.appendChild(el("b", null, value));
    f.appendChild(document.createTextNode(label));
    return f;
  }

  function findingTitle(f) { return codes[f[0]][0] + " " + f[5]; }

  // Text with each finding's span highlighted: boundaries split the text into
  // segments; a segment covered by findings becomes one <mark> naming them all.
  function buildText(text, findings) {
    var n = text.length, starts = {}, ends = {}, inserts = {}, points = [0, n];
    findings.forEach(function (f, k) {
      var s = f[1], e = f[2];
      if (s < 0 || s > n) return; // whole file, or beyond a cut text
      e = Math.min(e, n);
      if (s === e) {
        (inserts[s] = inserts[s] || []).push(k);
      } else {
        (starts[s] = starts[s] || []).push(k);
        (ends[e] = ends[e] || []).push(k);
        points.push(e);
      }
      points.push(s);
    });
    points = Array.from(new Set(points)).sort(function (a, b) { return a - b; });
    var frag = document.createDocumentFragment(), active = [], marks = {};
    function remember(k, node) { if (!marks[k]) marks[k] = node; }
    points.forEach(function (p, j) {
      (ends[p] || []).forEach(function (k) { active.splice(active.indexOf(k), 1); });
      (inserts[p] || []).forEach(function (k) {
        var f = findings[k];
        var ins = el("span", { class: "ins f-" + famClass(codes[f[0]][3]), "data-k": k, title: findingTitle(f) });
        frag.appendChild(ins);
        remember(k, ins);
      });
      (starts[p] || []).forEach(function (k) { active.push(k); });
      var next = points[j + 1];
      if (next === undefined || next <= p) return;
      var piece = text.slice(p, next);
      if (!active.length) {
        frag.appendChild(document.createTextNode(piece));
        return;
      }
      var top = findings[active[active.length - 1]];
      var m = el("mark", {
        class: "hl f-" + famClass(codes[top[0]][3]) + (active.length > 1 ? " multi" : ""),
        "data-k": active.join(" "),
        title: active.map(function (k) { return findingTitle(findings[k]); }).join("\n"),
      }, piece);
      active.forEach(function (k) { remember(k, m); });
      frag.appendChild(m);
    });
    return { frag: frag, marks: marks };
  }

  function findingItem(f, k) {
    var li = el("li", { id: "fd-" + k, "data-k": k });
    li.appendChild(familyChip(codes[f[0]][3])).textContent = codes[f[0]][0];
    li.appendChild(el("span", { class: "sev-dot sev-" + codes[f[0]][2], title: codes[f[0]][2] }));
    li.appendChild(el("span", { class: "rule-name" }, codes[f[0]][1]));
    if (f[6]) li.appendChild(el("span", { class: "fix", title: "a fix is available" }, "[*]"));
    li.appendChild(el("span", { class: "where" }, f[3] ? f[3] + ":" + f[4] : "file"));
    li.appendChild(el("span", { class: "msg" }, f[5]));
    return li;
  }

  function openFile(i) {
    if (!(i >= 0 && i < rows.length)) return showDashboard();
    if (!view.hidden && view.getAttribute("data-file") === String(i)) return;
    if (view.hidden) lastScroll = window.scrollY;
    var r = rows[i];
    view.replaceChildren();
    view.setAttribute("data-file", i);

    var nav = el("div", { class: "view-nav" });
    nav.appendChild(el("a", { href: "#files", class: "back" }, "\u2190 All files"));
    nav.appendChild(el("span", { class: "spacer" }));
    var order = current.indexOf(i) >= 0 ? current : null;
    var pos = order ? order.indexOf(i) : i;
    var prev = order ? order[pos - 1] : i - 1, next = order ? order[pos + 1] : i + 1;
    var hasPrev = prev !== undefined && prev >= 0, hasNext = next !== undefined && next < rows.length;
    nav.appendChild(el("a", { href: hasPrev ? "#file=" + prev : "#", class: "prev" + (hasPrev ? "" : " disabled") }, "\u2039 Previous"));
    nav.appendChild(el("span", { class: "pos" }, order ? fmtInt(pos + 1) + " of " + fmtInt(order.length) : ""));
    nav.appendChild(el("a", { href: hasNext ? "#file=" + next : "#", class: "next" + (hasNext ? "" : " disabled") }, "Next \u203a"));
    view.appendChild(nav);
    view.appendChild(el("h2", { class: "file-path" }, paths[i]));

    var figs = el("div", { class: "figures" });
    figs.appendChild(figure("penalty", r[PEN] || 0));
    figs.appendChild(figure("findings", fmtInt(r[NF])));
    figs.appendChild(figure("words", fmtInt(r[WORDS])));
    figs.appendChild(figure("garble score", fmtGarble(r[GARBLE])));
    figs.appendChild(figure("boilerplate lines", fmtShare(r[BP])));
    if (r[MOJI]) figs.appendChild(figure("mojibake", fmtInt(r[MOJI])));
    if (r[CLUSTER] >= 0) {
      var c = S.clusters[r[CLUSTER]];
      var cf = figure(c[0] === i ? "duplicate cluster (the original)" : "duplicate cluster \u2192 original",
        fmtInt(c[2]) + " files");
      if (c[0] >= 0 && c[0] !== i) {
        var link = el("a", { href: "#file=" + c[0], class: "figure" });
        while (cf.firstChild) link.appendChild(cf.firstChild);
        cf = link;
      }
      figs.appendChild(cf);
    }
    view.appendChild(figs);

    var body = el("div", { class: "view-body" });
    var docPanel = el("section", { class: "panel doc-panel" });
    var aside = el("aside", { class: "panel findings" });
    body.appendChild(docPanel);
    body.appendChild(aside);
    view.appendChild(body);

    var d = r[DETAIL] ? getDetails()[String(i)] : null;
    aside.appendChild(el("h3", null, "Findings (" + fmtInt(r[NF]) + ")"));
    if (!d) {
      docPanel.appendChild(el("p", { class: "doc-note" },
        "This file's text and findings are not embedded: the report's budget " +
        "(--max-embedded-text-bytes) went to worse files. Its counts per rule:"));
      var ul = el("ol");
      for (var k = 0; k < r[CODES].length; k += 2) {
        var c2 = codes[r[CODES][k]];
        var li = el("li");
        li.appendChild(familyChip(c2[3])).textContent = c2[0];
        li.appendChild(el("span", { class: "msg" }, c2[1] + " \u00d7 " + r[CODES][k + 1]));
        ul.appendChild(li);
      }
      aside.appendChild(ul);
      if (!r[NF]) aside.appendChild(el("p", { class: "muted" }, "No findings."));
    } else {
      var fs = d.f, marks = {};
      if (d.t === null) {
        docPanel.appendChild(el("p", { class: "doc-note" }, "The text of this file cannot be shown (binary, too large, unreadable, or changed since the check)."));
      } else {
        if (d.cut !== undefined) {
          docPanel.appendChild(el("p", { class: "doc-note" },
            "Text cut after " + fmtInt(d.cut) + " of " + fmtInt(d.len) + " characters to keep the report small; findings further on are listed but not highlighted."));
        }
        var built = buildText(d.t, fs);
        marks = built.marks;
        var pre = el("pre", { class: "doc" });
        pre.appendChild(built.frag);
        docPanel.appendChild(pre);
        pre.addEventListener("click", function (ev) {
          var t = ev.target.closest ? ev.target.closest("[data-k]") : null;
          if (!t) return;
          aside.querySelectorAll("li.active").forEach(function (x) { x.classList.remove("active"); });
          t.getAttribute("data-k").split(" ").forEach(function (k, n) {
            var item = document.getElementById("fd-" + k);
            if (!item) return;
            item.classList.add("active");
            if (n === 0) item.scrollIntoView({ block: "nearest" });
          });
        });
      }
      var whole = [], spanned = [];
      fs.forEach(function (f, k) { (f[1] < 0 ? whole : spanned).push(k); });
      spanned.sort(function (a, b) { return fs[a][3] - fs[b][3] || fs[a][4] - fs[b][4] || a - b; });
      function list(title, ks) {
        if (!ks.length) return;
        aside.appendChild(el("h4", null, title));
        var ol = el("ol");
        ks.forEach(function (k) {
          var item = findingItem(fs[k], k);
          item.addEventListener("click", function () {
            var m = marks[k];
            if (!m) return;
            m.scrollIntoView({ block: "center" });
            m.classList.add("flash");
            setTimeout(function () { m.classList.remove("flash"); }, 1200);
          });
          ol.appendChild(item);
        });
        aside.appendChild(ol);
      }
      list("Whole document", whole);
      list("In the text", spanned);
      if (d.more) aside.appendChild(el("p", { class: "muted" }, "\u2026 and " + fmtInt(d.more) + " more findings (not listed)."));
      if (!fs.length) aside.appendChild(el("p", { class: "muted" }, "No findings."));
    }
    dashboard.hidden = true;
    view.hidden = false;
    window.scrollTo(0, 0);
  }

  function showDashboard() {
    var wasHidden = dashboard.hidden;
    view.hidden = true;
    view.replaceChildren();
    view.removeAttribute("data-file");
    dashboard.hidden = false;
    return wasHidden;
  }

  // -- routing ----------------------------------------------------------------------
  function route() {
    var h = decodeURIComponent(location.hash.slice(1));
    var m = /^file=(\d+)$/.exec(h);
    if (m) return openFile(Number(m[1]));
    var wasHidden = showDashboard();
    if (h.lastIndexOf("files", 0) === 0) {
      var params = {};
      (h.split("?")[1] || "").split("&").forEach(function (kv) {
        var p = kv.split("=");
        if (p[0]) params[p[0]] = p.slice(1).join("=");
      });
      if (params.code || params.fam || params.hist) {
        state.hist = null;
        setFilter(params.code ? "code:" + params.code : params.fam ? "fam:" + params.fam : "");
        if (params.hist && S.hist[params.hist]) {
          var bin = S.hist[params.hist][Number(params.bin)];
          if (bin) {
            var names = { words: "Words", garble: "Garble score", bp: "Boilerplate share" };
            state.hist = { metric: params.hist, bin: bin, label: names[params.hist] + " " + bin[3] };
          }
        }
        state.page = 0;
        recompute();
        renderFiles();
      }
      document.getElementById("files").scrollIntoView();
      return;
    }
    if (h && document.getElementById(h)) {
      document.getElementById(h).scrollIntoView();
    } else if (wasHidden) {
      window.scrollTo(0, lastScroll);
    }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !view.hidden) location.hash = "#files";
  });
  window.addEventListener("hashchange", route);
  recompute();
  renderFiles();
  route();
  document.documentElement.setAttribute("data-ready", "1");
})();
