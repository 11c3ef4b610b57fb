import { useRef } from 'preact/hooks';
import { api } from '../api';
import { Empty, ErrorBox, Loading, Page, Stat, useLoad } from '../components/common';
import { ago, count, duration } from '../format';
import { streamHref } from '../router';
import type { ProjectionReport, StoredEvent, StreamInfo } from '../types';

interface Totals {
  store: string;
  streams: number;
  events: number;
  head: string;
  lastUpdate: string | null;
  categories: Array<{ category: string; streams: number; events: number }>;
  recent: StoredEvent[];
  projections: ProjectionReport[] | null;
}

/** The store at a glance: events, streams by category, append rate, projection health. */
async function loadTotals(signal: AbortSignal): Promise<Totals> {
  const ready = await api<{ store: string }>('/ready', { signal }).catch(() => ({ store: 'unavailable' }));
  const streams: StreamInfo[] = [];
  for (let after: string | null | undefined; after !== null; ) {
    const page = await api<{ streams: StreamInfo[]; next: string | null }>(`/streams?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`, { signal });
    streams.push(...page.streams);
    after = page.next;
  }
  const byCategory = new Map<string, { streams: number; events: number }>();
  let head = 0n;
  let lastUpdate: string | null = null;
  for (const s of streams) {
    const c = byCategory.get(s.category) ?? { streams: 0, events: 0 };
    c.streams++;
    c.events += s.version;
    byCategory.set(s.category, c);
    if (BigInt(s.position) > head) head = BigInt(s.position);
    if (lastUpdate === null || s.updatedAt > lastUpdate) lastUpdate = s.updatedAt;
  }
  const after = head > 8n ? head - 8n : 0n;
  const recent = (await api<{ events: StoredEvent[] }>(`/events?after=${after}&limit=8`, { signal })).events.reverse();
  const projections = await api<{ projections: ProjectionReport[] }>('/projections', { signal }).then((r) => r.projections, () => null);
  return {
    store: ready.store,
    streams: streams.length,
    events: streams.reduce((n, s) => n + s.version, 0),
    head: head.toString(),
    lastUpdate,
    categories: [...byCategory].map(([category, v]) => ({ category, ...v })).sort((a, b) => b.events - a.events),
    recent,
    projections,
  };
}

export function OverviewPage() {
  const { data, error, loading, reload } = useLoad(loadTotals, [], 5000);
  // Append rate: the change in the event count between polls (the count includes every writer).
  const previous = useRef<{ events: number; at: number } | null>(null);
  const rate = useRef<number | null>(null);
  if (data) {
    const now = Date.now();
    const p = previous.current;
    if (p && p.events !== data.events && now > p.at) rate.current = ((data.events - p.events) / (now - p.at)) * 60_000;
    else if (p && now - p.at > 4000) rate.current = 0;
    if (!p || p.events !== data.events || now - p.at > 4000) previous.current = { events: data.events, at: now };
  }

  return (
    <Page title="Overview">
      {error ? <ErrorBox error={error} onRetry={reload} /> : null}
      {!data && loading ? <Loading what="the store" /> : null}
      {data ? (
        <>
          <div class="stats">
            <Stat label="events" value={count(data.events)} hint={`head position ${data.head}`} />
            <Stat label="streams" value={count(data.streams)} hint={`${data.categories.length} categories`} />
            <Stat label="appends / min" value={rate.current === null ? '…' : count(Math.round(rate.current))} hint="measured while this page is open" />
            <Stat label="store" value={data.store} hint={`last write ${ago(data.lastUpdate)}`} />
          </div>
          <div class="columns">
            <section aria-labelledby="cat-h">
              <h2 id="cat-h">Categories</h2>
              {data.categories.length === 0 ? (
                <Empty>No streams yet. Append an event and it shows up here.</Empty>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">category</th>
                      <th scope="col" class="num">streams</th>
                      <th scope="col" class="num">events</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.categories.map((c) => (
                      <tr key={c.category}>
                        <td>
                          <a href={`#/streams?category=${encodeURIComponent(c.category)}`}>{c.category}</a>
                        </td>
                        <td class="num">{count(c.streams)}</td>
                        <td class="num">{count(c.events)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section aria-labelledby="proj-h">
              <h2 id="proj-h">Projections</h2>
              {data.projections === null ? (
                <Empty>This server does not report projections.</Empty>
              ) : data.projections.length === 0 ? (
                <Empty>No projections have run on this store.</Empty>
              ) : (
                <ul class="health">
                  {data.projections.map((p) => (
                    <li key={`${p.name}#${p.generation}`}>
                      <span class={`dot ${p.deadLetters > 0 ? 'bad' : p.eventsBehind > 0 || p.status === 'building' ? 'warn' : 'ok'}`} aria-hidden="true" />
                      <a href="#/projections">{p.name}</a> <span class="muted">g{p.generation} {p.status}{p.paused ? ', paused' : ''}</span>
                      <span class="right">
                        {p.eventsBehind === 0 ? 'caught up' : `${count(p.eventsBehind)} behind (${duration(p.secondsBehind)})`}
                        {p.deadLetters > 0 ? <a href="#/dead-letters"> · {p.deadLetters} dead letters</a> : null}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              <h2>Latest events</h2>
              {data.recent.length === 0 ? (
                <Empty>The log is empty.</Empty>
              ) : (
                <ul class="recent">
                  {data.recent.map((e) => (
                    <li key={e.position}>
                      <span class="pos">#{e.position}</span> <a href={streamHref(e.streamId)}>{e.streamId}</a> <span class="type">{e.type}</span> <span class="muted">{ago(e.recordedAt)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </>
      ) : null}
    </Page>
  );
}
