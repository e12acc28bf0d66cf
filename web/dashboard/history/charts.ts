import uPlot from 'uplot';
import { element } from '../../shared/dom.js';
import { formatCount } from '../../shared/format.js';
import { formatClock, formatDayShort } from './time-words.js';
import { WORDS } from './words.js';

export interface ChartSpec {
  /** Visible title, also what the summary under the chart starts with. */
  title: string;
  /** Epoch ms. */
  x: number[];
  y: number[];
  kind: 'line' | 'bars';
  /** How x values are named in the summary and axis: a time of day or a date. */
  xIs: 'time' | 'day';
  /** CSS variable holding the series colour. */
  color: string;
}

/**
 * A chart drawn by uPlot (a small, fast canvas chart for time series) inside a <figure>,
 * with its title as caption and a sentence naming the highest point, so that nothing is
 * said only by the picture. Follows the page's theme and the width of its container.
 */
export class Chart {
  readonly figure: HTMLElement;
  private plot: uPlot | undefined;
  private readonly host: HTMLDivElement;
  private readonly resize: ResizeObserver;
  private readonly themeWatch: MutationObserver;

  constructor(private readonly spec: ChartSpec) {
    this.figure = element('figure', { className: 'chart' });
    const caption = element('figcaption', { className: 'chart-title', text: spec.title });
    this.host = element('div', { className: 'chart-canvas' });
    this.host.setAttribute('aria-hidden', 'true');
    const summary = element('p', { className: 'chart-summary', text: summarise(spec) });
    this.figure.append(caption, this.host, summary);
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.host);
    // Colours come from the theme's CSS variables: a theme change redraws.
    this.themeWatch = new MutationObserver(() => this.draw(true));
    this.themeWatch.observe(document.documentElement, { attributeFilter: ['data-theme'] });
  }

  destroy(): void {
    this.resize.disconnect();
    this.themeWatch.disconnect();
    this.plot?.destroy();
  }

  private draw(rebuild = false): void {
    const width = Math.floor(this.host.clientWidth);
    if (width < 50) return;
    const height = Math.max(160, Math.min(240, Math.round(width * 0.32)));
    if (this.plot && !rebuild) {
      if (this.plot.width !== width) this.plot.setSize({ width, height });
      return;
    }
    this.plot?.destroy();
    this.plot = new uPlot(this.options(width, height), [this.spec.x, this.spec.y], this.host);
  }

  private options(width: number, height: number): uPlot.Options {
    const style = getComputedStyle(document.documentElement);
    const css = (name: string) => style.getPropertyValue(name).trim();
    const color = css(this.spec.color) || css('--accent');
    const text = css('--muted');
    const grid = css('--border');
    const font = `12px ${style.fontFamily}`;
    const { kind, xIs, x } = this.spec;
    const half = x.length > 1 ? (x[1]! - x[0]!) / 2 : 30_000;
    const axis = { stroke: text, font, grid: { stroke: grid, width: 1 }, ticks: { show: false } };
    return {
      width,
      height,
      ms: 1,
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false }, points: { show: kind === 'line' } },
      padding: [10, 28, 0, 0],
      scales: {
        // Bars stand on their time: half a step of room on each side keeps the first and
        // last whole.
        x:
          kind === 'bars'
            ? { time: true, range: (_u, min, max) => [min - half, max + half] }
            : { time: true },
        y: { range: (_u, _min, max) => [0, niceMax(max)] },
      },
      axes: [
        {
          ...axis,
          space: 80,
          values: (_u, splits) =>
            splits.map((t) => (xIs === 'day' ? formatDayShort(t) : formatClock(t))),
        },
        { ...axis, size: 56, values: (_u, splits) => splits.map((v) => formatCount(v)) },
      ],
      series: [
        {},
        kind === 'bars'
          ? {
              stroke: color,
              fill: color,
              width: 0,
              paths: uPlot.paths.bars!({ size: [0.7, 40], align: 0 }),
              points: { show: false },
            }
          : { stroke: color, width: 2, fill: `${color}22`, points: { show: false } },
      ],
    };
  }
}

function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.1) / step) * step;
}

function summarise(spec: ChartSpec): string {
  let best = -1;
  spec.y.forEach((v, i) => {
    if (best < 0 || v > spec.y[best]!) best = i;
  });
  const max = best >= 0 ? spec.y[best]! : 0;
  const x = spec.x[best];
  const at = x === undefined ? '' : spec.xIs === 'day' ? formatDayShort(x) : formatClock(x);
  return WORDS.broadcast.chartSummary(spec.title, max, at);
}
