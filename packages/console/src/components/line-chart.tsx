/** A small inline-SVG line chart: no chart library for a few dozen points. */
export interface Series {
  name: string;
  color: string;
  points: Array<{ x: number; y: number }>;
}

export function LineChart({ series, height = 180, label, yFormat = (v: number) => String(Math.round(v)), xLabels }: { series: Series[]; height?: number; label: string; yFormat?: (v: number) => string; xLabels?: [string, string] }) {
  const width = 1000;
  const pad = { l: 80, r: 8, t: 10, b: 22 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return <p class="empty">No samples yet.</p>;
  const xs = all.map((p) => p.x);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs, minX + 1);
  const maxY = Math.max(1, ...all.map((p) => p.y));
  const sx = (x: number) => pad.l + ((x - minX) / (maxX - minX)) * (width - pad.l - pad.r);
  const sy = (y: number) => pad.t + (1 - y / maxY) * (height - pad.t - pad.b);
  const span = Math.round((maxX - minX) / 1000);
  const [fromLabel, toLabel] = xLabels ?? [span >= 120 ? `${Math.round(span / 60)} min ago` : `${span} s ago`, 'now'];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <line x1={pad.l} y1={sy(0)} x2={width - pad.r} y2={sy(0)} class="axis" />
        <line x1={pad.l} y1={pad.t} x2={pad.l} y2={sy(0)} class="axis" />
        <text x={pad.l - 6} y={pad.t + 8} class="tick" text-anchor="end">
          {yFormat(maxY)}
        </text>
        <text x={pad.l - 6} y={sy(0)} class="tick" text-anchor="end">
          0
        </text>
        <text x={width - pad.r} y={height - 4} class="tick" text-anchor="end">
          {toLabel}
        </text>
        <text x={pad.l} y={height - 4} class="tick">
          {fromLabel}
        </text>
        {series.map((s) => (
          <polyline key={s.name} fill="none" stroke={s.color} stroke-width="2" points={s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
      <figcaption class="legend">
        {series.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color }} /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
