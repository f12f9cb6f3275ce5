// Vårddatahubben: renders every chart on the page from its embedded Vega-Lite spec.
// No inline scripts, no eval (vega-embed's `ast` mode interprets expressions), no external URLs.
// A rendered chart gets data-rendered="true"; a map also gets data-regions="<number of regions drawn>"
// and each region's path a data-region attribute with its länskod.
(function () {
  "use strict";

  function markRegions(view, el) {
    var count = 0;
    var seen = {};
    function walk(node) {
      if (!node) return;
      if (node.marktype === "shape" && node.items) {
        node.items.forEach(function (item) {
          var code = item.datum && item.datum.properties && item.datum.properties.lanskod;
          if (code && item._svg && !item._svg.hasAttribute("data-region")) {
            item._svg.setAttribute("data-region", code);
          }
          if (code && !seen[code]) { seen[code] = true; count += 1; }
        });
        return;
      }
      (node.items || []).forEach(walk);
    }
    walk(view.scenegraph().root);
    el.setAttribute("data-regions", String(count));
  }

  // Numbers the page language's way: decimal comma and non-breaking-space thousands in Swedish.
  function formatLocale() {
    if ((document.documentElement.getAttribute("lang") || "sv") !== "sv") { return undefined; }
    return { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0kr"], minus: "\u2212" };
  }

  // Buttons after each chart that download it as PNG or SVG (every page's charts).
  function addDownloads(view, el) {
    var sv = (document.documentElement.getAttribute("lang") || "sv") === "sv";
    var box = document.createElement("div");
    box.className = "chart-downloads";
    [["png", "PNG"], ["svg", "SVG"]].forEach(function (kind) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = (sv ? "Ladda ner diagrammet som " : "Download the chart as ") + kind[1];
      b.addEventListener("click", function () {
        view.toImageURL(kind[0], kind[0] === "png" ? 2 : 1).then(function (url) {
          var a = document.createElement("a");
          a.href = url;
          a.download = el.id + "." + kind[0];
          document.body.appendChild(a);
          a.click();
          a.remove();
        });
      });
      box.appendChild(b);
    });
    el.parentNode.insertBefore(box, el.nextSibling);
  }

  function render(script) {
    var id = script.getAttribute("data-chart-for");
    var el = document.getElementById(id);
    if (!el) return;
    var spec;
    try { spec = JSON.parse(script.textContent); } catch (e) { el.setAttribute("data-error", "spec"); return; }
    var options = {
      actions: false,
      renderer: "svg",
      ast: true,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true }
    };
    if (formatLocale()) { options.formatLocale = formatLocale(); }
    window.vegaEmbed(el, spec, options).then(function (result) {
      addDownloads(result.view, el);
      if (el.getAttribute("data-kind") !== "map") {
        el.setAttribute("data-rendered", "true");
        return;
      }
      // The geometry is fetched from /static/; count the regions once it is drawn.
      var tries = 0;
      (function count() {
        result.view.runAsync().then(function () {
          markRegions(result.view, el);
          var n = Number(el.getAttribute("data-regions"));
          var drawn = el.querySelectorAll("path[data-region]").length;
          if ((n >= 21 && drawn >= 21) || tries >= 100) {
            el.setAttribute("data-rendered", "true");
          } else {
            tries += 1;
            window.setTimeout(count, 100);
          }
        });
      })();
    }).catch(function (err) {
      el.setAttribute("data-error", String(err && err.message || err));
    });
  }

  function start() {
    if (!window.vegaEmbed) { return; }
    document.querySelectorAll("script[type='application/json'][data-chart-for]").forEach(render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
