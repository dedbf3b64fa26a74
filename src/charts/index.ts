export { renderBarChart, layoutBarChart, BarChartSchema, type BarChartInput, type BarChartLayout } from './bar-chart.js';
export { Raster, crc32, type Rgb } from './png.js';
export { drawText, textWidth } from './font.js';
