// charts.js draws every chart of a page. Each chart is a [data-chart]
// container with data-height, followed by its ECharts option as a
// <script type="application/json" data-chart-option="ID"> block written by
// the Go charts package (charts.Chart.HTML). Pages run under a strict
// Content-Security-Policy: no inline script and no style attribute, so the
// option is data read with JSON.parse (never evaluated) and the height is
// set through the CSSOM. Load it after ECharts, with defer.
//
// It also (issue #16 item 6):
//   - offers each chart as a PNG and an SVG file, made in the browser (no
//     server round trip): the figure's [data-chart-save] buttons, and
//     window.RuggedLabCharts.png(id) / .svg(id) which return the data URL
//     and the SVG text. A downloaded image carries the chart's title (its
//     aria-label), which the page shows as the section heading instead;
//   - shows a Kaplan–Meier band with its candidate: pointing at a curve
//     emphasises every series of that candidate (the band among them), and
//     with at most KM_BANDS_SHOWN candidates left selected in the legend
//     their bands stay shaded (charts.KMBandsShown);
//   - hides a y axis whose series are all switched off in the legend (the
//     run page's battery chart has one axis per channel);
//   - on a page that is not in English (<html lang="fr">), writes the
//     numbers ECharts formats itself in the page's language: axis ticks,
//     data zoom handles, {c} of string templates, default tooltips and
//     labels ("38,5" and "10 000" with a narrow no-break space, by
//     Intl.NumberFormat, as the pages' own numbers). See localNumbers.
(function () {
  "use strict";
  var KM_BANDS_SHOWN = 2;
  var EXPORT_TITLE = 28; // px added above the chart for the title line
  var charts = {};

  function draw() {
    var blocks = document.querySelectorAll('script[type="application/json"][data-chart-option]');
    Array.prototype.forEach.call(blocks, function (block) {
      var el = document.getElementById(block.getAttribute("data-chart-option"));
      if (!el || !el.hasAttribute("data-chart")) {
        throw new Error("charts.js: no [data-chart] element #" + block.getAttribute("data-chart-option"));
      }
      var h = parseInt(el.getAttribute("data-height"), 10);
      if (h > 0) {
        el.style.height = h + "px";
      }
      var option = JSON.parse(block.textContent);
      narrowLabels(option);
      var chart = echarts.init(el, null, {renderer: "canvas"});
      chart.setOption(localNumbers(option));
      charts[el.id] = {chart: chart, option: option, el: el};
      if (el.getAttribute("data-chart") === "km") {
        linkKM(chart, option);
      }
      if (Array.isArray(option.yAxis) && option.yAxis.length > 1) {
        switchAxes(chart, option);
      }
      offerDownloads(el);
    });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (id) { charts[id].chart.resize(); });
    });
  }

  // On a phone (390 px) a category axis gives each candidate ~50 px, less
  // than its labels' fixed width, and the names overprint each other: below
  // NARROW px of chart width they turn and the grid makes room for them. An
  // ECharts media query, so it follows the chart's width on resize too.
  var NARROW = 520;
  function narrowLabels(option) {
    var xs = Array.isArray(option.xAxis) ? option.xAxis : (option.xAxis ? [option.xAxis] : []);
    if (option.media || !xs.some(function (a) { return a.type === "category"; })) {
      return;
    }
    option.media = [{query: {maxWidth: NARROW}, option: {
      xAxis: xs.map(function (a) { return a.type === "category" ? {axisLabel: {rotate: 35, width: 90}} : {}; }),
      grid: {containLabel: true}
    }}];
  }

  // localNumbers returns a copy of option whose numbers, the ones ECharts
  // writes itself, read as the page's language writes them; on an English
  // page, option itself (ECharts' own "38.5", "10,000"). The Go side
  // cannot do it: ECharts picks tick values and fills {c} in the browser,
  // and the option block is JSON data, never code (charts/chart.go), so
  // the formatter functions are written here, once, by us. Text the Go
  // builders wrote already has the page's decimal mark (charts.Localize).
  //
  // Only numbers change: a template keeps ECharts' own filling in
  // (echarts.format.formatTpl, which HTML-escapes {a} and {b} in
  // tooltips as ECharts does), with {c} formatted first.
  var NUMBER_AXES = ["xAxis", "yAxis", "radiusAxis", "angleAxis", "singleAxis", "parallelAxis"];
  var numbers = pageNumbers();

  function pageNumbers() {
    var lang = (document.documentElement.getAttribute("lang") || "en").toLowerCase();
    if (lang.indexOf("en") === 0 || typeof Intl === "undefined") {
      return null;
    }
    var formats = {};
    var format = function (digits) {
      var key = digits === undefined ? "any" : String(digits);
      if (!formats[key]) {
        formats[key] = new Intl.NumberFormat(lang === "fr" ? "fr-FR" : lang, digits === undefined ?
          {maximumFractionDigits: 10} : {minimumFractionDigits: digits, maximumFractionDigits: digits});
      }
      return formats[key];
    };
    var num = function (v) {
      if (Array.isArray(v)) {
        return v.map(num);
      }
      return typeof v === "number" && isFinite(v) ? format().format(v) : v;
    };
    // text rewrites a number ECharts already wrote in English ("1,234.50")
    // with as many decimals.
    var text = function (s) {
      if (typeof s !== "string" || !/^-?[\d,]+(\.\d+)?$/.test(s)) {
        return s;
      }
      var dot = s.indexOf(".");
      return format(dot < 0 ? 0 : s.length - dot - 1).format(Number(s.replace(/,/g, "")));
    };
    return {num: num, text: text};
  }

  function localNumbers(option) {
    if (!numbers) {
      return option;
    }
    var o = JSON.parse(JSON.stringify(option));
    NUMBER_AXES.forEach(function (key) {
      var isValue = function (a) {
        return a.type === "value" || a.type === "log" || (a.type === undefined && key !== "xAxis" && key !== "angleAxis" && key !== "parallelAxis");
      };
      list(o[key]).forEach(function (a) {
        if (a && isValue(a)) {
          axisNumbers(a);
        }
      });
    });
    list(o.dataZoom).forEach(function (dz) {
      if (dz && dz.labelFormatter === undefined) {
        // ECharts passes its own text, with the precision it chose.
        dz.labelFormatter = function (value, valueText) { return numbers.text(valueText); };
      }
    });
    walkNumbers(o, "", false);
    return o;
  }

  function list(v) {
    return Array.isArray(v) ? v : (v ? [v] : []);
  }

  function axisNumbers(a) {
    a.axisLabel = a.axisLabel || {};
    var f = a.axisLabel.formatter;
    if (f === undefined) {
      a.axisLabel.formatter = function (v) { return numbers.num(v); };
    } else if (typeof f === "string" && f.indexOf("{value}") >= 0) {
      a.axisLabel.formatter = function (v) { return f.split("{value}").join(numbers.num(v)); };
    }
    a.axisPointer = a.axisPointer || {};
    a.axisPointer.label = a.axisPointer.label || {};
    if (a.axisPointer.label.formatter === undefined) {
      a.axisPointer.label.formatter = function (p) { return numbers.num(p.value); };
    }
  }

  // walkNumbers gives every tooltip and label of the option (the chart's,
  // a series', a data item's, a markLine's) number formatting. inItem: v
  // is inside a data item or an emphasis state, whose label without a
  // formatter inherits its series' formatter and must keep doing so.
  function walkNumbers(v, key, inItem) {
    if (Array.isArray(v)) {
      v.forEach(function (x) { walkNumbers(x, key, inItem); });
      return;
    }
    if (!v || typeof v !== "object") {
      return;
    }
    if (key === "tooltip") {
      tooltipNumbers(v);
    } else if (key === "label" || key === "endLabel") {
      labelNumbers(v, inItem);
    }
    Object.keys(v).forEach(function (k) {
      if (typeof v[k] === "object") {
        walkNumbers(v[k], k, inItem || k === "data" || k === "emphasis" || k === "blur" || k === "select");
      }
    });
  }

  // withValue is params with its value (and a series' data value) in the
  // page's numbers, for ECharts' template filling.
  function withValue(p) {
    if (Array.isArray(p)) {
      return p.map(withValue);
    }
    var q = {};
    Object.keys(p).forEach(function (k) { q[k] = p[k]; });
    q.value = numbers.num(p.value);
    return q;
  }

  function hasValue(tpl) {
    return typeof tpl === "string" && /\{c\d*\}/.test(tpl);
  }

  function tooltipNumbers(t) {
    if (t.formatter === undefined) {
      if (t.valueFormatter === undefined) {
        t.valueFormatter = function (v) { return numbers.num(v); };
      }
    } else if (hasValue(t.formatter)) {
      var tpl = t.formatter;
      t.formatter = function (p) { return echarts.format.formatTpl(tpl, withValue(p), true); };
    }
  }

  function labelNumbers(l, inherits) {
    if (l.formatter === undefined && !inherits) {
      // The default label is the value.
      l.formatter = function (p) {
        var v = numbers.num(p.value);
        return Array.isArray(v) ? v.join(" ") : String(v);
      };
    } else if (hasValue(l.formatter)) {
      var tpl = l.formatter;
      l.formatter = function (p) { return echarts.format.formatTpl(tpl, withValue(p), false); };
    }
  }

  function seriesList(option) {
    return Array.isArray(option.series) ? option.series : (option.series ? [option.series] : []);
  }

  function linkKM(chart, option) {
    chart.on("mouseover", function (e) {
      if (e.seriesName) {
        chart.dispatchAction({type: "highlight", seriesName: e.seriesName});
      }
    });
    chart.on("mouseout", function (e) {
      if (e.seriesName) {
        chart.dispatchAction({type: "downplay", seriesName: e.seriesName});
      }
    });
    var bands = seriesList(option).filter(function (s) {
      return typeof s.id === "string" && s.id.indexOf("km-band-") === 0 && s.areaStyle;
    });
    if (!bands.length || bands[0].areaStyle.opacity > 0) {
      return; // few candidates: every band is already shaded
    }
    chart.on("legendselectchanged", function (e) {
      var on = Object.keys(e.selected).filter(function (k) { return e.selected[k]; });
      var show = on.length <= KM_BANDS_SHOWN;
      chart.setOption({series: bands.map(function (s) {
        var shown = show && e.selected[s.name];
        var op = shown && s.emphasis && s.emphasis.areaStyle ? s.emphasis.areaStyle.opacity : 0;
        return {id: s.id, areaStyle: {opacity: op}};
      })});
    });
  }

  function switchAxes(chart, option) {
    var series = seriesList(option);
    chart.on("legendselectchanged", function (e) {
      chart.setOption({yAxis: option.yAxis.map(function (ax, i) {
        var used = series.some(function (s) {
          return (s.yAxisIndex || 0) === i && e.selected[s.name] !== false;
        });
        return {show: used};
      })});
    });
  }

  // exportOption is the option of a downloaded image: the chart's title on
  // a line of its own above the legend, everything else moved down.
  function exportOption(option, title) {
    var o = JSON.parse(JSON.stringify(option));
    var shift = function (v) {
      var n = parseInt(v, 10);
      return (isNaN(n) ? 0 : n) + EXPORT_TITLE;
    };
    var titles = Array.isArray(o.title) ? o.title : (o.title ? [o.title] : []);
    titles.forEach(function (t) { t.top = shift(t.top); });
    o.title = [{text: title, left: "left", top: 0, textStyle: {fontSize: 15}}].concat(titles);
    (Array.isArray(o.legend) ? o.legend : (o.legend ? [o.legend] : [])).forEach(function (l) { l.top = shift(l.top); });
    (Array.isArray(o.grid) ? o.grid : (o.grid ? [o.grid] : [])).forEach(function (g) { g.top = shift(g.top); });
    o.backgroundColor = "#ffffff";
    o.animation = false;
    return o;
  }

  function size(id) {
    var c = charts[id];
    if (!c) {
      throw new Error("charts.js: no chart #" + id);
    }
    return {c: c, width: c.el.clientWidth || 800, height: (c.el.clientHeight || 400) + EXPORT_TITLE,
      title: c.el.getAttribute("aria-label") || ""};
  }

  // png returns the chart as a PNG data URL, drawn off screen at twice the
  // pixel density.
  function png(id) {
    var s = size(id);
    var div = document.createElement("div");
    div.style.position = "absolute";
    div.style.left = "-10000px";
    div.style.top = "0";
    div.style.width = s.width + "px";
    div.style.height = s.height + "px";
    document.body.appendChild(div);
    try {
      var off = echarts.init(div, null, {renderer: "canvas", width: s.width, height: s.height});
      off.setOption(localNumbers(exportOption(s.c.option, s.title)));
      var url = off.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#ffffff"});
      off.dispose();
      return url;
    } finally {
      document.body.removeChild(div);
    }
  }

  // svg returns the chart as an SVG document (ECharts' server-side SVG
  // renderer, which needs no element).
  function svg(id) {
    var s = size(id);
    var off = echarts.init(null, null, {renderer: "svg", ssr: true, width: s.width, height: s.height});
    off.setOption(localNumbers(exportOption(s.c.option, s.title)));
    var text = off.renderToSVGString();
    off.dispose();
    return text;
  }

  function save(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }

  function dataURLBlob(url) {
    var parts = url.split(",");
    var bin = atob(parts[1]);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      bytes[i] = bin.charCodeAt(i);
    }
    return new Blob([bytes], {type: "image/png"});
  }

  function offerDownloads(el) {
    var fig = el.closest("figure");
    if (!fig) {
      return;
    }
    Array.prototype.forEach.call(fig.querySelectorAll("[data-chart-save]"), function (b) {
      b.hidden = false;
      var box = b.closest("[hidden]");
      if (box) {
        box.hidden = false;
      }
      b.addEventListener("click", function () {
        if (b.getAttribute("data-chart-save") === "svg") {
          save(new Blob([svg(el.id)], {type: "image/svg+xml"}), el.id + ".svg");
        } else {
          save(dataURLBlob(png(el.id)), el.id + ".png");
        }
      });
    });
  }

  window.RuggedLabCharts = {png: png, svg: svg};

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
