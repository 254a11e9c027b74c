/* The indicator grid (Tabulator, served from npm as our own static file).
 *
 * The page carries the rows as JSON (#indicator-grid-data). Every change is kept in this browser's
 * localStorage at once and saved to the server shortly after (all rows; rows not yet valid are kept
 * there as a draft with their errors). Leaving the page first saves; closing it with unsaved changes
 * asks first; a lost session keeps the rows here and offers them again after logging in.
 * A block copied from Excel or WPS is read by the server (/indicators/paste/) into rows and groups.
 */
(function () {
  "use strict";
  var app = document.getElementById("grid-app");
  var source = document.getElementById("indicator-grid-data");
  if (!app || !source || typeof Tabulator === "undefined") return;
  var data = JSON.parse(source.textContent);
  var editable = !!data.editable;
  var version = data.version;
  var storageKey = app.dataset.storageKey;
  var statusEl = document.getElementById("grid-status");
  var errorsEl = document.getElementById("grid-errors");
  var notesEl = document.getElementById("grid-notes");
  var groupSelect = document.getElementById("grid-group");
  var changes = 0;        // edits since the page loaded
  var savedChanges = 0;   // edits the server has (saved, or kept as a draft)
  var saving = null;      // the save in flight (a Promise)
  var timer = null;
  var blocked = null;     // why saving stopped (conflict, session), or null
  var EXTRA = data.columns.map(function (c) { return c.field; });
  var LONG = { description: 1, basis: 1, standard: 1 };

  app.hidden = false;

  // --- groups ---------------------------------------------------------------------------
  var groups = {};
  data.groups.forEach(function (g) { groups[g.term + "|" + g.subcategory] = g; });
  var termLabels = {};
  data.terms.forEach(function (t) { termLabels[t.term] = t.label; });
  var manyTerms = data.terms.length > 1;

  function groupKey(row) { return row.term + "|" + (row.subcategory || 0); }
  function groupValues(rows) {
    var values = data.groups.map(function (g) { return g.term + "|" + g.subcategory; });
    rows.forEach(function (r) {
      var key = groupKey(r);
      if (values.indexOf(key) < 0) values.push(key);
    });
    return [values];
  }
  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function groupTitle(key) {
    var g = groups[key];
    var term = key.split("|")[0];
    var prefix = manyTerms ? (termLabels[term] || term) + " · " : "";
    if (!g) return prefix + "未识别的二级指标（请在“二级指标”列选择）";
    return prefix + g.category + " › " + g.name;
  }
  if (groupSelect) {
    data.groups.forEach(function (g) {
      var option = document.createElement("option");
      option.value = g.term + "|" + g.subcategory;
      option.textContent = groupTitle(option.value);
      groupSelect.appendChild(option);
    });
  }

  // --- rows -----------------------------------------------------------------------------
  function newKey() { return "n" + Math.random().toString(16).slice(2, 12); }
  function prepare(row) {
    row.group = groupKey(row);
    EXTRA.forEach(function (f) { if (row[f] == null) row[f] = ""; });
    if (row.name == null) row.name = "";
    if (row.value == null) row.value = "";
    return row;
  }
  function plainRows() {
    var rows = [];
    table.getGroups().forEach(function (group) {
      group.getRows().forEach(function (r) { rows.push(r.getData()); });
    });
    return rows.map(function (r) {
      var out = { key: r.key, id: r.id || null, term: r.term, subcategory: r.subcategory || null,
                  name: r.name, value: r.value };
      EXTRA.forEach(function (f) { out[f] = r[f]; });
      return out;
    });
  }

  // --- the value grammar, as the server reads it (declarations/values.py) ---------------
  var NUMBER = /^(>=|<=|==|[≥≤=><≧≦])?\s*(\d+(?:\.\d+)?)\s*([^\d]*?)\s*$/;
  function valueProblem(raw) {
    var text = String(raw || "").normalize("NFKC").trim();
    if (!text) return "请填写指标值";
    var match = NUMBER.exec(text);
    if (match && match[3].length <= 20) return "";
    if ("≥≤=><≧≦".indexOf(text[0]) >= 0) return "“" + raw + "”无法识别：比较符号后应为数字和单位，例如“≥95%”";
    return "";
  }

  // --- cells ----------------------------------------------------------------------------
  function textCell(cell) {
    var row = cell.getRow().getData();
    var field = cell.getField();
    var error = row.errors && row.errors[field];
    var el = cell.getElement();
    el.classList.toggle("grid-cell-error", !!error);
    if (error) el.setAttribute("title", error); else el.removeAttribute("title");
    var span = document.createElement("span");
    span.textContent = cell.getValue() == null ? "" : cell.getValue();
    if (error) {
      var note = document.createElement("span");
      note.className = "grid-error-text";
      note.textContent = error;
      var wrap = document.createElement("span");
      wrap.appendChild(span);
      wrap.appendChild(note);
      return wrap;
    }
    return span;
  }
  function nameCell(cell) {
    var el = textCell(cell);
    var row = cell.getRow().getData();
    (row.comments || []).forEach(function (comment) {  // the reviewer's words, shown on the row itself
      var note = document.createElement("span");
      note.className = "grid-comment-text";
      note.setAttribute("data-testid", "row-comment");
      note.textContent = comment;
      el.appendChild(note);
    });
    if (row.references) {
      var mark = document.createElement("span");
      mark.className = "grid-reference-mark";
      mark.textContent = " ⓘ";
      mark.setAttribute("title", "参考值：" + row.references.join("\n"));
      mark.setAttribute("aria-label", "参考值：" + row.references.join("；"));
      el.appendChild(mark);
    }
    return el;
  }
  function subcategoryCell(cell) {
    var row = cell.getRow().getData();
    var g = groups[groupKey(row)];
    cell.getElement().classList.toggle("grid-cell-error", !g);
    var span = document.createElement("span");
    span.textContent = g ? g.name : (row.pasted_subcategory ? "“" + row.pasted_subcategory + "”？请选择" : "请选择");
    return span;
  }
  function subcategoryOptions(cell) {
    var term = cell.getRow().getData().term;
    return data.groups.filter(function (g) { return g.term === term; }).map(function (g) {
      return { label: g.category + " › " + g.name, value: g.subcategory };
    });
  }
  Object.keys(data.library).forEach(function (sub) {
    var list = document.createElement("datalist");
    list.id = "grid-library-" + sub;
    data.library[sub].forEach(function (entry) {
      var option = document.createElement("option");
      option.value = entry.name;
      if (entry.value) option.label = entry.value;
      list.appendChild(option);
    });
    app.appendChild(list);
  });

  var columns = [];
  if (editable) {
    columns.push({ rowHandle: true, formatter: "handle", headerSort: false, frozen: true, responsive: 0, width: 30, minWidth: 30 });
  }
  columns.push(
    { title: "二级指标", field: "subcategory", width: 120, headerSort: false, formatter: subcategoryCell, responsive: 2,
      editor: editable ? "list" : false, editorParams: { valuesLookup: subcategoryOptions } },
    { title: "三级指标", field: "name", minWidth: 180, responsive: 0, widthGrow: 3, headerSort: false, formatter: nameCell,
      variableHeight: true,
      editor: editable ? "input" : false,
      editorParams: function (cell) {  // the library of the row's 二级 as the browser's own suggestions
        return { elementAttributes: { list: "grid-library-" + (cell.getRow().getData().subcategory || 0),
                                      autocomplete: "off" } };
      } },
    { title: "指标值", field: "value", minWidth: 120, responsive: 0, widthGrow: 1, headerSort: false, formatter: textCell,
      editor: editable ? "input" : false }
  );
  data.columns.forEach(function (c) {
    columns.push({ title: c.title, field: c.field, responsive: 0, minWidth: LONG[c.field] ? 160 : 90,
                   widthGrow: LONG[c.field] ? 2 : 1, headerSort: false, formatter: textCell,
                   editor: editable ? "input" : false });
  });
  if (editable) {
    columns.push({ title: "", field: "_delete", width: 44, responsive: 0, headerSort: false, hozAlign: "center",
      formatter: function () {
        var b = document.createElement("button");
        b.type = "button"; b.className = "btn btn-sm btn-link text-danger p-0 grid-delete";
        b.textContent = "✕"; b.setAttribute("aria-label", "删除该行");
        return b;
      },
      cellClick: function (e, cell) { cell.getRow().delete(); } });
  }

  var initial = data.rows.map(prepare);
  var table = new Tabulator("#indicator-grid", {
    data: initial,
    index: "key",
    columns: columns,
    layout: "fitColumns",
    responsiveLayout: "hide",  // a phone drops the 二级 column first (its group header names it)
    maxHeight: "calc(100vh - 230px)",
    minHeight: 260,
    movableRows: editable,
    groupBy: "group",
    groupValues: groupValues(initial),
    groupToggleElement: "arrow",
    groupHeader: function (value, count, rows, group) {
      // Tabulator gives a group header the role of a row group; it is one row of one cell (ARIA).
      if (group && group.getElement) group.getElement().setAttribute("role", "row");
      var g = groups[value];
      var badge = g ? (g.mandatory ? ' <span class="badge text-bg-danger">必填</span>' : ' <span class="badge text-bg-light">选填</span>') : "";
      var add = editable && g ? ' <button type="button" class="btn btn-sm btn-link py-0 grid-add-in-group" data-group="' +
        escapeHtml(value) + '">＋ 添加</button>' : "";
      return '<span role="gridcell">' + escapeHtml(groupTitle(value)) + badge + ' <span class="text-muted">(' + count +
        ")</span>" + add + "</span>";
    },
    placeholder: editable ? "还没有指标：在 Excel/WPS 中选中去年表格的指标行复制，再在这里按 Ctrl+V；或点“＋ 添加一行”。" : "暂无指标",
    rowFormatter: function (row) {
      var d = row.getData();
      row.getElement().classList.toggle("grid-row-error", !!(d.errors && Object.keys(d.errors).length));
      row.getElement().classList.toggle("grid-row-comment", !!(d.comments && d.comments.length));
    },
    editTriggerEvent: "focus",
  });

  // --- saving ---------------------------------------------------------------------------
  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "small ms-auto " + (kind === "error" ? "text-danger fw-bold" : kind === "warn" ? "text-warning-emphasis" : "text-success");
  }
  function backup() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ version: version, at: Date.now(), rows: plainRows() }));
    } catch (e) { /* private mode or full: the server copy still counts */ }
  }
  function dropBackup() { try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ } }
  function changed() {
    if (!editable) return;
    changes += 1;
    backup();
    setStatus("有未保存的修改…", "warn");
    clearTimeout(timer);
    if (!blocked) timer = setTimeout(save, 1200);
  }
  function isDirty() { return changes !== savedChanges; }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", redirect: "error", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
      body: JSON.stringify(body),
    });
  }
  // Errors are painted on the cells directly: re-rendering a row would close an editor the
  // filler is typing in (a save answers while they go on typing).
  function paintErrors(row) {
    var errors = row.getData().errors || {};
    row.getElement().classList.toggle("grid-row-error", Object.keys(errors).length > 0);
    row.getCells().forEach(function (cell) {
      var field = cell.getField();
      if (!field || field === "_delete") return;
      var el = cell.getElement();
      var error = field === "subcategory" ? (errors.subcategory || (groups[groupKey(row.getData())] ? "" : "请选择二级指标")) : errors[field];
      el.classList.toggle("grid-cell-error", !!error);
      if (error) el.setAttribute("title", error); else el.removeAttribute("title");
      if (el.querySelector("input, textarea, select")) return; // being edited
      var note = el.querySelector(".grid-error-text");
      if (!error && note) note.remove();
      if (error && field !== "subcategory") {
        if (!note) { note = document.createElement("span"); note.className = "grid-error-text"; el.appendChild(note); }
        note.textContent = error;
      }
    });
  }
  function setErrors(row, errors) {
    row.getData().errors = errors && Object.keys(errors).length ? errors : null;
    paintErrors(row);
  }
  function showErrors(errors) {
    var keys = Object.keys(errors || {});
    table.getRows().forEach(function (row) {
      var d = row.getData();
      var next = errors[d.key] || null;
      if (JSON.stringify(d.errors || null) !== JSON.stringify(next)) setErrors(row, next);
    });
    errorsEl.innerHTML = "";
    if (!keys.length) { errorsEl.hidden = true; return; }
    var head = document.createElement("div");
    head.textContent = "有 " + keys.length + " 行需要修改（已标红，内容都保留着）：";
    errorsEl.appendChild(head);
    var list = document.createElement("ul");
    list.className = "mb-0";
    keys.slice(0, 12).forEach(function (key) {
      var row = table.getRow(key);
      if (!row) return;
      var d = row.getData();
      Object.keys(errors[key]).forEach(function (field) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#"; a.dataset.key = key; a.dataset.field = field;
        a.textContent = (d.name || "（未命名）") + " · " + columnTitle(field) + "：" + errors[key][field];
        li.appendChild(a);
        list.appendChild(li);
      });
    });
    errorsEl.appendChild(list);
    errorsEl.hidden = false;
  }
  function columnTitle(field) {
    var column = table.getColumn(field);
    return column ? column.getDefinition().title : "二级指标";
  }
  errorsEl.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-key]");
    if (!a) return;
    e.preventDefault();
    table.scrollToRow(a.dataset.key, "center", true).then(function () {
      var cell = table.getRow(a.dataset.key).getCell(a.dataset.field === "subcategory" ? "subcategory" : a.dataset.field);
      if (cell) cell.edit();
    });
  });

  // The progress bar, the step badges and this step's findings as the server now sees them.
  function showState(state) {
    if (!state) return;
    var bar = document.querySelector("[data-testid=progress]");
    if (bar) { bar.style.width = state.percent + "%"; bar.textContent = state.percent + "%"; }
    state.steps.forEach(function (step) {
      var link = document.querySelector(".wizard-steps a[data-step='" + step.key + "']");
      if (!link) return;
      link.querySelectorAll(".badge, [aria-label='已完成']").forEach(function (el) { el.remove(); });
      if (step.complete) {
        var tick = document.createElement("span"); tick.setAttribute("aria-label", "已完成"); tick.textContent = "✓ ";
        link.insertBefore(tick, link.firstChild);
      }
      [["errors", "text-bg-danger", "需要修改"], ["hints", "text-bg-warning", "审核提示"]].forEach(function (b) {
        if (!step[b[0]]) return;
        var badge = document.createElement("span");
        badge.className = "badge " + b[1]; badge.title = b[2]; badge.textContent = step[b[0]];
        link.appendChild(document.createTextNode(" ")); link.appendChild(badge);
      });
    });
    var box = document.querySelector("[data-testid=step-findings]");
    if (!state.findings.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.className = "alert alert-warning small"; box.setAttribute("data-testid", "step-findings");
      app.parentNode.insertBefore(box, app);
    }
    box.innerHTML = "";
    state.findings.forEach(function (f) {
      var line = document.createElement("div");
      var head = document.createElement(f.level === "error" ? "strong" : "span");
      head.textContent = f.level === "error" ? "需修改" : "提示";
      line.appendChild(head);
      line.appendChild(document.createTextNode("〔" + f.criterion + "〕" + f.message));
      box.appendChild(line);
    });
  }

  function save(keepalive) {
    if (!editable || blocked) return Promise.resolve(false);
    clearTimeout(timer);
    if (saving) return saving.then(function () { return isDirty() ? save(keepalive) : true; });
    if (!isDirty()) return Promise.resolve(true);
    var sent = changes;
    setStatus("正在保存…", "warn");
    saving = post(app.dataset.saveUrl, { version: version, rows: plainRows() }, keepalive)
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (result) {
        var body = result.body;
        if (result.status === 200 && body.status === "saved") {
          version = body.version;
          var byKey = {};
          body.rows.forEach(function (r) { byKey[r.key] = r; });
          table.getRows().forEach(function (row) {
            var fresh = byKey[row.getData().key];
            if (fresh) row.getData().id = fresh.id;
          });
          showErrors({});
          showState(body.state);
          savedChanges = sent;
          if (!isDirty()) dropBackup();
          setStatus(body.message + "（" + new Date().toLocaleTimeString("zh-CN") + "）", "ok");
          return true;
        }
        if (result.status === 200 && body.status === "draft") {
          savedChanges = sent;
          if (!isDirty()) dropBackup();
          showErrors(body.errors);
          showState(body.state);
          setStatus(body.message, "warn");
          return true;
        }
        if (result.status === 409 || result.status === 401 || result.status === 403) {
          blocked = body.message || "登录已失效或页面已过期：修改已保留在本机浏览器中，请重新登录后回到本页恢复。";
          setStatus(blocked, "error");
          return false;
        }
        setStatus(body.message || "保存失败（" + result.status + "），修改已保留在本机浏览器中。", "error");
        return false;
      })
      .catch(function () {
        setStatus("无法连接服务器，修改已保留在本机浏览器中，恢复连接后会再次保存。", "error");
        timer = setTimeout(save, 15000);
        return false;
      })
      .finally(function () { saving = null; });
    return saving;
  }

  table.on("cellEdited", function (cell) {
    var row = cell.getRow();
    var d = row.getData();
    if (cell.getField() === "subcategory") {
      d.subcategory = parseInt(d.subcategory, 10) || null;
      row.update({ subcategory: d.subcategory, group: groupKey(d), pasted_subcategory: null });
      table.setGroupValues(groupValues(table.getData()));
    }
    if (cell.getField() === "name") {
      var entry = (data.library[String(d.subcategory)] || []).filter(function (e) { return e.name === d.name; })[0];
      if (entry) {
        var fill = {};
        if (!d.value && entry.value) fill.value = entry.value;
        if (!d.basis && entry.basis && EXTRA.indexOf("basis") >= 0) fill.basis = entry.basis;
        if (!d.description && entry.description && EXTRA.indexOf("description") >= 0) fill.description = entry.description;
        row.update(fill);
      }
    }
    if (cell.getField() === "value") {
      var problem = valueProblem(d.value);
      var errors = Object.assign({}, d.errors || {});
      if (problem && d.value) errors.value = problem; else delete errors.value;
      setErrors(row, errors);
    }
    changed();
  });
  table.on("rowMoved", function (row) {
    var d = row.getData();
    var parts = String(d.group).split("|");
    row.update({ term: parts[0], subcategory: parseInt(parts[1], 10) || null });
    changed();
  });
  table.on("rowDeleted", changed);
  table.on("cellClick", function (e, cell) {
    if (groupSelect) {
      var key = groupKey(cell.getRow().getData());
      if (groups[key]) groupSelect.value = key;
    }
  });
  table.on("groupClick", function (e) {
    var button = e.target.closest && e.target.closest(".grid-add-in-group");
    if (button) { e.stopPropagation(); addRow(button.dataset.group); }
  });

  function addRow(key) {
    var g = groups[key];
    if (!g) return;
    var row = prepare({ key: newKey(), id: null, term: g.term, subcategory: g.subcategory, name: "", value: "" });
    table.addRow(row).then(function (added) {
      table.scrollToRow(added, "center", false).then(function () { added.getCell("name").edit(); });
      changed();
    });
  }

  // --- pasting a block from Excel or WPS ---------------------------------------------------
  function selectedGroup() { return groups[groupSelect ? groupSelect.value : ""] || data.groups[0]; }
  function pasteBlock(text) {
    var g = selectedGroup();
    setStatus("正在读取粘贴的表格…", "warn");
    return post(app.dataset.pasteUrl, { text: text, term: g ? g.term : null, subcategory: g ? g.subcategory : null })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { setStatus(body.message || "粘贴失败（" + response.status + "）", "error"); return; }
          if (!body.rows.length) { setStatus((body.notes || []).join(" "), "error"); return; }
          var existing = table.getData().length;
          var replace = existing && window.confirm("表格中已有 " + existing + " 行。用粘贴的 " + body.rows.length +
            " 行替换它们吗？（“取消”则追加在后面）");
          var rows = body.rows.map(prepare);
          var next = (replace ? [] : table.getData()).concat(rows);
          table.setGroupValues(groupValues(next));
          (replace ? table.replaceData(next) : table.addData(rows)).then(function () {
            var unknown = {};
            rows.forEach(function (r) { if (r.errors) unknown[r.key] = r.errors; });
            notesEl.textContent = "已读入 " + rows.length + " 行。" + (body.notes || []).join(" ") +
              (body.unknown ? " 其中 " + body.unknown + " 行的二级指标未能识别，已标红，请在“二级指标”列选择。" : "");
            if (body.unknown) showErrors(unknown);
            changed();
          });
        });
      })
      .catch(function () { setStatus("无法连接服务器，粘贴未完成。", "error"); });
  }
  if (editable) {
    // Ctrl+V with the grid (or nothing) focused; a cell being edited takes one cell's text itself.
    document.addEventListener("paste", function (e) {
      var target = e.target;
      var inGrid = target && target.closest && target.closest("#indicator-grid");
      if (!inGrid && target !== document.body && target !== document.documentElement) return;
      var text = (e.clipboardData || window.clipboardData).getData("text");
      var editing = target.tagName === "INPUT" || target.tagName === "TEXTAREA";
      if (editing && !/[\t\n]/.test(text.trim())) return;
      if (!editing && !text.trim()) return;
      e.preventDefault();
      if (editing) target.blur();
      pasteBlock(text);
    }, true);
    var pasteBox = document.getElementById("paste-box");
    app.addEventListener("click", function (e) {
      var action = e.target.closest && e.target.closest("[data-action]");
      if (!action) return;
      var name = action.dataset.action;
      if (name === "add") addRow(groupSelect.value);
      if (name === "save") { changes += isDirty() ? 0 : 1; save(); }
      if (name === "paste-open") { pasteBox.hidden = false; document.getElementById("paste-text").focus(); }
      if (name === "paste-close") pasteBox.hidden = true;
      if (name === "paste-apply") {
        var area = document.getElementById("paste-text");
        pasteBlock(area.value).then(function () { area.value = ""; pasteBox.hidden = true; });
      }
    });
  }

  // --- leaving the page ---------------------------------------------------------------------
  if (editable) {
    document.addEventListener("click", function (e) {
      var link = e.target.closest && e.target.closest("a[href]");
      if (!link || link.target || link.getAttribute("href").charAt(0) === "#" || e.defaultPrevented) return;
      if (!isDirty() && !saving) return;
      e.preventDefault();
      setStatus("正在保存后离开…", "warn");
      save().then(function (ok) {
        if (ok && !isDirty()) { window.location.href = link.href; return; }
        if (window.confirm("修改还没有保存到服务器（已保留在本机浏览器中）。仍要离开本页吗？")) {
          window.location.href = link.href;
        }
      });
    });
    document.addEventListener("submit", function (e) {
      if (!isDirty() || e.target.closest("#grid-app")) return;
      if (!window.confirm("修改还没有保存到服务器（已保留在本机浏览器中）。仍要离开本页吗？")) e.preventDefault();
    });
    window.addEventListener("beforeunload", function (e) {
      if (!isDirty()) return;
      save(true);  // keepalive: the save goes on even as the page closes
      e.preventDefault();
      e.returnValue = "";
    });
  }

  // --- rows kept in this browser from an earlier visit (session lost, server unreachable) ---
  (function offerBackup() {
    if (!editable) return;
    var kept;
    try { kept = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.rows) return;
    var banner = document.createElement("div");
    banner.className = "alert alert-warning d-flex flex-wrap gap-2 align-items-center";
    banner.setAttribute("data-testid", "local-backup");
    var text = document.createElement("span");
    text.className = "me-auto";
    text.textContent = "本机浏览器中保留着 " + new Date(kept.at).toLocaleString("zh-CN") + " 未能保存到服务器的 " +
      kept.rows.length + " 行指标。";
    var restore = document.createElement("button");
    restore.type = "button"; restore.className = "btn btn-sm btn-warning"; restore.textContent = "恢复这些行";
    var drop = document.createElement("button");
    drop.type = "button"; drop.className = "btn btn-sm btn-outline-secondary"; drop.textContent = "丢弃";
    banner.appendChild(text); banner.appendChild(restore); banner.appendChild(drop);
    app.insertBefore(banner, app.firstChild);
    restore.addEventListener("click", function () {
      var rows = kept.rows.map(prepare);
      table.setGroupValues(groupValues(rows));
      table.replaceData(rows).then(function () { banner.remove(); changed(); });
    });
    drop.addEventListener("click", function () { dropBackup(); banner.remove(); });
  })();

  // The scroll box Tabulator makes focusable sits between the grid and its rows, which ARIA does not
  // allow; the cells themselves take the focus (Tab, arrows), so the box need not.
  function tidyRoles() {
    var holder = document.querySelector("#indicator-grid .tabulator-tableholder");
    if (holder) holder.removeAttribute("tabindex");
  }
  table.on("renderComplete", tidyRoles);
  table.on("tableBuilt", function () {
    tidyRoles();
    var initialErrors = {};
    initial.forEach(function (r) { if (r.errors) initialErrors[r.key] = r.errors; });
    showErrors(initialErrors);
    app.dataset.ready = "1";
  });
  window.indicatorGrid = { table: table, save: save, isDirty: isDirty };
})();
