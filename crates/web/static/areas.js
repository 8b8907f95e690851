// Drawing on the server-drawn map of the place form (templates/areas/form.html). Without this
// script the form works by typing coordinates; with it, clicks on the map set a point or add
// the corners of an area, written as GeoJSON in SWEREF 99 TM into the form's GeoJSON field.
// The map's <svg data-draw> carries the drawing's frame: data-e0 (east at x = 0), data-n1
// (north at y = 0) and data-scale (viewBox units per metre).
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';

  function init(svg) {
    var form = svg.closest('form');
    if (!form) { return; }
    var textarea = form.querySelector('#f-geojson');
    var crs = form.querySelector('#f-crs');
    var geojsonMode = form.querySelector('input[name="geometry_mode"][value="geojson"]');
    if (!textarea || !crs || !geojsonMode) { return; }
    var e0 = parseFloat(svg.dataset.e0), n1 = parseFloat(svg.dataset.n1), scale = parseFloat(svg.dataset.scale);
    if (!isFinite(e0) || !isFinite(n1) || !(scale > 0)) { return; }

    var mode = null; // 'point' | 'polygon'
    var vertices = []; // [east, north]
    var layer = document.createElementNS(NS, 'g');
    layer.setAttribute('class', 'draft-layer');
    layer.setAttribute('aria-hidden', 'true');
    svg.appendChild(layer);

    var tools = document.createElement('div');
    tools.className = 'draw-tools';
    tools.setAttribute('role', 'group');
    tools.setAttribute('aria-label', 'Rita på kartan');
    var status = document.createElement('p');
    status.className = 'draw-status hint';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');

    function button(text, onClick, pressable) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.textContent = text;
      if (pressable) { b.setAttribute('aria-pressed', 'false'); }
      b.addEventListener('click', onClick);
      tools.appendChild(b);
      return b;
    }
    var pointButton = button('Sätt en punkt', function () { choose('point'); }, true);
    var polygonButton = button('Rita ett område', function () { choose('polygon'); }, true);
    button('Ångra senaste hörnet', function () { vertices.pop(); update(); }, false);
    button('Börja om', function () { vertices = []; update(); }, false);
    var container = svg.closest('.area-map') || svg;
    container.parentNode.insertBefore(tools, container);
    container.parentNode.insertBefore(status, container.nextSibling);

    function choose(m) {
      mode = m;
      vertices = [];
      pointButton.setAttribute('aria-pressed', String(m === 'point'));
      polygonButton.setAttribute('aria-pressed', String(m === 'polygon'));
      update();
    }

    function xy(v) { return [(v[0] - e0) * scale, (n1 - v[1]) * scale]; }

    function draw() {
      while (layer.firstChild) { layer.removeChild(layer.firstChild); }
      if (mode === 'polygon' && vertices.length > 1) {
        var poly = document.createElementNS(NS, vertices.length > 2 ? 'polygon' : 'polyline');
        poly.setAttribute('points', vertices.map(function (v) { return xy(v).map(function (c) { return c.toFixed(1); }).join(','); }).join(' '));
        poly.setAttribute('class', 'draft');
        layer.appendChild(poly);
      }
      vertices.forEach(function (v) {
        var p = xy(v);
        var c = document.createElementNS(NS, 'circle');
        c.setAttribute('cx', p[0].toFixed(1));
        c.setAttribute('cy', p[1].toFixed(1));
        c.setAttribute('r', mode === 'point' ? '8' : '5');
        c.setAttribute('class', 'draft-vertex');
        layer.appendChild(c);
      });
    }

    function round(v) { return [Math.round(v[0] * 10) / 10, Math.round(v[1] * 10) / 10]; }

    function update() {
      draw();
      if (!mode) {
        status.textContent = 'Välj Sätt en punkt eller Rita ett område och klicka sedan på kartan.';
        return;
      }
      if (mode === 'point') {
        if (vertices.length === 0) { status.textContent = 'Klicka på kartan där punkten ska ligga.'; return; }
        write({ type: 'Point', coordinates: round(vertices[0]) });
        status.textContent = 'Punkten är satt. Koordinaterna (SWEREF 99 TM) står i GeoJSON-fältet.';
        return;
      }
      if (vertices.length < 3) {
        status.textContent = 'Klicka på kartan för varje hörn. ' + vertices.length + ' av minst 3 hörn satta.';
        return;
      }
      var ring = vertices.map(round);
      ring.push(ring[0]);
      write({ type: 'Polygon', coordinates: [ring] });
      status.textContent = vertices.length + ' hörn satta. Området står i GeoJSON-fältet; spara när det är klart.';
    }

    function write(geometry) {
      textarea.value = JSON.stringify(geometry);
      crs.value = 'sweref99tm';
      geojsonMode.checked = true;
    }

    svg.addEventListener('click', function (event) {
      if (!mode) { return; }
      var pt = svg.createSVGPoint();
      pt.x = event.clientX;
      pt.y = event.clientY;
      var ctm = svg.getScreenCTM();
      if (!ctm) { return; }
      var loc = pt.matrixTransform(ctm.inverse());
      var v = [e0 + loc.x / scale, n1 - loc.y / scale];
      if (mode === 'point') { vertices = [v]; } else { vertices.push(v); }
      update();
    });
    update();
  }

  document.querySelectorAll('svg.map[data-draw]').forEach(init);
})();
