/* gridmap visits page (走访记录), for phones: my grids' enterprises nearest first (browser
   geolocation), and a form that records a visit with the current position, notes and an
   optional photo. Every text from the data goes in with textContent. */
(function () {
  'use strict';
  var GEO_OPTIONS = {enableHighAccuracy: true, timeout: 15000, maximumAge: 30000};

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) {
      return values[k] === undefined ? m : String(values[k]);
    });
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function send(method, url, body) {
    var options = {method: method, credentials: 'same-origin',
                   headers: {'Accept': 'application/json'}};
    if (body instanceof FormData) {
      options.headers['X-CSRF-Token'] = csrf();
      options.body = body;
    } else if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.headers['X-CSRF-Token'] = csrf();
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { throw new Error(data.message || data.detail || ('HTTP ' + r.status)); }
        return data;
      });
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* The position as {lon, lat, accuracy}; rejects with the GeolocationPositionError. */
  function locate() {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject({code: 2}); return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        resolve({lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy});
      }, reject, GEO_OPTIONS);
    });
  }

  var V = window.gridmapVisits = {};

  V.init = function (map, config) {
    var T = config.labels;
    var state = {items: [], position: null, current: null, denied: false};
    V.state = state;
    V.map = map;
    var $ = function (id) { return document.getElementById(id); };
    var status = $('gm-visits-status');
    var list = $('gm-visits-list');
    var listBox = $('gm-visits-list-box');
    var form = $('gm-visit-form');
    var result = $('gm-visit-result');
    var photoResult = $('gm-visit-photo-result');
    var recordBtn = $('gm-visit-record');
    var marks = L.featureGroup().addTo(map);

    function say(node, text, kind) {
      node.textContent = text || '';
      node.className = node.className.replace(/ gm-(ok|warn|bad)/g, '') + (kind ? ' gm-' + kind : '');
    }

    function distance(m) {
      if (m === null || m === undefined) { return ''; }
      return m < 1000 ? fmt(T.distance_m, {m: Math.round(m)})
                      : fmt(T.distance_km, {km: (m / 1000).toFixed(1)});
    }

    function load() {
      var q = state.position ? '?lon=' + state.position.lon.toFixed(6) + '&lat=' +
        state.position.lat.toFixed(6) : '';
      return send('GET', '/api/my/enterprises' + q).then(function (data) {
        state.items = data.items || [];
        render();
      }).catch(function () { say(status, T.failed, 'bad'); });
    }

    function render() {
      list.textContent = '';
      $('gm-visits-count').textContent = state.items.length ? fmt(T.count, {n: state.items.length})
                                                            : T.empty;
      state.items.forEach(function (item) {
        var li = el('li', 'gm-visits-item');
        li.setAttribute('data-uscc', item.uscc);
        var button = el('button', 'gm-visits-open');
        button.type = 'button';
        var top = el('span', 'gm-visits-top');
        top.appendChild(el('strong', 'gm-visits-name', item.name));
        top.appendChild(el('span', 'gm-visits-distance', distance(item.distance_m)));
        button.appendChild(top);
        button.appendChild(el('span', 'gm-visits-address', item.address || ''));
        var done = !!item.visited_this_month;
        button.appendChild(el('span', 'gm-badge ' + (done ? 'gm-visited' : 'gm-not-visited'),
                              done ? T.visited : T.not_visited));
        button.addEventListener('click', function () { open(item); });
        li.appendChild(button);
        list.appendChild(li);
      });
    }

    function open(item) {
      state.current = item;
      listBox.hidden = true;
      form.hidden = false;
      $('gm-visit-name').textContent = item.name;
      $('gm-visit-address').textContent = [item.address, distance(item.distance_m)]
        .filter(Boolean).join(' · ');
      $('gm-visit-notes').value = '';
      $('gm-visit-photo').value = '';
      say(result, ''); say(photoResult, '');
      recordBtn.disabled = false;
      window.scrollTo(0, 0);
      drawMap(item);
    }

    function drawMap(item) {
      map.invalidateSize();
      marks.clearLayers();
      if (item.lat === null || item.lat === undefined) { return; }
      L.circleMarker([item.lat, item.lon], {radius: 8, color: '#fff', weight: 2,
        fillColor: '#17406d', fillOpacity: 0.95}).bindTooltip(el('span', '', item.name))
        .addTo(marks);
      if (state.position) {
        L.circleMarker([state.position.lat, state.position.lon], {radius: 7, color: '#fff',
          weight: 2, fillColor: '#1c7ed6', fillOpacity: 0.95})
          .bindTooltip(el('span', '', T.you)).addTo(marks);
      }
      map.fitBounds(marks.getBounds(), {maxZoom: 17, padding: [24, 24]});
    }

    function back() {
      form.hidden = true;
      listBox.hidden = false;
      state.current = null;
    }

    function shown(check, m) {
      if (check === 'verified') { return [fmt(T.verified, {m: Math.round(m || 0)}), 'ok']; }
      if (check === 'flagged') { return [fmt(T.flagged, {m: Math.round(m || 0)}), 'warn']; }
      return [T.no_location, 'warn'];
    }

    function record() {
      var item = state.current;
      if (!item) { return; }
      recordBtn.disabled = true;
      say(result, T.recording); say(photoResult, '');
      var body = {uscc: item.uscc};
      var notes = $('gm-visit-notes').value.trim();
      if (notes) { body.notes = notes; }
      var here = state.denied ? Promise.reject({code: 1}) : locate();
      return here.then(function (p) { state.position = p; }, function () {})
        .then(function () {
          if (state.position) { body.lon = state.position.lon; body.lat = state.position.lat; }
          return send('POST', '/api/visits', body);
        })
        .then(function (visit) {
          var text = shown(visit.check_result, visit.distance_m);
          say(result, text[0], text[1]);
          result.setAttribute('data-check', visit.check_result);
          item.visited_this_month = true;
          render();
          return upload(visit.id);
        })
        .catch(function (e) {
          recordBtn.disabled = false;
          say(result, fmt(T.record_failed, {error: e.message}), 'bad');
        });
    }

    function upload(visitId) {
      var file = $('gm-visit-photo').files[0];
      if (!file) { return null; }
      if (config.photoTypes.indexOf(file.type) < 0) { say(photoResult, T.photo_type, 'bad'); return null; }
      if (file.size > config.photoMaxBytes) { say(photoResult, T.photo_too_big, 'bad'); return null; }
      var data = new FormData();
      data.append('file', file, file.name);
      return send('POST', '/api/visits/' + encodeURIComponent(visitId) + '/photo', data)
        .then(function () { say(photoResult, T.photo_uploaded, 'ok'); })
        .catch(function (e) { say(photoResult, fmt(T.photo_failed, {error: e.message}), 'bad'); });
    }

    $('gm-visit-back').addEventListener('click', back);
    recordBtn.addEventListener('click', record);

    V.ready = locate().then(function (p) {
      state.position = p;
      say(status, fmt(T.located, {acc: Math.round(p.accuracy || 0)}), 'ok');
    }, function (e) {
      state.denied = e && e.code === 1;
      say(status, state.denied ? T.denied : T.unavailable, 'warn');
    }).then(load);
  };
})();
