'use strict';
// plotly.js's src/core.js (v4.1.1) registering only what OVP Assess's charts use: the
// scatter, bar, heatmap and scatterpolar traces (reports/charts.py, reports/comparison.py),
// and of the components annotations, shapes and legend (trend charts), colorscale and
// colorbar (heatmap), hover (fx), and those the plot code calls directly. Not registered:
// updatemenus, sliders, range sliders and selectors, images, 3-D annotations; and not
// exported: Snapshot, PlotSchema, Icons, Plots (our pages call only Plotly.newPlot).
exports.version = require('plotly.js/src/version').version;
require('native-promise-only');
require('plotly.js/build/plotcss');

var Registry = require('plotly.js/src/registry');
var register = exports.register = Registry.register;

var plotApi = require('plotly.js/src/plot_api');
Object.keys(plotApi).forEach(function(name) {
    if(name.charAt(0) !== '_') exports[name] = plotApi[name];
    register({moduleType: 'apiMethod', name: name, fn: plotApi[name]});
});

register(require('plotly.js/src/traces/scatter'));
register([
    require('plotly.js/src/components/annotations'),
    require('plotly.js/src/components/selections'),
    require('plotly.js/src/components/shapes'),
    require('plotly.js/src/components/grid'),
    require('plotly.js/src/components/errorbars'),
    require('plotly.js/src/components/colorscale'),
    require('plotly.js/src/components/colorbar'),
    // legend after shapes, fx after legend: their defaults depend on them (as in core.js)
    require('plotly.js/src/components/legend'),
    require('plotly.js/src/components/fx'),
    require('plotly.js/src/components/modebar')
]);
register([require('plotly.js/src/locale-en'), require('plotly.js/src/locale-en-us')]);
register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/scatterpolar')
]);
