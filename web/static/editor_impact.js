/* gridmap grid editor: the impact preview — what an edit moves to another grid, the staffing
   before and after, and the changed areas on the map. Text only through textContent. */
(function () {
  'use strict';
  var E = window.gridmapEditor = window.gridmapEditor || {};
  var COLOR = '#f03e3e';

  /* box: the panel's impact element; impactLayer: a Leaflet group; L_: the page's texts */
  E.impactView = function (impactBox, impactLayer, L_) {
    var el = E.el;
      function list(title, items, text) {
        if (!items || !items.length) return;
        var section = el('div', {'class': 'gm-impact-section', 'data-kind': title});
        section.appendChild(el('h4', {}, L_[title] + ' · ' + items.length));
        var ul = el('ul');
        items.slice(0, 20).forEach(function (item) { ul.appendChild(el('li', {}, text(item))); });
        if (items.length > 20) ul.appendChild(el('li', {}, L_.more.replace('{n}', items.length - 20)));
        section.appendChild(ul);
        impactBox.appendChild(section);
      }

      var TEXTS = {
        enterprises: function (i) { return i.name + '（' + i.uscc + '）：' + (i.from_grid || '—') + ' → ' + (i.to_grid || '—'); },
        microgrids: function (i) { return i.name + '（' + i.code + '）：' + (L_['change_' + i.change] || i.change || '') + (i.to_grid ? ' → ' + i.to_grid : ''); },
        key_sites: function (i) { return i.name + '（' + i.code + '）：' + (i.from_grid || '—') + ' → ' + (i.to_grid || '—'); },
        staff_duties: function (i) { return i.name + '（' + i.staff_no + '）' + i.role + ' · ' + (i.grid || ''); },
        open_problems: function (i) { return i.code + ' ' + i.title + '（' + i.uscc + '）'; }
      };
      TEXTS.parking_zones = TEXTS.key_sites;

      function showImpact(out) {
        impactBox.textContent = '';
        impactLayer.clearLayers();
        var impact = out.impact || {};
        impactBox.appendChild(el('h3', {}, L_.impact));
        var any = false;
        ['enterprises', 'microgrids', 'key_sites', 'parking_zones', 'staff_duties', 'open_problems'].forEach(function (k) {
          if ((impact[k] || []).length) any = true;
          list(k, impact[k], TEXTS[k]);
        });
        if (!any) impactBox.appendChild(el('p', {}, L_.nothing));
        if ((impact.staffing || []).length) {
          impactBox.appendChild(el('h4', {}, L_.staffing));
          var table = el('table', {'class': 'gm-impact-staffing'});
          var head = el('tr');
          ['', L_.before, L_.after].forEach(function (h) { head.appendChild(el('th', {}, h)); });
          table.appendChild(head);
          impact.staffing.forEach(function (s) {
            var row = el('tr');
            row.appendChild(el('td', {}, s.grid || s.code || ''));
            row.appendChild(el('td', {}, summary(s.before)));
            row.appendChild(el('td', {}, summary(s.after)));
            table.appendChild(row);
          });
          impactBox.appendChild(table);
        }
        (impact.notes || []).forEach(function (n) { impactBox.appendChild(el('p', {'class': 'gm-editor-note'}, n)); });
        if (impact.changed_areas && impact.changed_areas.type) {
          L.geoJSON(impact.changed_areas, {style: {color: COLOR, weight: 2, fillColor: COLOR,
                                                   fillOpacity: 0.35}}).addTo(impactLayer);
        }
      }

      function summary(s) {
        if (!s) return '—';
        return s.enterprises + ' ' + L_.enterprises + ' · ' + s.staff + ' ' + L_.staff +
          (s.flags && s.flags.length ? ' · ⚠ ' + s.flags.join('；') : '');
      }

    return {show: showImpact};
  };
})();
