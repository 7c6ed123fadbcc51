import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { compact } from '../format';
import { cssVar, useTheme } from '../theme';

// Bar charts over time with uPlot (small, fast, canvas). Stacked charts get cumulative values
// (largest first, so each bar is drawn over the taller one behind it); the legend and the hover
// read-out are plain HTML under the chart.

export interface ChartSeries {
  label: string;
  /** Values per x, as shown (cumulative for stacked charts). */
  values: number[];
  /** The group's own values, for the read-out (defaults to `values`). */
  own?: number[];
  /** A CSS variable name (--c1 …) or a color. */
  color: string;
}

export interface ChartProps {
  /** Unix ms per bucket. */
  xs: number[];
  series: ChartSeries[];
  height?: number;
  /** Bucket width, for the x axis labels. */
  bucket: 'minute' | 'hour' | 'day';
  label: string;
  format?: (v: number) => string;
}

function color(c: string): string {
  return c.startsWith('--') ? cssVar(c) : c;
}

/** For HTML: the variable itself, so it follows the theme without a redraw. */
function cssColor(c: string): string {
  return c.startsWith('--') ? `var(${c})` : c;
}

const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const INTEGER_STEPS = [1, 2, 5].flatMap((m) => Array.from({ length: 10 }, (_, e) => m * 10 ** e)).sort((a, b) => a - b);

function bucketLabel(t: number, bucket: ChartProps['bucket']): string {
  const d = new Date(t);
  if (bucket === 'day') return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
  const hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return bucket === 'hour' ? `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${hm}` : hm;
}

export function BarChart({ xs, series, height = 220, bucket, label, format = compact }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const { resolved } = useTheme();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = cssVar('--muted');
    const grid = cssVar('--grid');
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        // Half a bucket of room on each side, so the first and last bars are whole.
        x: { time: true, range: (_u, min, max) => [min - BUCKET_MS[bucket] / 2000, max + BUCKET_MS[bucket] / 2000] },
        y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
      },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, font: '11px system-ui, sans-serif' },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { show: false },
          // Counts: whole-number ticks only.
          incrs: INTEGER_STEPS,
          size: 48,
          font: '11px system-ui, sans-serif',
          values: (_u, vals) => vals.map((v) => format(v)),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: color(s.color),
          fill: color(s.color),
          width: 0,
          points: { show: false },
          paths: uPlot.paths.bars?.({ size: [0.72, 48], gap: 1 }),
        })),
      ],
      hooks: {
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
      },
    };
    const data: uPlot.AlignedData = [xs.map((t) => t / 1000), ...series.map((s) => s.values)];
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [xs, series, height, resolved, format, bucket]);

  const idx = hover ?? (xs.length > 0 ? xs.length - 1 : null);
  return (
    <figure className="chart">
      <div ref={box} className="chart-canvas" role="img" aria-label={label} />
      <figcaption className="chart-legend">
        {idx !== null && xs[idx] !== undefined && <span className="chart-when">{bucketLabel(xs[idx], bucket)}</span>}
        {series.map((s) => (
          <span key={s.label} className="legend-item">
            <i style={{ background: cssColor(s.color) }} aria-hidden="true" />
            {s.label}
            {idx !== null && <b>{format((s.own ?? s.values)[idx] ?? 0)}</b>}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
