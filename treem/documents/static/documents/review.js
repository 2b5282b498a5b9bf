/* TreEm review screen: the source text and the extracted plan side by side.
   Clicking a highlighted passage scrolls to its item in the form, and an item's ⇠ button (or focusing
   one of its fields) scrolls the text to its passage; rows are added and removed from <template>s;
   an edited low-confidence item counts as reviewed. No dependencies. */
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  var source = document.getElementById("source");
  var plan = document.getElementById("plan-scroll");
  if (!form || !source || !plan) return;
  var catalogue = document.getElementById("indicator-options");
  var lowBadge = document.getElementById("low-count");
  var dirty = false;
  var activeRef = null;

  function esc(value) { return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/"/g, '\\"'); }
  function marksOf(ref) { return source.querySelectorAll('mark[data-ref="' + esc(ref) + '"]'); }
  function rowOf(ref) { return plan.querySelector('[data-ref="' + esc(ref) + '"]'); }

  /* The whole indicator catalogue in every catalogue select (the server sends only the chosen one). */
  function fillIndicators(root) {
    if (!catalogue) return;
    root.querySelectorAll("select.indicator-select").forEach(function (sel) {
      if (sel.dataset.filled) return;
      var value = sel.value;
      var label = sel.selectedOptions.length ? sel.selectedOptions[0].textContent : value;
      sel.innerHTML = catalogue.innerHTML;
      sel.value = value;
      if (value && sel.value !== value) sel.add(new Option(label, value, true, true));
      sel.dataset.filled = "1";
    });
  }

  /* Scroll a pane (not the whole page) so that an element is in its middle. */
  function scrollWithin(box, el) {
    var top = el.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    box.scrollTo({ top: Math.max(0, top - box.clientHeight / 2 + Math.min(el.offsetHeight, box.clientHeight) / 2), behavior: "smooth" });
  }

  function inView(el, box) {
    var r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
    return r.top >= b.top && r.bottom <= b.bottom;
  }

  function setActive(ref) {
    if (activeRef) {
      marksOf(activeRef).forEach(function (m) { m.classList.remove("active"); });
      var old = rowOf(activeRef);
      if (old) old.classList.remove("active");
    }
    activeRef = ref;
    if (!ref) return;
    marksOf(ref).forEach(function (m) { m.classList.add("active"); });
    var row = rowOf(ref);
    if (row) row.classList.add("active");
  }

  /* Scroll the text to an item's passage. */
  function locate(ref, force) {
    var marks = marksOf(ref);
    setActive(ref);
    if (!marks.length) return false;
    if (force || !inView(marks[0], source)) scrollWithin(source, marks[0]);
    return true;
  }

  /* Scroll the form to the item of a passage. */
  function reveal(ref) {
    var row = rowOf(ref);
    if (!row) return;
    setActive(ref);
    scrollWithin(plan, row);
    var input = row.querySelector("input:not([type=hidden]), textarea, select");
    if (input) input.focus({ preventScroll: true });
  }

  source.addEventListener("click", function (event) {
    var mark = event.target.closest("mark[data-ref]");
    if (mark) reveal(mark.dataset.ref);
  });

  plan.addEventListener("focusin", function (event) {
    var row = event.target.closest("[data-ref]");
    if (row && row.dataset.ref !== activeRef) locate(row.dataset.ref, false);
  });

  function recount() {
    if (!lowBadge) return;
    var n = plan.querySelectorAll(".item.is-low, .fld.is-low").length;
    lowBadge.dataset.count = n;
    lowBadge.textContent = lowBadge.textContent.replace(/^\d+/, String(n));
    lowBadge.hidden = n === 0;
  }

  /* An item the official edited is reviewed: no longer flagged, confidence 1. */
  function reviewed(row) {
    if (!row || !row.classList.contains("is-low")) return;
    row.classList.remove("is-low");
    var conf = row.querySelector(":scope > input[data-confidence]");
    if (conf) conf.value = "1";
    var flag = row.querySelector(":scope > .row-tools > .flag, :scope > .comp-grid > .row-tools > .flag, :scope > .target-head > .row-tools > .flag");
    if (flag) flag.remove();
    marksOf(row.dataset.ref).forEach(function (m) { m.classList.remove("hl-low"); });
    var target = row.parentElement && row.parentElement.closest(".item-target");
    if (target && !target.querySelector(".item-comp.is-low")) reviewed(target);
  }

  function edited(event) {
    dirty = true;
    var fld = event.target.closest(".fld.is-low");
    if (fld) {
      fld.classList.remove("is-low");
      var f = fld.querySelector(".flag");
      if (f) f.remove();
      if (fld.dataset.ref) marksOf(fld.dataset.ref).forEach(function (m) { m.classList.remove("hl-low"); });
    }
    reviewed(event.target.closest(".item"));
    recount();
  }
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);

  function template(id) {
    var tpl = document.getElementById(id);
    return tpl ? tpl.innerHTML : "";
  }

  function nextIndex(container) {
    var n = parseInt(container.dataset.next || "0", 10);
    container.dataset.next = String(n + 1);
    return n;
  }

  function addRow(button) {
    var kind = button.dataset.add, container, html;
    if (kind === "component") {
      var target = button.closest(".item-target");
      container = target.querySelector('[data-rows="component"]');
      var t = target.dataset.prefix.split("-")[1];
      html = template("tpl-component").split("__T__").join(t).split("__C__").join(String(nextIndex(container)));
    } else {
      container = button.parentElement.querySelector('[data-rows="' + kind + '"]');
      html = template("tpl-" + kind).split("__T__").join(String(nextIndex(container))).split("__C__").join("0");
    }
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    container.appendChild(row);
    fillIndicators(row);
    row.classList.add("added");
    scrollWithin(plan, row);
    var first = row.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus({ preventScroll: true });
    dirty = true;
  }

  function removeRow(row) {
    var ref = row.dataset.ref;
    source.querySelectorAll("mark[data-ref]").forEach(function (m) {
      var r = m.dataset.ref;
      if (r === ref || (row.classList.contains("item-target") && r.indexOf(ref + "c") === 0)) m.classList.add("removed");
    });
    if (activeRef === ref) setActive(null);
    row.remove();
    dirty = true;
    recount();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add], [data-remove], [data-locate]");
    if (!button) return;
    event.preventDefault();
    if (button.hasAttribute("data-add")) addRow(button);
    else if (button.hasAttribute("data-remove")) removeRow(button.closest(".item"));
    else locate(button.closest("[data-ref]").dataset.ref, true);
  });

  form.addEventListener("submit", function () { dirty = false; });
  /* Send the fields as one JSON value: a long plan has more fields than the server takes in one request. */
  form.addEventListener("formdata", function (event) {
    var data = event.formData, fields = {}, keys = [];
    data.forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken" || key === "action") return;
      fields[key] = value;
      keys.push(key);
    });
    keys.forEach(function (key) { data.delete(key); });
    data.set("payload", JSON.stringify(fields));
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  fillIndicators(form);
  recount();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
