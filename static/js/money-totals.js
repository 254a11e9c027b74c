// The money steps recompute 合计 and 占比 while the filler types. Only a display: the server
// computes them again on save (and shows them without JavaScript). Amounts are in 万元 with up to
// six decimals, added as whole millionths (BigInt) so that 0.1 + 0.2 shows 0.3.
(function () {
  "use strict";

  var MILLION = BigInt(1000000);

  // A box's text as millionths, or null when blank or not a plain number.
  function parse(text) {
    var found = /^\s*(\d+)(?:\.(\d{0,6}))?\s*$/.exec(text || "");
    if (!found) return null;
    return BigInt(found[1]) * MILLION + BigInt((found[2] || "").padEnd(6, "0"));
  }

  // Millionths as the shortest exact decimal (12.500000 → 12.5), like the server's format_number.
  function format(micro) {
    var fraction = (micro % MILLION).toString().padStart(6, "0").replace(/0+$/, "");
    return (micro / MILLION).toString() + (fraction ? "." + fraction : "");
  }

  function sum(values) {
    var given = values.filter(function (v) { return v !== null; });
    if (!given.length) return null;
    return given.reduce(function (a, b) { return a + b; }, BigInt(0));
  }

  // A part's share of the total in %, to two places, ties to even (Decimal.quantize on the server).
  function share(part, total) {
    if (part === null || total === null || total === BigInt(0)) return "";
    var scaled = part * BigInt(10000), hundredths = scaled / total, rest = scaled % total;
    var twice = rest * BigInt(2);
    if (twice > total || (twice === total && hundredths % BigInt(2) === BigInt(1))) hundredths += BigInt(1);
    return format(hundredths * BigInt(10000));
  }

  // 部门整体 收支: per direction, each column's 合计; 占比 placeholders from the amounts.
  function departmentTable(table) {
    var columns = (table.dataset.columns || "").split(" ");
    var amountAt = columns.indexOf("amount"), shareAt = columns.indexOf("share");
    function update() {
      table.querySelectorAll("[data-total-direction]").forEach(function (totalRow) {
        var direction = totalRow.dataset.totalDirection;
        var rows = Array.prototype.slice.call(table.querySelectorAll('tr[data-direction="' + direction + '"]'));
        var boxes = rows.map(function (row) { return row.querySelectorAll("input"); });
        // The 合计 row's cells under the columns, after its 收支 and 合计 captions.
        var cells = Array.prototype.slice.call(totalRow.cells, totalRow.cells.length - columns.length);
        var amounts = boxes.map(function (inputs) { return amountAt < 0 ? null : parse(inputs[amountAt].value); });
        var total = sum(amounts);
        columns.forEach(function (column, at) {
          if (at === shareAt) {
            cells[at].textContent = total !== null && total > BigInt(0) ? "100" : "";
            boxes.forEach(function (inputs, row) { inputs[at].placeholder = share(amounts[row], total); });
          } else {
            var columnTotal = sum(boxes.map(function (inputs) { return parse(inputs[at].value); }));
            cells[at].textContent = columnTotal === null ? "" : format(columnTotal);
          }
        });
      });
    }
    table.addEventListener("input", update);
  }

  // 项目 资金: the parts' 合计, and what a blank 预算数 becomes.
  function fundsTable(table) {
    function update() {
      table.querySelectorAll("[data-parts-total]").forEach(function (cell) {
        var group = cell.dataset.partsTotal;
        var parts = table.querySelectorAll('input[data-part="' + group + '"]');
        var total = sum(Array.prototype.map.call(parts, function (input) { return parse(input.value); }));
        cell.textContent = total === null ? "" : format(total);
        if (group === "0") {
          table.querySelectorAll("input[data-derived]").forEach(function (input) { input.placeholder = cell.textContent; });
        }
      });
    }
    table.addEventListener("input", update);
  }

  document.querySelectorAll("table[data-money-table]").forEach(departmentTable);
  document.querySelectorAll("table[data-funds-table]").forEach(fundsTable);
})();
