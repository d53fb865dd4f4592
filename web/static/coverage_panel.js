/* gridmap coverage map, the side panel and the legend: community, month (closed months
   labelled), member filter, the selected grid and its route, the unvisited enterprises
   (click to fly there) and the month's reports. Texts from the data go in with textContent. */
(function () {
  'use strict';
  var C = window.gridmapCoverage;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function labelled(text, control) {
    var label = el('label', {}, text);
    label.appendChild(control);
    return label;
  }

  C.buildPanel = function (map, config, state) {
    var T = config.labels;
    var box = el('div', {'class': 'gm-panel gm-coverage', id: 'gm-coverage'});
    var control = L.control({position: 'topleft'});
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    box.appendChild(el('h2', {}, T.legend_grids));

    var community = el('select', {id: 'gm-coverage-community'});
    config.communities.forEach(function (c) {
      var o = el('option', {value: c.code}, c.name);
      if (c.code === state.community) { o.selected = true; }
      community.appendChild(o);
    });
    community.addEventListener('change', function () {
      state.community = community.value;
      C.loadCommunity();
    });
    box.appendChild(labelled(T.community, community));

    var monthRow = el('div', {'class': 'gm-coverage-month'});
    var month = el('select', {id: 'gm-coverage-month'});
    config.months.forEach(function (m) { month.appendChild(el('option', {value: m}, m)); });
    month.addEventListener('change', function () {
      state.month = month.value;
      C.loadMonth();
    });
    var closedBadge = el('span', {id: 'gm-coverage-closed', 'class': 'gm-badge'});
    monthRow.appendChild(labelled(T.month, month));
    monthRow.appendChild(closedBadge);
    box.appendChild(monthRow);

    var member = el('select', {id: 'gm-coverage-member'});
    member.addEventListener('change', function () {
      state.member = member.value;
      C.loadEnterprises().catch(function () { say(T.failed, 'bad'); });
    });
    box.appendChild(labelled(T.member, member));

    var status = el('p', {id: 'gm-coverage-status', 'class': 'gm-panel-status', role: 'status'});
    box.appendChild(status);

    var gridBox = el('div', {'class': 'gm-coverage-grid'});
    var selected = el('p', {id: 'gm-coverage-selected'}, T.route_pick);
    var routeBtn = el('button', {type: 'button', id: 'gm-coverage-route', disabled: 'disabled'},
                      T.route);
    routeBtn.addEventListener('click', function () { C.route(); });
    var routeInfo = el('p', {id: 'gm-coverage-route-info', 'class': 'gm-summary'});
    var stops = el('ol', {id: 'gm-coverage-stops', 'class': 'gm-coverage-stops'});
    [selected, routeBtn, routeInfo, stops].forEach(function (n) { gridBox.appendChild(n); });
    box.appendChild(gridBox);

    var unvisitedHead = el('h3', {}, T.unvisited);
    var count = el('span', {'class': 'gm-count', id: 'gm-coverage-unvisited-count'}, '0');
    unvisitedHead.appendChild(count);
    box.appendChild(unvisitedHead);
    var list = el('ul', {id: 'gm-coverage-unvisited'});
    box.appendChild(list);

    var reports = el('p', {'class': 'gm-coverage-reports'});
    reports.appendChild(el('span', {}, T.reports + '：'));
    var xlsx = el('a', {id: 'gm-coverage-xlsx'}, T.xlsx);
    var csv = el('a', {id: 'gm-coverage-csv'}, T.csv);
    reports.appendChild(xlsx);
    reports.appendChild(csv);
    box.appendChild(reports);

    function say(text, kind) {
      status.textContent = text || '';
      status.hidden = !text;
      status.className = 'gm-panel-status' + (kind ? ' gm-' + kind : '');
    }

    function clearRoute() {
      routeInfo.textContent = '';
      stops.textContent = '';
    }

    return {
      status: say,
      month: function (value, closed) {
        month.value = value;
        var option = month.querySelector('option[value="' + value + '"]');
        if (option) { option.textContent = value + (closed ? '（' + T.closed + '）' : ''); }
        closedBadge.textContent = closed ? T.closed : T.open;
        closedBadge.className = 'gm-badge ' + (closed ? 'gm-closed' : 'gm-open');
        xlsx.href = '/api/reports/coverage.xlsx?month=' + encodeURIComponent(value);
        csv.href = '/api/reports/coverage.csv?month=' + encodeURIComponent(value);
        clearRoute();
      },
      members: function (items) {
        var keep = state.member;
        member.textContent = '';
        member.appendChild(el('option', {value: ''}, T.all_members));
        items.forEach(function (m) {
          var pct = m.total ? ' · ' + Math.round(m.percent) + ' %' : '';
          member.appendChild(el('option', {value: m.code}, (m.name || m.code) + pct));
        });
        var still = items.some(function (m) { return m.code === keep; });
        state.member = still ? keep : '';
        member.value = state.member;
      },
      selectGrid: function (item) {
        clearRoute();
        selected.textContent = item ? T.selected + '：' + item.name : T.route_pick;
        if (item) { routeBtn.removeAttribute('disabled'); } else { routeBtn.setAttribute('disabled', 'disabled'); }
      },
      route: function (data) {
        clearRoute();
        var n = (data.stops || []).length;
        routeInfo.textContent = n ? C.fmt(T.route_length, {stops: n,
          km: ((data.length_m || 0) / 1000).toFixed(1)}) : T.route_none;
        (data.stops || []).forEach(function (s) { stops.appendChild(el('li', {}, s.name)); });
      },
      unvisited: function (items) {
        list.textContent = '';
        count.textContent = String(items.length);
        if (!items.length) { list.appendChild(el('li', {'class': 'gm-empty'}, T.unvisited_none)); }
        items.forEach(function (item) {
          var li = el('li', {tabindex: '0', 'data-uscc': item.uscc}, item.name);
          var days = item.days_since_last_visit;
          li.appendChild(el('small', {}, (item.grid_code || '') + ' · ' + (days === null ||
            days === undefined ? T.never : C.fmt(T.days_ago, {days: days}))));
          li.addEventListener('click', function () { C.flyTo(item); });
          li.addEventListener('keydown', function (e) { if (e.key === 'Enter') { C.flyTo(item); } });
          list.appendChild(li);
        });
      }
    };
  };

  C.legend = function (map, config) {
    var T = config.labels;
    var control = L.control({position: 'bottomright'});
    control.onAdd = function () {
      var div = el('div', {'class': 'gm-legend gm-coverage-legend', id: 'gm-coverage-legend'});
      div.appendChild(el('strong', {}, T.legend_grids));
      var lower = 0;
      var rows = config.classes.map(function (c) {
        var row = [c[1], lower + '–' + c[0] + ' %'];
        lower = c[0];
        return row;
      }).reverse();
      rows.push([config.emptyColor, T.no_enterprises]);
      rows.push(null);
      ['verified', 'flagged', 'visited', 'unvisited'].forEach(function (s) {
        rows.push([config.stateColors[s], T['state_' + s], true]);
      });
      rows.forEach(function (row) {
        if (!row) { div.appendChild(el('strong', {}, T.legend_enterprises)); return; }
        var line = el('div');
        var swatch = el('i');
        swatch.style.background = row[0];
        if (row[2]) { swatch.style.borderRadius = '50%'; }
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(row[1]));
        div.appendChild(line);
      });
      return div;
    };
    control.addTo(map);
  };
})();
