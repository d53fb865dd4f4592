/* gridmap emergency map (应急疏散): a hazard drawn (zone, then optionally a smaller core) or
   around a key site; the affected report; plans drawn with routes coloured by load and shelters
   by fill. The side panel's tables are emergency_panel.js. Every text from the data goes in
   with textContent or gridmap.escapeHtml; API errors are shown as their message. */
(function () {
  'use strict';
  var G = window.gridmapEmergency = window.gridmapEmergency || {};
  var esc = function (v) { return window.gridmap.escapeHtml(v); };  // Leaflet tooltips are HTML

  G.api = function (method, url, body) { return window.gridmap.api(method, url, body); };

  G.el = function (tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  };

  G.loadColor = function (config, ratio) {
    var classes = config.loadClasses;
    if (ratio === null || ratio === undefined) { return classes[0][1]; }
    for (var i = 0; i < classes.length; i++) {
      if (ratio < classes[i][0]) { return classes[i][1]; }
    }
    return classes[classes.length - 1][1];
  };

  G.init = function (map, config) {
    var T = config.labels;
    var state = {zone: null, core: null, drawing: null, hazard: null, affected: null,
                 plan: null, planMap: null, site: null};
    G.state = state; G.map = map; G.config = config;
    var draftLayer = L.featureGroup().addTo(map);
    var hazardLayer = L.featureGroup().addTo(map);
    var planLayer = L.featureGroup().addTo(map);
    var siteLayer = L.featureGroup().addTo(map);
    map.pm.setGlobalOptions({allowSelfIntersection: false});
    map.pm.setLang(config.lang === 'en' ? 'en' : 'zh');
    var ui = G.buildPanel(map, config);
    G.ui = ui;
    G.legend(map, config);

    function say(text, kind) {
      ui.message.textContent = text || '';
      ui.message.className = 'gm-em-message' + (kind ? ' gm-' + kind : '');
    }
    G.say = say;

    /* ---------- a hazard drawn on the map ---------- */
    function drawStyle(which) {
      var c = config.colors[which];
      return {color: c, fillColor: c, fillOpacity: which === 'core' ? 0.35 : 0.15, weight: 2};
    }
    function startDraw(which) {
      if (which === 'core' && !state.zone) { say(T.need_zone, 'error'); return; }
      state.drawing = which;
      map.pm.enableDraw('Polygon', {pathOptions: drawStyle(which), templineStyle: {color: config.colors[which]},
                                    hintlineStyle: {color: config.colors[which], dashArray: [5, 5]}});
      say(which === 'zone' ? T.hint_zone : T.hint_core);
    }
    map.on('pm:create', function (e) {
      var which = state.drawing;
      state.drawing = null;
      if (!which) { map.removeLayer(e.layer); return; }
      map.removeLayer(e.layer);
      if (state[which]) { draftLayer.removeLayer(state[which]); }
      var layer = L.geoJSON(e.layer.toGeoJSON(), {style: drawStyle(which)}).getLayers()[0];
      layer.pm && layer.pm.disable && layer.pm.disable();
      draftLayer.addLayer(layer);
      state[which] = layer;
      if (which === 'zone') { ui.drawCore.disabled = false; }
      say('');
    });
    ui.drawZone.addEventListener('click', function () { startDraw('zone'); });
    ui.drawCore.addEventListener('click', function () { startDraw('core'); });
    ui.clear.addEventListener('click', function () {
      map.pm.disableDraw(); state.drawing = null;
      draftLayer.clearLayers(); state.zone = null; state.core = null;
      ui.drawCore.disabled = true; say('');
    });

    /* ---------- a hazard around a key site ---------- */
    ui.site.addEventListener('change', function () {
      siteLayer.clearLayers();
      var site = config.sites.filter(function (s) { return s.code === ui.site.value; })[0];
      state.site = site || null;
      if (!site) { return; }
      L.circleMarker([site.lat, site.lon], {radius: 9, color: config.colors.core, weight: 3, fill: false})
        .bindTooltip(esc(site.name + '（' + site.code + '）')).addTo(siteLayer);
      map.setView([site.lat, site.lon], Math.max(map.getZoom(), 15));
    });

    ui.create.addEventListener('click', function () {
      var body = {scenario: ui.scenario.value, time_of_day: ui.time.value};
      if (ui.name.value.trim()) { body.name = ui.name.value.trim(); }
      if (ui.how() === 'site') {
        if (!ui.site.value) { say(T.need_site, 'error'); return; }
        body.key_site = ui.site.value;
      } else {
        if (!state.zone) { say(T.need_zone, 'error'); return; }
        body.zone = state.zone.toGeoJSON().geometry;
        if (state.core) { body.core = state.core.toGeoJSON().geometry; }
      }
      ui.create.disabled = true;
      say(T.loading);
      G.api('POST', '/api/hazards', body).then(function (hazard) {
        draftLayer.clearLayers(); siteLayer.clearLayers();
        state.zone = null; state.core = null; ui.drawCore.disabled = true;
        say(T.created, 'ok');
        loadHazardList(hazard.id);
        return openHazard(hazard);
      }).catch(function (e) { say(T.failed + e.message, 'error'); })
        .then(function () { ui.create.disabled = false; });
    });

    /* ---------- a saved hazard: its shape, report and plans ---------- */
    function drawHazard(hazard) {
      hazardLayer.clearLayers();
      var zone = L.geoJSON(hazard.zone, {style: drawStyle('zone'), interactive: false}).addTo(hazardLayer);
      L.geoJSON(hazard.core, {style: drawStyle('core'), interactive: false}).addTo(hazardLayer);
      map.fitBounds(zone.getBounds(), {paddingTopLeft: [380, 30], paddingBottomRight: [30, 30], animate: false});  // the panel covers the left
    }

    function openHazard(hazard) {
      state.hazard = hazard; state.plan = null; state.planMap = null;
      planLayer.clearLayers();
      drawHazard(hazard);
      G.showHazard(hazard);
      G.showPlan(null);
      return Promise.all([
        G.api('GET', '/api/hazards/' + hazard.id + '/affected').then(function (report) {
          state.affected = report;
          G.showAffected(report);
        }),
        loadPlans()
      ]).catch(function (e) { say(T.failed + e.message, 'error'); });
    }
    G.openHazard = openHazard;

    function loadHazardList(selected) {
      return G.api('GET', '/api/hazards').then(function (list) {
        state.hazards = list;
        G.fillHazards(list, selected);
      }).catch(function (e) { say(T.failed + e.message, 'error'); });
    }
    ui.hazards.addEventListener('change', function () {
      var id = Number(ui.hazards.value);
      var hazard = (state.hazards || []).filter(function (h) { return h.id === id; })[0];
      if (hazard) { openHazard(hazard); }
    });

    function loadPlans() {
      if (!state.hazard) { return Promise.resolve(); }
      return G.api('GET', '/api/hazards/' + state.hazard.id + '/plans').then(function (plans) {
        G.showPlans(plans, state.plan && state.plan.id);
      });
    }

    /* ---------- plans ---------- */
    ui.run.addEventListener('click', function () {
      if (!state.hazard) { say(T.need_zone, 'error'); return; }
      ui.run.disabled = true;
      say(T.running);
      G.api('POST', '/api/hazards/' + state.hazard.id + '/plans', {mode: ui.mode.value})
        .then(function (plan) {
          say(T.planned, 'ok');
          return openPlan(plan.id).then(loadPlans);
        })
        .catch(function (e) { say(T.failed + e.message, 'error'); })
        .then(function () { ui.run.disabled = false; });
    });

    function openPlan(id) {
      return G.api('GET', '/api/plans/' + id + '/map').then(function (data) {
        state.plan = data.plan; state.planMap = data;
        drawPlan(data);
        G.showPlan(data);
      });
    }
    G.openPlan = function (id) {
      return openPlan(id).then(loadPlans).catch(function (e) { say(T.failed + e.message, 'error'); });
    };

    function drawPlan(data) {
      planLayer.clearLayers();
      state.routeLayers = [];
      L.geoJSON(data.routes, {
        style: function (f) {
          var p = f.properties;
          return {color: G.loadColor(config, p.ratio), weight: 3 + Math.min(5, Math.sqrt(p.people || 0) / 6),
                  opacity: 0.9};
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(T.peak + ' ' + p.peak + ' / ' + p.capacity + ' · ' + T.people + ' ' +
                                p.people + ' · ' + Math.round(p.length_m) + ' m'), {sticky: true});
          state.routeLayers.push(layer);
        }
      }).addTo(planLayer);
      state.shelterLayers = {};
      var seen = hazardLayer.getBounds();  // the zone, the roads used and the shelters used
      planLayer.eachLayer(function (l) { if (l.getBounds) { seen.extend(l.getBounds()); } });
      L.geoJSON(data.shelters, {
        pointToLayer: function (f, latlng) {
          var p = f.properties;
          var used = p.load > 0;
          return L.circleMarker(latlng, {radius: used ? 7 + Math.min(9, 9 * (p.fill || 0)) : 6,
                                         color: '#1b4332', weight: 2, fillOpacity: used ? 0.9 : 0.25,
                                         fillColor: G.loadColor(config, p.fill)});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(p.name + ' · ' + p.load + ' / ' + p.capacity +
                                ' (' + Math.round(100 * (p.fill || 0)) + ' %)'));
          state.shelterLayers[p.code] = layer;
          if (p.load > 0) { seen.extend(layer.getLatLng()); }
        }
      }).addTo(planLayer);
      L.geoJSON(data.enterprises, {
        pointToLayer: function (f, latlng) {
          var left = f.properties.unplaced > 0;
          return L.circleMarker(latlng, {radius: left ? 6 : 4, weight: 1, fillOpacity: 0.9,
                                         color: left ? config.colors.unplaced : '#1c7ed6',
                                         fillColor: left ? config.colors.unplaced : '#74c0fc'});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(p.name + ' · ' + T.routed + ' ' + p.routed +
                                (p.unplaced ? ' · ' + T.unplaced + ' ' + p.unplaced : '')));
        }
      }).addTo(planLayer);
      if (seen.isValid()) { map.fitBounds(seen, {paddingTopLeft: [380, 30], paddingBottomRight: [30, 30], animate: false}); }
    }

    loadHazardList(null);
  };
}());
