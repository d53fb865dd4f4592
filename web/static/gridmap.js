/* gridmap pages: base maps, vector-tile layers with popups, legend and enterprise search.
 *
 * Every text that comes from the data (names, addresses, codes) is escaped before it is put
 * into HTML. The page's configuration is produced by web/layers.py.
 */
(function () {
  'use strict';

  // Leaflet.VectorGrid 1.3 predates Leaflet 1.8/1.9: it still calls L.DomEvent.fakeStop, and
  // its point symbols look like markers without a position, which breaks Leaflet's event code.
  if (!L.DomEvent.fakeStop) {
    L.DomEvent.fakeStop = function (e) { e._stopped = true; };
  }
  if (L.VectorGrid) {
    var createLayer = L.VectorGrid.prototype._createLayer;
    L.VectorGrid.prototype._createLayer = function () {
      var symbol = createLayer.apply(this, arguments);
      if (symbol && symbol.getLatLng && !symbol._latlng) {
        symbol.getLatLng = undefined;  // events then take the mouse position
      }
      return symbol;
    };
  }

  var ESCAPES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

  function escapeHtml(value) {
    return String(value === null || value === undefined ? '' : value)
      .replace(/[&<>"']/g, function (c) { return ESCAPES[c]; });
  }

  function display(spec, field, value) {
    var vocab = spec.vocab && spec.vocab[field];
    if (vocab && Object.prototype.hasOwnProperty.call(vocab, value)) {
      return vocab[value];
    }
    return value;
  }

  function popupHtml(spec, props) {
    var title = props[spec.title] !== undefined ? props[spec.title] : spec.label;
    var rows = spec.fields.filter(function (f) {
      return props[f[0]] !== undefined && props[f[0]] !== null && props[f[0]] !== '';
    }).map(function (f) {
      var after = f[2] && props[f[2]] ? ' ' + props[f[2]] : '';  // e.g. a code, then its name
      return '<tr><th>' + escapeHtml(f[1]) + '</th><td>' +
        escapeHtml(display(spec, f[0], props[f[0]]) + after) + '</td></tr>';
    });
    var link = spec.link && props[spec.link[1]] ? '<a class="gm-popup-link" href="' +
      escapeHtml(spec.link[0] + encodeURIComponent(props[spec.link[1]])) + '">' +
      escapeHtml(spec.link[2]) + '</a>' : '';
    return '<div class="gm-popup"><div class="gm-popup-layer">' + escapeHtml(spec.label) +
      '</div><h3>' + escapeHtml(title) + '</h3><table>' + rows.join('') + '</table>' + link +
      '</div>';
  }

  function styleFor(spec) {
    return function (props) {
      var style = L.extend({}, spec.style);
      if (spec.point) {
        var count = Number(props.count || 1);
        style.radius = count > 1 ? Math.min(6 + Math.sqrt(count), 24) : (spec.style.radius || 4);
        style.fill = true;
      }
      if (spec.colorBy && spec.colors) {
        var color = spec.colors[props[spec.colorBy]];
        if (color) { style.color = color; style.fillColor = color; }
      }
      return style;
    };
  }

  function vectorLayer(map, spec) {
    var styles = {};
    styles[spec.id] = styleFor(spec);
    var layer = L.vectorGrid.protobuf(spec.url, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: true,
      minZoom: spec.minZoom || 0,
      maxZoom: 22,
      maxNativeZoom: spec.maxNativeZoom || 20,
      pane: spec.pane || 'overlayPane',
      getFeatureId: function (f) { return f.properties.id; }
    });
    layer.on('click', function (e) {
      var props = (e.layer && e.layer.properties) || {};
      if (Number(props.count || 1) > 1) {
        map.setView(e.latlng, Math.min(map.getZoom() + 2, 18));
        return;
      }
      L.popup({maxWidth: 360}).setLatLng(e.latlng).setContent(popupHtml(spec, props)).openOn(map);
    });
    return layer;
  }

  function baseLayer(spec) {
    if (!spec.url) {
      return L.layerGroup();  // no base map: nothing is requested, works offline
    }
    var tiles = L.tileLayer(spec.url, {
      attribution: spec.attribution || '', subdomains: spec.subdomains || 'abc', maxZoom: 19
    });
    var warned = false;
    tiles.on('tileerror', function () {
      if (!warned) { warned = true; gridmap.notify(spec.failed); }
    });
    return spec.overlayUrl ? L.layerGroup([tiles, L.tileLayer(spec.overlayUrl, {
      subdomains: spec.subdomains || 'abc', maxZoom: 19
    })]) : tiles;
  }

  function legend(map, config) {
    var control = L.control({position: 'bottomright'});
    control.onAdd = function () {
      var div = L.DomUtil.create('div', 'gm-legend');
      var html = '<strong>' + escapeHtml(config.labels.legend) + '</strong>';
      config.layers.concat(config.overlays || []).forEach(function (spec) {
        var color = spec.style.fillColor || spec.style.color;
        var shape = spec.point ? 'border-radius:50%;' : (spec.line ? 'height:3px;' : '');
        html += '<div><i style="background:' + escapeHtml(color) + ';' + shape + '"></i>' +
          escapeHtml(spec.label) + '</div>';
      });
      div.innerHTML = html;
      return div;
    };
    control.addTo(map);
  }

  function search(map, config) {
    var control = L.control({position: 'topleft'});
    control.onAdd = function () {
      var div = L.DomUtil.create('div', 'gm-search');
      div.innerHTML = '<input type="search" id="gm-search-input" autocomplete="off">' +
        '<ul id="gm-search-results" hidden></ul>';
      var input = div.querySelector('input');
      input.placeholder = config.labels.searchPlaceholder;
      input.setAttribute('aria-label', config.labels.searchPlaceholder);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var list = div.querySelector('ul');
      var timer = null;
      input.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(function () { lookup(map, config, input.value.trim(), list); }, 250);
      });
      return div;
    };
    control.addTo(map);
  }

  function lookup(map, config, query, list) {
    if (query.length < 2) { list.hidden = true; return; }
    var url = config.search.url + '?limit=8&q=' + encodeURIComponent(query);
    fetch(url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (page) {
        list.innerHTML = '';
        if (!page.items.length) {
          list.innerHTML = '<li class="gm-empty">' + escapeHtml(config.labels.noMatch) + '</li>';
        }
        page.items.forEach(function (item) {
          var li = document.createElement('li');
          li.textContent = item.name;
          var small = document.createElement('small');
          small.textContent = item.uscc;
          li.appendChild(small);
          li.addEventListener('click', function () { flyTo(map, config, item, list); });
          list.appendChild(li);
        });
        list.hidden = false;
      })
      .catch(function () { list.hidden = true; });
  }

  function flyTo(map, config, item, list) {
    list.hidden = true;
    if (item.lat === null || item.lon === null) { return; }
    var spec = config.layers.filter(function (l) { return l.id === 'enterprise'; })[0];
    map.flyTo([item.lat, item.lon], 17);
    map.once('moveend', function () {
      L.popup({maxWidth: 360}).setLatLng([item.lat, item.lon])
        .setContent(popupHtml(spec, item)).openOn(map);
    });
  }

  var gridmap = window.gridmap = {escapeHtml: escapeHtml, popupHtml: popupHtml};

  /* JSON from gridmap's API (writes carry the page's CSRF token); a refusal becomes an Error
     carrying the server's readable message, its status and body */
  gridmap.api = function (method, url, body) {
    var options = {method: method, headers: {Accept: 'application/json'}, credentials: 'same-origin'};
    if (body !== undefined) {
      var meta = document.querySelector('meta[name="csrf-token"]');
      options.headers['Content-Type'] = 'application/json';
      options.headers['X-CSRF-Token'] = meta ? meta.getAttribute('content') : '';
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var e = new Error(data.message || ('HTTP ' + r.status));
          e.status = r.status; e.data = data; throw e;
        }
        return data;
      });
    });
  };

  gridmap.notify = function (text) {
    var box = document.getElementById('gm-toast');
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
    setTimeout(function () { box.hidden = true; }, 6000);
  };

  /* While Leaflet-Geoman draws, the vector tiles' canvases must not take the clicks meant
     for the new corners (they sit above the map pane and swallow them) */
  function drawingGuard(map) {
    if (!map.pm) { return; }
    map.on('pm:drawstart', function () { L.DomUtil.addClass(map.getContainer(), 'gm-drawing'); });
    map.on('pm:drawend', function () { L.DomUtil.removeClass(map.getContainer(), 'gm-drawing'); });
  }

  gridmap.init = function (map, config) {
    var bases = {};
    config.baseMaps.forEach(function (spec, i) {
      var layer = baseLayer(spec);
      bases[spec.label] = layer;
      if (i === 0) { layer.addTo(map); }
    });
    var overlays = {};
    config.layers.forEach(function (spec) {
      var layer = vectorLayer(map, spec);
      overlays[spec.label] = layer;
      if (spec.visible) { layer.addTo(map); }
    });
    if (config.overlays && config.overlays.length) { gridmap.addOverlays(map, config, overlays); }
    L.control.layers(bases, overlays, {collapsed: !!config.compact, position: 'topright'})
      .addTo(map);
    legend(map, config);
    if (config.search) { search(map, config); }
    if (config.panel) { gridmap.featureList(map, config); }
    drawingGuard(map);
    gridmap.map = map;
    gridmap.overlays = overlays;
    return map;
  };
})();
