import { html } from '../../shared/templates/html';

export interface Series {
  name: string;
  colour: string;
  points: ReadonlyArray<{ x: number; y: number }>;
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 56, right: 36, top: 28, bottom: 44 };

/** A line chart as a standalone SVG: seconds (y) against subscribers (x), one line per series. */
export function lineChart(title: string, series: readonly Series[]): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMax = niceCeiling(Math.max(...xs, 1));
  const yMax = niceCeiling(Math.max(...ys, 1));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (value: number) => MARGIN.left + (value / xMax) * plotWidth;
  const y = (value: number) => MARGIN.top + plotHeight - (value / yMax) * plotHeight;
  const ticks = (max: number) => Array.from({ length: 5 }, (_, i) => (max / 4) * i);
  const grid = ticks(yMax).map(
    (value) =>
      html`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e7eb"/><text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${round(value)}</text>`,
  );
  const xLabels = ticks(xMax).map(
    (value) =>
      html`<text x="${x(value)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${value.toLocaleString('en-US')}</text>`,
  );
  const lines = series.map((s, index) => {
    const points = s.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    const dots = s.points.map((p) => html`<circle cx="${x(p.x)}" cy="${y(p.y)}" r="3" fill="${s.colour}"/>`);
    return html`<polyline points="${points}" fill="none" stroke="${s.colour}" stroke-width="2"/>${dots}<rect x="${MARGIN.left + 8}" y="${MARGIN.top + 6 + index * 18}" width="12" height="3" fill="${s.colour}"/><text x="${MARGIN.left + 26}" y="${MARGIN.top + 11 + index * 18}">${s.name}</text>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12" fill="#111827" role="img"><title>${title}</title><rect width="100%" height="100%" fill="#ffffff"/><text x="${MARGIN.left}" y="18" font-size="14" font-weight="600">${title}</text>${grid}${xLabels}<text x="${WIDTH / 2}" y="${HEIGHT - 8}" text-anchor="middle">subscribers</text><text x="14" y="${HEIGHT / 2}" transform="rotate(-90 14 ${HEIGHT / 2})" text-anchor="middle">seconds</text>${lines}</svg>\n`
    .value;
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value) ?? 10;
  return step * magnitude;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
