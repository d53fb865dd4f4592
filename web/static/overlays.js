/* gridmap pages: small GeoJSON layers (from the API or inline) with popups, and a side list of
 * their features that flies the map to each one.
 *
 * Loaded after gridmap.js; gridmap.init calls these when the page configuration has
 * `overlays` (and a `panel`). Text from the data goes into the page as text, never as markup
 * (textContent here, gridmap.escapeHtml in the popups).
 */
(function () {
  'use strict';

  var gridmap = window.gridmap;

  function matches(spec, props) {
    return Object.keys(spec.match || {}).every(function (key) {
      return props[key] === spec.match[key];
    });
  }

  function geojsonLayer(spec) {
    return L.geoJSON(null, {
      style: function () { return spec.style; },
      pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, spec.style); },
      filter: function (feature) { return matches(spec, feature.properties || {}); },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () {
          return gridmap.popupHtml(spec, feature.properties || {});
        }, {maxWidth: 360});
      }
    });
  }

  function load(url, cache) {
    if (!cache[url]) {
      cache[url] = fetch(url, {
        headers: {Accept: 'application/geo+json, application/json'}, credentials: 'same-origin'
      }).then(function (response) {
        if (!response.ok) { throw new Error(url + ': HTTP ' + response.status); }
        return response.json();
      });
    }
    return cache[url];
  }

  /* Adds every overlay to `overlays` (for the layer control); gridmap.overlaysReady resolves
   * when all of them hold their features. */
  gridmap.addOverlays = function (map, config, overlays) {
    var cache = {};
    gridmap.geojson = {};
    var loads = config.overlays.map(function (spec) {
      var layer = geojsonLayer(spec);
      gridmap.geojson[spec.id] = layer;
      overlays[spec.label] = layer;
      if (spec.visible) { layer.addTo(map); }
      if (!spec.url) {
        layer.addData(spec.data || []);
        return Promise.resolve(layer);
      }
      return load(spec.url, cache).then(function (data) { layer.addData(data); return layer; });
    });
    gridmap.overlaysReady = Promise.all(loads);
    gridmap.overlaysReady.catch(function () { gridmap.notify(config.labels.loadFailed); });
    return gridmap.overlaysReady;
  };

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function itemText(spec, props) {
    return spec.item.map(function (key) { return props[key]; }).filter(function (value) {
      return value !== null && value !== undefined && value !== '';
    }).join(' / ');
  }

  function focus(map, layer) {
    map.once('moveend', function () { layer.openPopup(); });
    if (layer.getBounds) {
      map.flyToBounds(layer.getBounds(), {maxZoom: 18, padding: [40, 40]});
    } else {
      map.flyTo(layer.getLatLng(), Math.max(map.getZoom(), 17));
    }
  }

  function group(map, spec) {
    var layers = gridmap.geojson[spec.id].getLayers();
    var section = element('section', 'gm-panel-group' + (layers.length ? '' : ' gm-none'));
    section.setAttribute('data-layer', spec.id);
    var head = element('h3');
    var swatch = element('i', spec.point ? 'gm-dot' : '');
    swatch.style.background = spec.style.fillColor || spec.style.color;
    head.appendChild(swatch);
    head.appendChild(element('span', 'gm-panel-label', spec.label));
    head.appendChild(element('span', 'gm-count', layers.length));
    section.appendChild(head);
    if (!layers.length) { return section; }
    var list = element('ul');
    layers.forEach(function (layer) {
      var props = layer.feature.properties || {};
      var li = element('li', null, itemText(spec, props));
      var note = spec.note && props[spec.note[0]];
      if (note !== null && note !== undefined && note !== '') {
        li.appendChild(element('small', null, note + spec.note[1]));
      }
      li.tabIndex = 0;
      li.addEventListener('click', function () { focus(map, layer); });
      li.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') { focus(map, layer); }
      });
      list.appendChild(li);
    });
    section.appendChild(list);
    return section;
  }

  function fill(map, config, div, status) {
    var panel = config.panel;
    var found = 0;
    config.overlays.forEach(function (spec) {
      if (panel.clearOf.indexOf(spec.id) >= 0) {
        found += gridmap.geojson[spec.id].getLayers().length;
      }
      div.appendChild(group(map, spec));
    });
    status.textContent = found ? panel.found.replace('{n}', found) : panel.clear;
    status.className = 'gm-panel-status ' + (found ? 'gm-bad' : 'gm-ok');
  }

  /* The side list: per overlay its count and features; the status line says whether the
   * layers of `panel.clearOf` are all empty. */
  gridmap.featureList = function (map, config) {
    var control = L.control({position: 'topleft'});
    control.onAdd = function () {
      var div = element('div', 'gm-panel');
      div.id = 'gm-feature-list';
      div.appendChild(element('h2', null, config.panel.title));
      var status = element('p', 'gm-panel-status', config.panel.loading);
      status.setAttribute('role', 'status');
      div.appendChild(status);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      gridmap.overlaysReady.then(function () { fill(map, config, div, status); }, function () {
        status.textContent = config.panel.failed;
        status.className = 'gm-panel-status gm-bad';
      });
      return div;
    };
    control.addTo(map);
  };
})();
