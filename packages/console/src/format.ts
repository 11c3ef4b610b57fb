export function money(cents: number, currency = 'EUR'): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(cents / 100);
}

export function count(n: number): string {
  return n.toLocaleString('en-GB');
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

export function day(iso: string): string {
  return iso.slice(0, 10);
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  const days = Math.round(s / 86_400);
  return days === 1 ? 'a day ago' : `${days} days ago`;
}

export function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** The short line a table shows for an event's data. */
export function summarize(data: unknown): string {
  if (data === null || typeof data !== 'object') return JSON.stringify(data);
  const d = data as Record<string, unknown>;
  if (typeof d.amountCents === 'number') return `${money(d.amountCents)}${d.note ? ` · ${String(d.note)}` : ''}`;
  const text = JSON.stringify(data);
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}
