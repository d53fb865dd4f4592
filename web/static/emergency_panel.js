/* The side panel of the emergency map: the hazard form, the affected report, the plan's
   figures, schedule and people left behind, and the hazard's saved plans. Every text from the
   data is set with textContent (G.el). */
(function () {
  'use strict';
  var G = window.gridmapEmergency = window.gridmapEmergency || {};

  function fmtMin(T, v) {
    return v === null || v === undefined ? '—' : (Math.round(v * 10) / 10) + ' ' + T.minutes;
  }

  function select(id, options, value) {
    var node = G.el('select', {id: id});
    options.forEach(function (o) {
      var opt = G.el('option', {value: o[0]}, o[1]);
      if (o[0] === value) { opt.selected = true; }
      node.appendChild(opt);
    });
    return node;
  }

  function labelled(text, control) {
    var label = G.el('label', {}, text);
    label.appendChild(control);
    return label;
  }

  function table(id, heads, rows) {
    var t = G.el('table', {id: id, 'class': 'gm-em-table'});
    var tr = G.el('tr');
    heads.forEach(function (h) { tr.appendChild(G.el('th', {}, h)); });
    t.appendChild(tr);
    rows.forEach(function (row) {
      var r = G.el('tr');
      row.forEach(function (cell) { r.appendChild(G.el('td', {}, cell === null ? '—' : cell)); });
      t.appendChild(r);
    });
    return t;
  }

  function section(box, title, id) {
    var details = G.el('details', {id: id, open: 'open'});
    details.appendChild(G.el('summary', {}, title));
    box.appendChild(details);
    return details;
  }

  G.buildPanel = function (map, config) {
    var T = config.labels;
    var ui = {};
    var control = L.control({position: 'topleft'});
    var box = G.el('div', {'class': 'gm-editor gm-em', id: 'gm-emergency'});
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    box.appendChild(G.el('h2', {}, T.hazard));
    ui.hazards = select('gm-em-hazards', [['', T.saved_hazards]], '');
    box.appendChild(ui.hazards);
    var how = G.el('div', {'class': 'gm-em-how', role: 'radiogroup'});
    [['draw', T.how_draw], ['site', T.how_site]].forEach(function (o, i) {
      var input = G.el('input', {type: 'radio', name: 'gm-em-how', value: o[0], id: 'gm-em-how-' + o[0]});
      if (i === 0) { input.checked = true; }
      var label = G.el('label', {'for': 'gm-em-how-' + o[0]});
      label.appendChild(input); label.appendChild(document.createTextNode(o[1]));
      how.appendChild(label);
    });
    box.appendChild(how);
    ui.how = function () { return box.querySelector('input[name="gm-em-how"]:checked').value; };
    var scen = Object.keys(config.scenarios).map(function (k) { return [k, config.scenarios[k]]; });
    ui.scenario = select('gm-em-scenario', scen, 'gas_leak');
    ui.time = select('gm-em-time', [['day', T.day], ['night', T.night]], 'day');
    box.appendChild(labelled(T.scenario, ui.scenario));
    box.appendChild(labelled(T.time_of_day, ui.time));
    var drawBox = G.el('div', {'class': 'gm-editor-tools', id: 'gm-em-draw'});
    ui.drawZone = G.el('button', {type: 'button', id: 'gm-em-draw-zone'}, T.draw_zone);
    ui.drawCore = G.el('button', {type: 'button', id: 'gm-em-draw-core', disabled: 'disabled'}, T.draw_core);
    ui.clear = G.el('button', {type: 'button', id: 'gm-em-clear'}, T.clear);
    [ui.drawZone, ui.drawCore, ui.clear].forEach(function (b) { drawBox.appendChild(b); });
    box.appendChild(drawBox);
    var sites = [['', T.site_pick]].concat(config.sites.map(function (s) {
      return [s.code, s.name + ' · ' + (config.hazardClasses[s.hazard_class] || s.hazard_class || '')];
    }));
    ui.site = select('gm-em-site', sites, '');
    var siteBox = labelled(T.site, ui.site);
    siteBox.hidden = true;
    box.appendChild(siteBox);
    how.addEventListener('change', function () {
      var draw = ui.how() === 'draw';
      drawBox.hidden = !draw; siteBox.hidden = draw;
    });
    ui.name = G.el('input', {id: 'gm-em-name', placeholder: T.name, maxlength: '200'});
    box.appendChild(ui.name);
    ui.create = G.el('button', {type: 'button', id: 'gm-em-create', 'class': 'gm-em-primary'}, T.create);
    box.appendChild(ui.create);
    ui.message = G.el('div', {id: 'gm-em-message', role: 'status', 'class': 'gm-em-message'});
    box.appendChild(ui.message);
    ui.hazardInfo = G.el('div', {id: 'gm-em-hazard'});
    box.appendChild(ui.hazardInfo);
    ui.affected = section(box, T.affected, 'gm-em-affected');
    var planHead = G.el('h2', {}, T.plan);
    box.appendChild(planHead);
    var runRow = G.el('div', {'class': 'gm-editor-tools'});
    ui.mode = select('gm-em-mode', [['walk', T.walk], ['drive', T.drive]], 'walk');
    ui.run = G.el('button', {type: 'button', id: 'gm-em-run', 'class': 'gm-em-primary'}, T.run);
    runRow.appendChild(ui.mode); runRow.appendChild(ui.run);
    box.appendChild(runRow);
    ui.plan = G.el('div', {id: 'gm-em-plan'});
    box.appendChild(ui.plan);
    ui.plans = section(box, T.plans, 'gm-em-plans');
    return ui;
  };

  G.legend = function (map, config) {
    var T = config.labels;
    var control = L.control({position: 'bottomright'});
    control.onAdd = function () {
      var div = G.el('div', {'class': 'gm-legend gm-em-legend', id: 'gm-em-legend'});
      div.appendChild(G.el('strong', {}, T.legend_routes));
      var prev = 0;
      config.loadClasses.forEach(function (c, i) {
        var last = i === config.loadClasses.length - 1;
        var row = G.el('div');
        row.appendChild(G.el('span', {'class': 'gm-em-swatch', style: 'background:' + c[1]}));
        row.appendChild(document.createTextNode(last ? '≥ ' + Math.round(prev * 100) + ' %'
          : Math.round(prev * 100) + '–' + Math.round(c[0] * 100) + ' %'));
        div.appendChild(row);
        prev = c[0];
      });
      div.appendChild(G.el('small', {}, T.legend_shelters));
      [['zone', T.zone], ['core', T.core], ['unplaced', T.unplaced]].forEach(function (k) {
        var row = G.el('div');
        row.appendChild(G.el('span', {'class': 'gm-em-swatch', style: 'background:' + config.colors[k[0]]}));
        row.appendChild(document.createTextNode(k[1]));
        div.appendChild(row);
      });
      return div;
    };
    control.addTo(map);
  };

  G.fillHazards = function (list, selected) {
    var T = G.config.labels, node = G.ui.hazards;
    while (node.options.length > 1) { node.remove(1); }
    list.forEach(function (h) {
      var opt = G.el('option', {value: String(h.id)}, h.name + ' · ' +
        (G.config.scenarios[h.scenario] || h.scenario) + ' · ' + (T[h.time_of_day] || h.time_of_day));
      if (h.id === selected) { opt.selected = true; }
      node.appendChild(opt);
    });
  };

  G.showHazard = function (hazard) {
    var T = G.config.labels, box = G.ui.hazardInfo;
    box.textContent = '';
    box.appendChild(G.el('h3', {id: 'gm-em-hazard-name'}, hazard.name));
    box.appendChild(G.el('div', {}, (G.config.scenarios[hazard.scenario] || hazard.scenario) + ' · ' +
      (T[hazard.time_of_day] || hazard.time_of_day)));
  };

  function clearSection(details) {
    while (details.childNodes.length > 1) { details.removeChild(details.lastChild); }
  }

  G.showAffected = function (r) {
    var T = G.config.labels, box = G.ui.affected, t = r.totals;
    clearSection(box);
    box.appendChild(table('gm-em-totals', [T.people, T.people_day, T.people_night, T.enterprises,
      T.key_sites, T.parking_zones, T.shelters_unusable],
      [[t.people, t.people_day, t.people_night, t.enterprises, t.key_sites, t.parking_zones,
        t.shelters_unusable]]));
    var lists = [
      [T.enterprises, 'gm-em-enterprises', [T.col_name, T.people_day, T.people_night, T.in_core],
       r.enterprises.map(function (e) { return [e.name, e.employees_day, e.employees_night, e.in_core ? '✔' : '']; })],
      [T.key_sites, 'gm-em-keysites', [T.col_name, T.code], r.key_sites.map(function (k) { return [k.name, k.code]; })],
      [T.networks, 'gm-em-networks', [T.col_name, T.length_m], r.networks.map(function (n) {
        return [(n.name || n.code) + '（' + (G.config.networkKinds[n.kind] || n.kind) + '）', n.length_in_zone_m];
      })],
      [T.parking_zones, 'gm-em-parking', [T.col_name, T.capacity], r.parking_zones.map(function (p) { return [p.name, p.capacity]; })],
      [T.shelters_unusable, 'gm-em-unusable', [T.col_name, T.capacity], r.shelters_unusable.map(function (s) { return [s.name, s.capacity]; })]
    ];
    lists.forEach(function (l) {
      box.appendChild(G.el('h4', {}, l[0] + ' (' + l[3].length + ')'));
      box.appendChild(l[3].length ? table(l[1], l[2], l[3]) : G.el('p', {'class': 'gm-em-none'}, T.nothing));
    });
  };

  G.showPlan = function (data) {
    var T = G.config.labels, box = G.ui.plan;
    box.textContent = '';
    if (!data) { return; }
    var p = data.plan;
    box.appendChild(G.el('h3', {id: 'gm-em-plan-name'}, p.name));
    box.appendChild(table('gm-em-figures', [T.evacuees, T.unplaced, T.ete90, T.ete100],
      [[p.evacuees, p.unplaced, fmtMin(T, p.ete90_min), fmtMin(T, p.ete100_min)]]));
    var link = G.el('a', {href: '/emergency/plans/' + p.id + '/print' + (G.config.lang === 'en' ? '?lang=en' : ''),
                          id: 'gm-em-print', target: '_blank', rel: 'noopener'}, T.print);
    box.appendChild(link);
    box.appendChild(G.el('h4', {}, T.shelter + ' · ' + T.fill));
    box.appendChild(table('gm-em-shelters', [T.shelter, T.load, T.capacity, T.fill],
      data.shelters.features.filter(function (f) { return f.properties.load > 0; }).map(function (f) {
        var s = f.properties;
        return [s.name, s.load, s.capacity, Math.round(100 * (s.fill || 0)) + ' %'];
      })));
    box.appendChild(G.el('h4', {}, T.schedule));
    box.appendChild(table('gm-em-schedule', [T.col_name, T.shelter, T.people, T.route_m, T.departures],
      data.schedule.map(function (r) {
        return [r.name, r.shelter, r.people, r.route_m, r.groups.map(function (g) {
          return '+' + g.depart_min + ' ' + T.minutes + ' ×' + g.people;
        }).join('，')];
      })));
    if (data.left_behind.length) {
      box.appendChild(G.el('h4', {}, T.left_behind));
      box.appendChild(table('gm-em-left', [T.col_name, T.people, ''], data.left_behind.map(function (u) {
        return [u.name, u.people, T['reason_' + u.reason] || u.reason];
      })));
    }
  };

  G.showPlans = function (plans, current) {
    var T = G.config.labels, box = G.ui.plans;
    clearSection(box);
    if (!plans.length) { box.appendChild(G.el('p', {'class': 'gm-em-none'}, T.none)); return; }
    var t = table('gm-em-compare', [T.col_name, T.mode, T.evacuees, T.unplaced, T.ete90, T.ete100, ''], []);
    plans.forEach(function (p) {
      var r = G.el('tr', {'data-plan': String(p.id)});
      if (p.id === current) { r.className = 'gm-em-current'; }
      [p.name, T[p.mode] || p.mode, p.evacuees, p.unplaced, fmtMin(T, p.ete90_min),
       fmtMin(T, p.ete100_min)].forEach(function (c) { r.appendChild(G.el('td', {}, c)); });
      var cell = G.el('td');
      var open = G.el('button', {type: 'button'}, T.open);
      open.addEventListener('click', function () { G.openPlan(p.id); });
      cell.appendChild(open);
      r.appendChild(cell);
      t.appendChild(r);
    });
    box.appendChild(t);
  };
}());
