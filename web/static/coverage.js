/* gridmap coverage map (走访覆盖): grids and, from zoom 15, micro-grids coloured by the month's
   visit coverage; enterprises coloured by their visit state; the suggested route of one grid.
   The side panel is coverage_panel.js. Every text from the data is escaped (gridmap.escapeHtml)
   or set with textContent. */
(function () {
  'use strict';
  var esc = function (v) { return window.gridmap.escapeHtml(v); };
  var C = window.gridmapCoverage = {};

  C.fmt = function (text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) {
      return values[k] === undefined ? m : String(values[k]);
    });
  };

  C.get = function (url) {
    return fetch(url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'})
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status + ' ' + url); }
        return r.json();
      });
  };

  C.query = function (params) {
    return Object.keys(params).filter(function (k) {
      return params[k] !== null && params[k] !== undefined && params[k] !== '';
    }).map(function (k) { return k + '=' + encodeURIComponent(params[k]); }).join('&');
  };

  /* the colour of a place's coverage: grey without enterprises, else its class */
  C.coverColor = function (config, item) {
    if (!item || !item.total) { return config.emptyColor; }
    var classes = config.classes;
    for (var i = 0; i < classes.length; i++) {
      if (item.percent < classes[i][0]) { return classes[i][1]; }
    }
    return classes[classes.length - 1][1];
  };

  function coverHtml(T, kind, item, cov) {
    var rows = cov ? [[T.percent, cov.total ? Math.round(cov.percent) + ' %' : T.no_enterprises],
      [T.visited, cov.visited + ' / ' + cov.total], [T.verified, cov.verified],
      [T.flagged, cov.flagged]] : [];
    return '<div class="gm-popup"><div class="gm-popup-layer">' + esc(kind) + '</div><h3>' +
      esc(item.name) + '<small> ' + esc(item.code) + '</small></h3><table>' + rows.map(function (r) {
        return '<tr><th>' + esc(r[0]) + '</th><td>' + esc(r[1]) + '</td></tr>';
      }).join('') + '</table></div>';
  }

  C.enterpriseHtml = function (T, p) {
    var last = p.last_visited_at ? String(p.last_visited_at).slice(0, 10) : T.never;
    var rows = [['USCC', p.uscc], [T.grids, p.grid_code], [T.visited, p.visits],
                [T.last_visit, last]];
    return '<div class="gm-popup"><div class="gm-popup-layer">' +
      esc(T['state_' + p.state] || p.state) + '</div><h3>' + esc(p.name) + '</h3><table>' +
      rows.map(function (r) {
        return '<tr><th>' + esc(r[0]) + '</th><td>' + esc(r[1] === null ? '—' : r[1]) + '</td></tr>';
      }).join('') + '</table></div>';
  };

  C.init = function (map, config) {
    var T = config.labels;
    var state = {community: config.community, month: config.months[0], member: '', closed: false,
                 grids: {}, gridCov: {}, micro: {}, microCov: null, microLoaded: {},
                 enterprises: {}, unvisited: [], selected: null, route: null};
    C.state = state; C.map = map; C.config = config;
    var gridLayer = L.featureGroup().addTo(map);
    var microLayer = L.featureGroup();
    var enterpriseLayer = L.featureGroup().addTo(map);
    var routeLayer = L.featureGroup().addTo(map);
    var panel = C.buildPanel(map, config, state);
    C.panel = panel;

    function gridStyle(code) {
      var on = state.selected === code;
      var fill = C.coverColor(config, state.gridCov[code]);
      var zoomed = map.getZoom() >= config.microgridZoom;
      return {color: on ? '#17406d' : '#495057', weight: on ? 3.5 : 1.2, fillColor: fill,
              fillOpacity: zoomed ? 0.12 : 0.55};
    }

    function microStyle(code) {
      var fill = C.coverColor(config, state.microCov && state.microCov[code]);
      return {color: '#495057', weight: 1, dashArray: '4 3', fillColor: fill, fillOpacity: 0.55};
    }

    function restyle() {
      Object.keys(state.grids).forEach(function (code) {
        var g = state.grids[code];
        g.layer.setStyle(gridStyle(code));
        g.layer.setPopupContent(coverHtml(T, T.grids, g.item, state.gridCov[code]));
      });
      Object.keys(state.micro).forEach(function (code) {
        var m = state.micro[code];
        m.layer.setStyle(microStyle(code));
        m.layer.setPopupContent(coverHtml(T, T.legend_grids, m.item,
                                          state.microCov && state.microCov[code]));
      });
    }

    function byCode(items) {
      var out = {};
      (items || []).forEach(function (i) { out[i.code] = i; });
      return out;
    }

    function failed(e) {
      panel.status(T.failed, 'bad');
      if (window.console) { console.warn(e); }
    }

    C.loadCommunity = function () {
      gridLayer.clearLayers(); microLayer.clearLayers(); routeLayer.clearLayers();
      state.grids = {}; state.micro = {}; state.microLoaded = {}; state.selected = null;
      state.microCov = null; state.microCovLoad = null;
      panel.selectGrid(null);
      if (!state.community) { return Promise.resolve(); }
      panel.status(T.loading);
      var q = C.query({community: state.community, geometry: 'true', limit: 1000});
      return C.get('/api/grids?' + q).then(function (page) {
        page.items.forEach(function (g) {
          if (!g.geometry) { return; }
          var layer = L.geoJSON(g.geometry).getLayers()[0];
          layer.bindPopup('', {maxWidth: 320});
          layer.on('click', function () { C.selectGrid(g.code); });
          gridLayer.addLayer(layer);
          state.grids[g.code] = {item: g, layer: layer};
        });
        if (page.items.length) { map.fitBounds(gridLayer.getBounds(), {paddingTopLeft: [330, 0]}); }
        return C.loadMonth();
      }).catch(failed);
    };

    C.loadMonth = function () {
      routeLayer.clearLayers(); state.route = null; state.microCov = null; state.microCovLoad = null;
      panel.status(T.loading);
      var base = {month: state.month, community: state.community};
      var grids = C.get('/api/coverage?' + C.query(L.extend({level: 'grid'}, base)))
        .then(function (data) {
          if (base.month !== state.month || base.community !== state.community) { return; }
          state.gridCov = byCode(data.items);
          state.closed = !!data.closed;
          panel.month(state.month, state.closed);
        });
      var members = C.get('/api/coverage?' + C.query(L.extend({level: 'member'}, base)))
        .then(function (data) { panel.members(data.items || []); });
      return Promise.all([grids, members]).then(function () {
        return Promise.all([C.loadEnterprises(), C.loadMicro()]);
      }).then(function () { restyle(); panel.status(''); }).catch(failed);
    };

    C.loadEnterprises = function () {
      var params = {month: state.month, community: state.community, member: state.member};
      var seq = state.seq = (state.seq || 0) + 1;  // a later choice wins over a slow answer
      var points = C.get('/api/coverage/enterprises?' + C.query(params)).then(function (fc) {
        if (seq !== state.seq) { return; }
        enterpriseLayer.clearLayers();
        state.enterprises = {};
        L.geoJSON(fc, {pointToLayer: function (f, latlng) {
          var p = f.properties;
          var marker = L.circleMarker(latlng, {radius: 6, color: '#ffffff', weight: 1.5,
            fillColor: config.stateColors[p.state] || '#868e96', fillOpacity: 0.95});
          marker.bindPopup(C.enterpriseHtml(T, p), {maxWidth: 320});
          state.enterprises[p.uscc] = marker;
          return marker;
        }}).getLayers().forEach(function (l) { enterpriseLayer.addLayer(l); });
      });
      var list = C.get('/api/coverage/unvisited?' + C.query(params)).then(function (data) {
        if (seq !== state.seq) { return; }
        state.unvisited = C.sortUnvisited(data.items || []);
        panel.unvisited(state.unvisited);
      });
      return Promise.all([points, list]);
    };

    /* never visited first, then the longest ago; ties keep the server's order */
    C.sortUnvisited = function (items) {
      return items.map(function (item, i) { return [item, i]; }).sort(function (a, b) {
        var da = a[0].days_since_last_visit, db = b[0].days_since_last_visit;
        var ka = da === null || da === undefined ? Infinity : da;
        var kb = db === null || db === undefined ? Infinity : db;
        return ka === kb ? a[1] - b[1] : kb - ka;
      }).map(function (pair) { return pair[0]; });
    };

    C.loadMicro = function () {
      if (map.getZoom() < config.microgridZoom) {
        map.removeLayer(microLayer);
        return Promise.resolve();
      }
      microLayer.addTo(map);
      var view = map.getBounds();
      if (!state.microCovLoad) {  // once per month and community, however often the map moves
        var month = state.month;
        state.microCovLoad = C.get('/api/coverage?' + C.query(
          {month: month, community: state.community, level: 'microgrid'}))
          .then(function (data) { if (month === state.month) { state.microCov = byCode(data.items); } },
                function (e) { state.microCovLoad = null; throw e; });  // the next move retries
      }
      var cov = state.microCovLoad;
      var wanted = Object.keys(state.grids).filter(function (code) {
        return !state.microLoaded[code] && view.intersects(state.grids[code].layer.getBounds());
      });
      var shapes = wanted.map(function (code) {
        state.microLoaded[code] = true;
        return C.get('/api/microgrids?' + C.query({grid: code, geometry: 'true', limit: 1000}))
          .then(function (page) {
            page.items.forEach(function (m) {
              if (!m.geometry || state.micro[m.code]) { return; }
              var layer = L.geoJSON(m.geometry).getLayers()[0];
              layer.bindPopup('', {maxWidth: 320});
              microLayer.addLayer(layer);
              state.micro[m.code] = {item: m, layer: layer};
            });
          });
      });
      return Promise.all([cov].concat(shapes)).then(function () {
        restyle();
        enterpriseLayer.bringToFront();
      });
    };

    C.selectGrid = function (code) {
      state.selected = code;
      routeLayer.clearLayers();
      restyle();
      panel.selectGrid(code ? state.grids[code].item : null);
    };

    C.route = function () {
      if (!state.selected) { return Promise.resolve(); }
      routeLayer.clearLayers();
      var q = C.query({grid: state.selected, month: state.month});
      return C.get('/api/coverage/route?' + q).then(function (data) {
        state.route = data;
        if (data.line) {
          L.geoJSON(data.line, {style: {color: '#5f3dc4', weight: 4, opacity: 0.85}})
            .addTo(routeLayer);
        }
        (data.stops || []).forEach(function (stop, i) {
          L.marker([stop.lat, stop.lon], {icon: L.divIcon({className: 'gm-stop',
            html: String(i + 1), iconSize: [22, 22]})})
            .bindTooltip(esc(C.fmt(T.stop, {n: i + 1}) + ' ' + stop.name)).addTo(routeLayer);
        });
        if (routeLayer.getLayers().length) {
          map.fitBounds(routeLayer.getBounds(), {paddingTopLeft: [330, 0], maxZoom: 17});
        }
        panel.route(data);
      }).catch(failed);
    };

    C.flyTo = function (item) {
      if (item.lat === null || item.lat === undefined) { return; }
      map.flyTo([item.lat, item.lon], 17, {duration: 0.6});
      map.once('moveend', function () {
        var marker = state.enterprises[item.uscc];
        if (marker) { marker.openPopup(); return; }
        L.popup().setLatLng([item.lat, item.lon]).setContent(C.enterpriseHtml(T,
          L.extend({state: 'unvisited', visits: 0}, item))).openOn(map);
      });
    };

    map.on('zoomend moveend', function () {
      if (state.community) { C.loadMicro().catch(failed); }
    });
    C.legend(map, config);
    C.ready = C.loadCommunity();
  };
})();
