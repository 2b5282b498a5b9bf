/* TreEm charts: ECharts (vendored, served locally). Each chart reads its JSON config, draws itself,
   offers "Tải ảnh PNG" and keeps the table behind it one click away (a <details> right under it). */
(function () {
  "use strict";
  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    return Number(v).toLocaleString("vi-VN", { maximumFractionDigits: 2 });
  }
  function ranking(cfg) {
    var option = {
      animation: false,
      grid: { left: 150, right: 40, top: 30, bottom: 30 },
      tooltip: { trigger: "axis", valueFormatter: fmt },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: cfg.units.slice().reverse(), axisLabel: { width: 140, overflow: "truncate" } },
      series: [{
        type: "bar", name: cfg.title,
        data: cfg.values.slice().reverse().map(function (v, i) {
          return { value: v, itemStyle: { color: cfg.colours.slice().reverse()[i] } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } }
      }]
    };
    if (cfg.milestone !== null && cfg.milestone !== undefined) {
      option.series[0].markLine = { symbol: "none", lineStyle: { color: "#c51b1b", type: "dashed" },
        label: { formatter: "Mốc " + fmt(cfg.milestone) }, data: [{ xAxis: cfg.milestone }] };
    }
    return option;
  }
  function series(cfg) {
    var lines = cfg.series.map(function (s) {
      return { type: "line", name: s.name, data: s.values, connectNulls: true, symbolSize: 6 };
    });
    if (cfg.milestone !== null && cfg.milestone !== undefined && lines.length) {
      lines[0].markLine = { symbol: "none", lineStyle: { color: "#c51b1b", type: "dashed", width: 2 },
        label: { formatter: cfg.milestone_label || ("Mốc " + fmt(cfg.milestone)) }, data: [{ yAxis: cfg.milestone }] };
    }
    return {
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: fmt },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 60, right: 30, top: 30, bottom: 60 },
      xAxis: { type: "category", data: cfg.periods },
      yAxis: { type: "value", scale: true },
      series: lines
    };
  }
  function draw(el) {
    var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(cfg.kind === "ranking" ? ranking(cfg) : series(cfg));
    window.addEventListener("resize", function () { chart.resize(); });
    var png = document.getElementById(el.dataset.png);
    if (png) {
      png.addEventListener("click", function (ev) {
        ev.preventDefault();
        var a = document.createElement("a");
        a.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
        a.download = (el.dataset.filename || "bieu-do") + ".png";
        document.body.appendChild(a); a.click(); a.remove();
      });
    }
    el.dataset.ready = "1";
  }
  function progress(box) {
    var url = box.dataset.url, bar = box.querySelector(".progress > span"), msg = box.querySelector(".msg"),
        files = box.querySelector(".files");
    function tick() {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (j) {
        bar.style.width = j.progress + "%";
        box.querySelector(".progress").setAttribute("aria-valuenow", j.progress);
        msg.textContent = j.status === "failed" ? ("Lỗi: " + j.error) : (j.message || "") + " (" + j.progress + "%)";
        if (j.status === "done") {
          files.innerHTML = j.files.map(function (f) {
            return '<a class="btn btn-light" data-format="' + f.format + '" href="' + f.url + '">Tải ' + f.format.toUpperCase() + "</a>";
          }).join(" ") + (j.warnings.length ? '<p class="muted small">' + j.warnings.join(" ") + "</p>" : "");
          box.dataset.done = "1";
        } else if (j.status !== "failed") {
          setTimeout(tick, 800);
        }
      }).catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
    document.querySelectorAll("[data-job]").forEach(progress);
  });
})();
