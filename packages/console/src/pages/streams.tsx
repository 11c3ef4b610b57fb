import { useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Empty, ErrorBox, Loading, Page, useLoad } from '../components/common';
import { ago, count } from '../format';
import { href, navigate, type Route, streamHref } from '../router';
import type { StoredEvent, StreamInfo } from '../types';

const PAGE = 50;
/** Searching by event type scans the global log; this many pages at most per search. */
const TYPE_SCAN_PAGES = 30;

interface Found {
  streams: Array<StreamInfo | { streamId: string; category: string; lastType: string; lastPosition: string; updatedAt: string }>;
  next: string | null;
  note?: string;
}

async function search(route: Route, signal: AbortSignal): Promise<Found> {
  const prefix = route.query.get('prefix') ?? '';
  const category = route.query.get('category') ?? '';
  const type = route.query.get('type') ?? '';
  const after = route.query.get('after') ?? '';
  if (!type) {
    const page = await api<{ streams: StreamInfo[]; next: string | null }>(`/streams${qs({ prefix, category, after, limit: PAGE })}`, { signal });
    return page;
  }
  // Streams that hold events of a type: read the log filtered by type (and category).
  const found = new Map<string, { streamId: string; category: string; lastType: string; lastPosition: string; updatedAt: string }>();
  let from = '0';
  let pages = 0;
  let more = true;
  while (more && pages < TYPE_SCAN_PAGES && found.size < 500) {
    const page = await api<{ events: StoredEvent[]; next: string; hasMore: boolean }>(`/events${qs({ after: from, types: type, categories: category, limit: 1000 })}`, { signal });
    for (const e of page.events) {
      if (prefix && !e.streamId.startsWith(prefix)) continue;
      found.set(e.streamId, { streamId: e.streamId, category: e.streamId.split('-')[0] ?? '', lastType: e.type, lastPosition: e.position, updatedAt: e.recordedAt });
    }
    from = page.next;
    more = page.hasMore;
    pages++;
  }
  return { streams: [...found.values()].sort((a, b) => (a.streamId < b.streamId ? -1 : 1)), next: null, ...(more ? { note: `Showing streams found in the first ${count(pages * 1000)} events of that type.` } : {}) };
}

export function StreamsPage({ route }: { route: Route }) {
  const [form, setForm] = useState({ prefix: route.query.get('prefix') ?? '', category: route.query.get('category') ?? '', type: route.query.get('type') ?? '' });
  const { data, error, loading, reload } = useLoad((signal) => search(route, signal), [route.query.toString()]);
  const submit = (e: Event) => {
    e.preventDefault();
    navigate(href('/streams', form));
  };
  const field = (name: keyof typeof form, label: string, placeholder: string) => (
    <label>
      {label}
      <input name={name} value={form[name]} placeholder={placeholder} onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  return (
    <Page title="Streams">
      <form class="filters" onSubmit={submit} role="search" aria-label="Find streams">
        {field('prefix', 'Id starts with', 'account-10')}
        {field('category', 'Category', 'account')}
        {field('type', 'Has event type', 'AccountClosed')}
        <button type="submit">Search</button>
        {route.query.toString() ? (
          <a class="button secondary" href="#/streams" onClick={() => setForm({ prefix: '', category: '', type: '' })}>
            Clear
          </a>
        ) : null}
      </form>
      {error ? <ErrorBox error={error} onRetry={reload} /> : null}
      {loading && !data ? <Loading what="streams" /> : null}
      {data ? (
        data.streams.length === 0 ? (
          <Empty>No streams match. Try a shorter prefix, or clear the filters.</Empty>
        ) : (
          <>
            {data.note ? <p class="muted">{data.note}</p> : null}
            <table class="streams">
              <thead>
                <tr>
                  <th scope="col">stream</th>
                  <th scope="col">category</th>
                  <th scope="col" class="num">version</th>
                  <th scope="col" class="num">last position</th>
                  <th scope="col">last write</th>
                </tr>
              </thead>
              <tbody>
                {data.streams.map((s) => (
                  <tr key={s.streamId}>
                    <td>
                      <a href={streamHref(s.streamId)}>{s.streamId}</a>
                    </td>
                    <td>{s.category}</td>
                    <td class="num">{'version' in s ? count(s.version) : '—'}</td>
                    <td class="num">{'position' in s ? s.position : s.lastPosition}</td>
                    <td>{ago(s.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data.next ? (
              <p>
                <a class="button" href={href('/streams', { prefix: form.prefix, category: form.category, after: data.next })}>
                  Next page →
                </a>
              </p>
            ) : null}
          </>
        )
      ) : null}
    </Page>
  );
}
