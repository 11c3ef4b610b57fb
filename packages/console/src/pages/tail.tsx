import { useEffect, useRef, useState } from 'preact/hooks';
import { Empty, Page } from '../components/common';
import { JsonView } from '../components/json-view';
import { dateTime, summarize } from '../format';
import { streamHref } from '../router';
import { follow } from '../sse';
import type { StoredEvent } from '../types';

const KEEP = 200;

/** The global log as it is written, over Server-Sent Events (`GET /subscribe?after=end`). */
export function TailPage() {
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [status, setStatus] = useState<{ state: 'connecting' | 'live' | 'error'; detail?: string }>({ state: 'connecting' });
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const pausedRef = useRef(false);
  pausedRef.current = paused;
  const buffer = useRef<StoredEvent[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    follow({
      after: 'end',
      signal: controller.signal,
      onStatus: (state, detail) => setStatus({ state, ...(detail ? { detail } : {}) }),
      onEvent: (e) => {
        buffer.current.push(e);
      },
    });
    // Render in small batches: a burst of thousands of events must not re-render thousands of times.
    const timer = setInterval(() => {
      if (pausedRef.current || buffer.current.length === 0) return;
      const fresh = buffer.current.splice(0);
      setEvents((old) => [...fresh.reverse(), ...old].slice(0, KEEP));
    }, 150);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, []);

  const shown = filter ? events.filter((e) => e.streamId.includes(filter) || e.type.includes(filter)) : events;
  return (
    <Page
      title="Live tail"
      actions={
        <>
          <span class={`live ${status.state}`} role="status" data-testid="tail-status">
            {status.state === 'live' ? '● live' : status.state === 'connecting' ? 'connecting…' : `disconnected: ${status.detail ?? ''}`}
          </span>
          <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" class="secondary" onClick={() => setEvents([])}>
            Clear
          </button>
        </>
      }
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Filter by stream or type
          <input value={filter} placeholder="account-1001, MoneyDeposited" onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        </label>
      </form>
      {shown.length === 0 ? (
        <Empty>Waiting for new events… Append one (a deposit on an account page, or POST /streams/:id) and it appears here at once.</Empty>
      ) : (
        <table class="events" aria-live="polite" aria-relevant="additions">
          <thead>
            <tr>
              <th scope="col" class="num">position</th>
              <th scope="col">stream</th>
              <th scope="col" class="num">v</th>
              <th scope="col">type</th>
              <th scope="col">recorded</th>
              <th scope="col">data</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.position} data-testid="tail-row">
                <td class="num">{e.position}</td>
                <td>
                  <a href={streamHref(e.streamId)}>{e.streamId}</a>
                </td>
                <td class="num">{e.version}</td>
                <td>
                  <button type="button" class="link" aria-expanded={open === e.position} onClick={() => setOpen(open === e.position ? null : e.position)}>
                    {e.type}
                  </button>
                  {open === e.position ? <JsonView value={e} /> : null}
                </td>
                <td>{dateTime(e.recordedAt)}</td>
                <td class="clip">{summarize(e.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
