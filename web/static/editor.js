/* gridmap grid editor: planners reshape, split, merge grids and draw micro-grids with
   Leaflet-Geoman; the server repairs the topology (/api/edits). Every text from the data
   goes in with textContent or gridmap.escapeHtml. */
(function () {
  'use strict';
  var COLORS = {grid: '#1c7ed6', selected: '#e8590c', micro: '#2f9e44', history: '#862e9c',
                impact: '#f03e3e'};

  function api(method, url, body) { return window.gridmap.api(method, url, body); }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var E = window.gridmapEditor = window.gridmapEditor || {};
  E.el = el;

  E.init = function (map, config) {
    var L_ = config.labels;
    var state = {community: config.community, grids: {}, micro: {}, selected: [], mode: null,
                 draft: null, drawn: null, preview: null};
    E.state = state;
    E.map = map;
    var gridLayer = L.featureGroup().addTo(map);
    var microLayer = L.featureGroup().addTo(map);
    var impactLayer = L.featureGroup().addTo(map);
    var historyLayer = L.featureGroup().addTo(map);
    map.pm.setGlobalOptions({snappable: true, snapDistance: 20, allowSelfIntersection: false});
    map.pm.setLang(config.lang === 'en' ? 'en' : 'zh');

    /* ---------- the side panel ---------- */
    var panel = L.control({position: 'topleft'});
    var box;
    panel.onAdd = function () {
      box = el('div', {'class': 'gm-editor', id: 'gm-editor'});
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    panel.addTo(map);

    var select = el('select', {id: 'gm-editor-community'});
    config.communities.forEach(function (c) {
      var o = el('option', {value: c.code}, c.name + '（' + c.code + '）');
      if (c.code === state.community) o.selected = true;
      select.appendChild(o);
    });
    var label = el('label', {}, L_.community);
    label.appendChild(select);
    box.appendChild(label);
    var info = el('div', {id: 'gm-editor-selected', 'class': 'gm-editor-info'}, L_.pick);
    box.appendChild(info);
    var tools = el('div', {'class': 'gm-editor-tools'});
    ['reshape', 'split', 'merge', 'create_microgrid', 'delete_microgrid'].forEach(function (op) {
      var b = el('button', {type: 'button', 'data-op': op, id: 'gm-op-' + op}, L_[op]);
      b.addEventListener('click', function () { startMode(op); });
      tools.appendChild(b);
    });
    box.appendChild(tools);
    var hint = el('div', {id: 'gm-editor-hint', 'class': 'gm-editor-hint'});
    box.appendChild(hint);
    var nameInput = el('input', {id: 'gm-editor-name', placeholder: L_.name, maxlength: '200'});
    box.appendChild(nameInput);
    var reason = el('textarea', {id: 'gm-editor-reason', placeholder: L_.reason, rows: '2', maxlength: '500'});
    box.appendChild(reason);
    var actions = el('div', {'class': 'gm-editor-tools'});
    var previewBtn = el('button', {type: 'button', id: 'gm-editor-preview'}, L_.preview);
    var saveBtn = el('button', {type: 'button', id: 'gm-editor-save', disabled: 'disabled'}, L_.save);
    var cancelBtn = el('button', {type: 'button', id: 'gm-editor-cancel'}, L_.cancel);
    [previewBtn, saveBtn, cancelBtn].forEach(function (b) { actions.appendChild(b); });
    box.appendChild(actions);
    var message = el('div', {id: 'gm-editor-message', role: 'status', 'class': 'gm-editor-message'});
    box.appendChild(message);
    var impactBox = el('div', {id: 'gm-editor-impact', 'class': 'gm-editor-impact'});
    box.appendChild(impactBox);
    var historyHead = el('h3', {}, L_.history);
    box.appendChild(historyHead);
    var atRow = el('div', {'class': 'gm-editor-at'});
    var atInput = el('input', {type: 'date', id: 'gm-editor-at', title: L_.at});
    var atClear = el('button', {type: 'button', id: 'gm-editor-at-clear'}, L_.at_clear);
    atRow.appendChild(el('span', {}, L_.at));
    atRow.appendChild(atInput);
    atRow.appendChild(atClear);
    box.appendChild(atRow);
    // the date slider: days back from today (two years), moving shows that day's boundaries
    var slider = el('input', {type: 'range', id: 'gm-editor-slider', min: '-730', max: '0',
                              step: '1', value: '0', title: L_.at});
    box.appendChild(slider);
    var historyList = el('ol', {id: 'gm-editor-history', 'class': 'gm-editor-history'});
    box.appendChild(historyList);

    function say(text, kind) {
      message.textContent = text || '';
      message.className = 'gm-editor-message' + (kind ? ' gm-' + kind : '');
    }

    /* ---------- loading the community ---------- */
    function gridStyle(code) {
      var on = state.selected.indexOf(code) >= 0;
      return {color: on ? COLORS.selected : COLORS.grid, weight: on ? 3 : 1.5,
              fillColor: on ? COLORS.selected : COLORS.grid, fillOpacity: on ? 0.15 : 0.05};
    }

    function load() {
      clearDraft();
      gridLayer.clearLayers(); microLayer.clearLayers(); impactLayer.clearLayers();
      state.grids = {}; state.micro = {}; state.selected = [];
      say(L_.loading);
      var q = '?community=' + encodeURIComponent(state.community) + '&geometry=true&limit=1000';
      return api('GET', '/api/grids' + q).then(function (page) {
        page.items.forEach(function (g) {
          var layer = L.geoJSON(g.geometry, {style: gridStyle(g.code)}).getLayers()[0];
          layer.gmCode = g.code;
          layer.bindTooltip(g.name + '（' + g.code + '）', {sticky: true});
          layer.on('click', function (e) {
            if (drawing()) return;  // the click belongs to the line or polygon being drawn
            L.DomEvent.stop(e);
            clickGrid(g.code);
          });
          gridLayer.addLayer(layer);
          state.grids[g.code] = {item: g, layer: layer};
        });
        if (page.items.length) map.fitBounds(gridLayer.getBounds(), {paddingTopLeft: [340, 0]});
        return loadMicro();
      }).then(function () { say(''); showSelection(); return loadHistory(); })
        .catch(function (e) { say(L_.failed + e.message, 'error'); });
    }

    function loadMicro() {
      var codes = Object.keys(state.grids);
      return Promise.all(codes.map(function (code) {
        return api('GET', '/api/microgrids?grid=' + code + '&geometry=true&limit=1000');
      })).then(function (pages) {
        pages.forEach(function (page) {
          page.items.forEach(function (m) {
            var layer = L.geoJSON(m.geometry, {style: {color: COLORS.micro, weight: 1, dashArray: '3 3',
                                                       fillOpacity: 0.05}}).getLayers()[0];
            layer.gmCode = m.code;
            layer.bindTooltip(m.name + '（' + m.code + '）', {sticky: true});
            layer.on('click', function (e) {
              if (state.mode !== 'delete_microgrid' || drawing()) return;
              L.DomEvent.stop(e);
              state.draft = {microgrid: m.code, versions: pair(m.code, m.version)};
              say(L_.selected + m.name + '（' + m.code + '）');
            });
            microLayer.addLayer(layer);
            state.micro[m.code] = {item: m, layer: layer};
          });
        });
      });
    }

    function drawing() { return state.mode === 'split' || state.mode === 'create_microgrid'; }

    function pair(code, version) { var v = {}; v[code] = version; return v; }

    /* ---------- selecting ---------- */
    function clickGrid(code) {
      if (state.mode === 'merge') {
        var at = state.selected.indexOf(code);
        if (at >= 0) state.selected.splice(at, 1); else state.selected.push(code);
      } else if (!state.mode) {
        state.selected = [code];
      } else {
        return;
      }
      restyle();
      showSelection();
    }

    function restyle() {
      Object.keys(state.grids).forEach(function (c) { state.grids[c].layer.setStyle(gridStyle(c)); });
    }

    function showSelection() {
      info.textContent = '';
      if (!state.selected.length) { info.textContent = L_.pick; return; }
      state.selected.forEach(function (code) {
        var g = state.grids[code].item;
        info.appendChild(el('div', {'class': 'gm-editor-grid', 'data-code': code},
          g.name + '（' + code + '） ' + L_.version + ' ' + g.version + ' · ' + g.enterprise_count + ' ' + L_.enterprises));
      });
    }

    /* ---------- modes ---------- */
    function clearDraft() {
      map.pm.disableDraw();
      Object.keys(state.grids).forEach(function (c) { state.grids[c].layer.pm.disable(); });
      if (state.drawn) { map.removeLayer(state.drawn); state.drawn = null; }
      state.mode = null; state.draft = null; state.preview = null;
      saveBtn.disabled = true;
      impactLayer.clearLayers();
      impactBox.textContent = '';
      hint.textContent = '';
      Array.prototype.forEach.call(tools.children, function (b) { b.classList.remove('active'); });
    }

    function startMode(op) {
      var keep = state.selected.slice();
      clearDraft();
      state.selected = keep;
      state.mode = op;
      tools.querySelector('[data-op="' + op + '"]').classList.add('active');
      var hints = {reshape: 'hint_reshape', split: 'hint_split', merge: 'hint_merge',
                   create_microgrid: 'hint_create', delete_microgrid: 'hint_delete'};
      hint.textContent = L_[hints[op]];
      var one = state.selected.length ? state.grids[state.selected[0]] : null;
      if ((op === 'reshape' || op === 'split' || op === 'create_microgrid') && !one) {
        say(L_.pick, 'error'); state.mode = null; return;
      }
      if (op === 'reshape') {
        one.layer.pm.enable({snappable: true, allowSelfIntersection: false});
        state.draft = {grid: one.item.code, versions: pair(one.item.code, one.item.version)};
      } else if (op === 'split') {
        map.pm.enableDraw('Line', {snappable: true, finishOn: 'dblclick'});
      } else if (op === 'create_microgrid') {
        map.pm.enableDraw('Polygon', {snappable: true});
      }
    }

    map.on('pm:create', function (e) {
      if (state.drawn) map.removeLayer(state.drawn);
      state.drawn = e.layer;
      var one = state.grids[state.selected[0]];
      if (state.mode === 'split' && one) {
        state.draft = {grid: one.item.code, geometry: e.layer.toGeoJSON().geometry,
                       versions: pair(one.item.code, one.item.version)};
      } else if (state.mode === 'create_microgrid' && one) {
        state.draft = {grid: one.item.code, geometry: e.layer.toGeoJSON().geometry,
                       versions: pair(one.item.code, one.item.version)};
      }
    });

    function body() {
      var op = state.mode;
      if (!op) return null;
      var b = {op: op, reason: reason.value.trim() || '-', versions: {}};
      if (op === 'merge') {
        if (state.selected.length < 2) return null;
        b.grids = state.selected.slice();
        state.selected.forEach(function (c) { b.versions[c] = state.grids[c].item.version; });
      } else if (op === 'reshape') {
        if (!state.draft) return null;
        var layer = state.grids[state.draft.grid].layer;
        b.grid = state.draft.grid; b.versions = state.draft.versions;
        b.geometry = layer.toGeoJSON().geometry;
      } else {
        if (!state.draft) return null;
        Object.keys(state.draft).forEach(function (k) { b[k] = state.draft[k]; });
      }
      if (nameInput.value.trim()) b.name = nameInput.value.trim();
      if (op === 'create_microgrid') b.kind = 'enterprise';
      return b;
    }

    var impactView = E.impactView(impactBox, impactLayer, L_);
    var showImpact = impactView.show;

    previewBtn.addEventListener('click', function () {
      var b = body();
      if (!b) { say(L_.pick, 'error'); return; }
      say(L_.loading);
      api('POST', '/api/edits/preview', b).then(function (out) {
        state.preview = b; saveBtn.disabled = false; say(''); showImpact(out);
      }).catch(function (e) { say(e.message, 'error'); });
    });

    saveBtn.addEventListener('click', function () {
      if (!reason.value.trim()) { say(L_.reason_needed, 'error'); reason.focus(); return; }
      var b = body();
      if (!b) return;
      b.reason = reason.value.trim();
      api('POST', '/api/edits', b).then(function () {
        reason.value = ''; nameInput.value = '';
        gridmap.notify(L_.saved);
        return load();
      }).catch(function (e) {
        say((e.status === 409 ? L_.stale : '') + e.message, 'error');
        if (e.status === 409) load();
      });
    });

    cancelBtn.addEventListener('click', function () { clearDraft(); load(); });

    /* ---------- history, undo, past days ---------- */
    function loadHistory() {
      historyList.textContent = '';
      return api('GET', '/api/edits?limit=20&community=' + encodeURIComponent(state.community)).then(function (page) {
        if (!page.items.length) historyList.appendChild(el('li', {}, L_.history_empty));
        page.items.forEach(function (op) {
          var li = el('li', {'data-id': op.id});
          var when = new Date(op.at).toLocaleString(config.lang === 'en' ? 'en-GB' : 'zh-CN');
          li.appendChild(el('span', {}, when + ' · ' + (L_[op.kind] || op.kind) + ' · ' + (op.username || '') + ' · ' + op.reason));
          if (!op.undone_by) {
            var undo = el('button', {type: 'button', 'class': 'gm-undo'}, L_.undo);
            undo.addEventListener('click', function () {
              var why = reason.value.trim() || L_.undo_reason;
              api('POST', '/api/edits/' + op.id + '/undo', {reason: why}).then(function () {
                gridmap.notify(L_.undone); return load();
              }).catch(function (e) { say(e.message, 'error'); });
            });
            li.appendChild(undo);
          }
          historyList.appendChild(li);
        });
      });
    }

    function isoDay(offset) {
      var d = new Date();
      d.setDate(d.getDate() + offset);
      return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' +
        String(d.getDate()).padStart(2, '0');
    }

    var sliding = null;
    slider.addEventListener('input', function () {
      atInput.value = isoDay(Number(slider.value));
      clearTimeout(sliding);
      sliding = setTimeout(function () { atInput.dispatchEvent(new Event('change')); }, 250);
    });

    var atAsked = 0;  // only the day asked for last is drawn, however the answers arrive
    atInput.addEventListener('change', function () {
      var asked = ++atAsked;
      historyLayer.clearLayers();
      if (!atInput.value) return;
      var days = Math.round((new Date(atInput.value) - new Date(isoDay(0))) / 86400000);
      if (days >= -730 && days <= 0) slider.value = String(days);
      var q = '?community=' + encodeURIComponent(state.community) + '&geometry=true&limit=1000&at=' + atInput.value;
      api('GET', '/api/grids' + q).then(function (page) {
        if (asked !== atAsked) return;  // another day (or none) was asked for meanwhile
        historyLayer.clearLayers();
        page.items.forEach(function (g) {
          L.geoJSON(g.geometry, {style: {color: COLORS.history, weight: 2.5, dashArray: '6 4', fill: false}})
            .bindTooltip(g.name + '（' + g.code + '） ' + L_.version + ' ' + g.version, {sticky: true})
            .addTo(historyLayer);
        });
      }).catch(function (e) { say(e.message, 'error'); });
    });
    atClear.addEventListener('click', function () {
      atAsked++; atInput.value = ''; slider.value = '0'; historyLayer.clearLayers();
    });

    select.addEventListener('change', function () { state.community = select.value; load(); });
    E.reload = load;
    E.ready = load();
  };
})();
