/** Numbers for humans: thousands separators, a sensible number of decimals, '—' for nothing. */
export function fmtRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en-US');
}

export function fmtMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function fmtRatio(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(2);
}

export function fmtValue(value: number | undefined, unit: string): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (unit === 'MB') return `${value.toFixed(1)} MB`;
  if (unit.startsWith('ms')) return `${fmtMs(value)} ${unit}`;
  return `${fmtRate(value)} ${unit}`;
}
