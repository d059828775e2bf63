// 民生实事调度平台 — progressive enhancement. Pages work without this file;
// with it, the chart data in [data-chart] attributes are drawn with ECharts
// (vendored) and their fallback tables hidden. No inline script: the
// Content-Security-Policy allows only this origin's files.
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.remove('no-js');
  root.classList.add('js');

  var charts = [];
  var font = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

  function fmt(v) {
    if (v === null || v === undefined) return '—';
    var n = Math.round(v * 100) / 100;
    return n.toLocaleString('zh-CN');
  }

  function lineOption(spec) {
    var series = (spec.series || []).map(function (s) {
      var kind = s.kind || 'line';
      var o = {
        name: s.name, type: kind, data: s.data, connectNulls: false,
        itemStyle: { color: s.color }, emphasis: { focus: 'series' }
      };
      if (kind === 'line') {
        o.symbol = 'circle';
        o.symbolSize = 6;
        o.lineStyle = { width: 2, type: s.dashed ? 'dashed' : 'solid', color: s.color };
      } else {
        o.barMaxWidth = 28;
      }
      return o;
    });
    return {
      animation: false,
      textStyle: { fontFamily: font },
      color: (spec.series || []).map(function (s) { return s.color; }),
      tooltip: { trigger: 'axis', valueFormatter: fmt },
      legend: { top: 0, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: spec.categories, axisTick: { alignWithLabel: true } },
      yAxis: { type: 'value', axisLabel: { formatter: function (v) { return fmt(v); } } },
      series: series
    };
  }

  function donutOption(spec, narrow) {
    return {
      animation: false,
      textStyle: { fontFamily: font },
      tooltip: { trigger: 'item', formatter: '{b}：{c} 个（{d}%）' },
      legend: { bottom: 0, icon: 'circle', textStyle: { fontSize: 12 } },
      series: [{
        type: 'pie', radius: ['42%', '68%'], center: ['50%', '45%'],
        label: { show: !narrow, formatter: '{b}\n{c}', fontSize: 12 },
        labelLine: { show: !narrow },
        data: (spec.items || []).map(function (it) {
          return { name: it.name, value: it.value, itemStyle: { color: it.color } };
        })
      }]
    };
  }

  function draw(el) {
    if (el.getAttribute('data-drawn') || typeof window.echarts === 'undefined') return;
    var spec;
    try { spec = JSON.parse(el.getAttribute('data-chart')); } catch (e) { return; }
    var opt = spec.type === 'donut' ? donutOption(spec, el.clientWidth < 420) : lineOption(spec);
    var chart = window.echarts.init(el, null, { renderer: 'svg', locale: 'ZH' });
    chart.setOption(opt);
    el.setAttribute('data-drawn', '1');
    var fig = el.closest('figure');
    if (fig) fig.classList.add('drawn');
    charts.push({ chart: chart, el: el, spec: spec });
  }

  function init(scope) {
    var els = (scope || document).querySelectorAll('[data-chart]');
    for (var i = 0; i < els.length; i++) draw(els[i]);
  }

  function resizeAll() {
    charts.forEach(function (c) {
      c.chart.resize();
      if (c.spec.type === 'donut') c.chart.setOption(donutOption(c.spec, c.el.clientWidth < 420));
    });
  }

  var pending;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(resizeAll, 150);
  });
  // Print: redraw at the width the print layout gives each chart (the
  // print stylesheet lays them out for A4), and back afterwards.
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
  if (window.matchMedia) {
    var mq = window.matchMedia('print');
    if (mq.addEventListener) mq.addEventListener('change', resizeAll);
  }

  // htmx inserts fragments: draw their charts too.
  document.addEventListener('htmx:afterSwap', function (e) { init(e.target); });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { init(document); });
  } else {
    init(document);
  }
})();
