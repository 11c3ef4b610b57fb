import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Empty, ErrorBox, Loading, Page, useLoad } from '../components/common';
import { JsonView } from '../components/json-view';
import { dateTime, summarize } from '../format';
import type { StoredEvent } from '../types';

const PAGE = 100;

interface StreamPage {
  streamId: string;
  version: number;
  events: StoredEvent[];
  next: number | null;
}

/** One stream: its events, page by page, each with its JSON; a slider shows the stream as of a version. */
export function StreamPage({ streamId }: { streamId: string }) {
  const [from, setFrom] = useState(1);
  const { data, error, loading, reload } = useLoad((signal) => api<StreamPage>(`/streams/${encodeURIComponent(streamId)}?from=${from}&limit=${PAGE}`, { signal }), [streamId, from]);
  const [asOf, setAsOf] = useState<number | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => setAsOf(null), [streamId]);
  const isAccount = streamId.startsWith('account-');
  const version = data?.version ?? 0;
  const shownUpTo = asOf ?? version;
  const events = (data?.events ?? []).filter((e) => e.version <= shownUpTo);
  const last = events.at(-1);

  return (
    <Page
      title={<span class="mono">{streamId}</span>}
      actions={isAccount ? <a class="button" href={`#/accounts/${encodeURIComponent(streamId.slice('account-'.length))}`}>Time travel this account →</a> : null}
    >
      {error ? <ErrorBox error={error} onRetry={reload} /> : null}
      {loading && !data ? <Loading what="the stream" /> : null}
      {data ? (
        <>
          <p class="muted">
            {version} events · showing versions {data.events[0]?.version ?? 0}–{data.events.at(-1)?.version ?? 0}
          </p>
          {version > 1 ? (
            <div class="slider">
              <label for="as-of">As of version {shownUpTo}</label>
              <input id="as-of" type="range" min={1} max={version} value={shownUpTo} onInput={(e) => setAsOf(Number((e.target as HTMLInputElement).value))} />
              <span class="muted">{last ? dateTime(last.recordedAt) : shownUpTo > (data.events.at(-1)?.version ?? 0) ? 'on a later page' : ''}</span>
            </div>
          ) : null}
          {events.length === 0 ? (
            <Empty>{version === 0 ? 'This stream is empty.' : 'No events of this page up to that version.'}</Empty>
          ) : (
            <table class="events">
              <thead>
                <tr>
                  <th scope="col" class="num">v</th>
                  <th scope="col" class="num">position</th>
                  <th scope="col">type</th>
                  <th scope="col">recorded</th>
                  <th scope="col">data</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <Fragment key={e.version}>
                    <tr class={open === e.version ? 'open' : ''}>
                      <td class="num">{e.version}</td>
                      <td class="num">{e.position}</td>
                      <td>
                        <button type="button" class="link" aria-expanded={open === e.version} onClick={() => setOpen(open === e.version ? null : e.version)}>
                          {e.type}
                        </button>
                      </td>
                      <td>{dateTime(e.recordedAt)}</td>
                      <td class="clip">{summarize(e.data)}</td>
                    </tr>
                    {open === e.version ? (
                      <tr class="detail">
                        <td colSpan={5}>
                          <JsonView value={e} label={`Event ${e.version}`} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          )}
          <div class="pager">
            <button type="button" disabled={from <= 1} onClick={() => setFrom(Math.max(1, from - PAGE))}>
              ← Earlier
            </button>
            <button type="button" disabled={data.next === null} onClick={() => data.next !== null && setFrom(data.next)}>
              Later →
            </button>
          </div>
        </>
      ) : null}
    </Page>
  );
}
