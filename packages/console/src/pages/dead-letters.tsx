import { useState } from 'preact/hooks';
import { api, post, qs } from '../api';
import { Empty, ErrorBox, Loading, Page, useLoad } from '../components/common';
import { dateTime } from '../format';
import { streamHref } from '../router';
import type { DeadLetter } from '../types';

const STATUSES = ['parked', 'replay-requested', 'replayed', 'skipped', ''] as const;

/** Events a projection gave up on, parked so it could go on: replay (after a fix) or skip. */
export function DeadLettersPage() {
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('parked');
  const { data, error, loading, reload } = useLoad((signal) => api<{ deadLetters: DeadLetter[] }>(`/dead-letters${qs({ status })}`, { signal }), [status], 3000);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const act = async (letter: DeadLetter, action: 'replay' | 'skip') => {
    try {
      const r = await post<DeadLetter>(`/dead-letters/${letter.id}/${action}`);
      setMessage({ ok: true, text: `${letter.type} at position ${letter.position} (${letter.projection}): ${r.status}.` });
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    }
    reload();
  };
  return (
    <Page title="Dead letters">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as (typeof STATUSES)[number])}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
      </form>
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status" data-testid="dead-letter-message">
          {message.text}
        </p>
      ) : null}
      {error ? <ErrorBox error={error} onRetry={reload} /> : null}
      {loading && !data ? <Loading what="dead letters" /> : null}
      {data ? (
        data.deadLetters.length === 0 ? (
          <Empty>{status === 'parked' ? 'No parked events: every projection handled everything it was given.' : 'None.'}</Empty>
        ) : (
          <table class="letters">
            <thead>
              <tr>
                <th scope="col">projection</th>
                <th scope="col">event</th>
                <th scope="col">error</th>
                <th scope="col">status</th>
                <th scope="col">actions</th>
              </tr>
            </thead>
            <tbody>
              {data.deadLetters.map((l) => (
                <tr key={l.id} data-testid="dead-letter">
                  <td>
                    {l.projection} <span class="muted">g{l.generation}</span>
                  </td>
                  <td>
                    <span class="type">{l.type}</span> at #{l.position}
                    <br />
                    <a href={streamHref(l.streamId)}>{l.streamId}</a>
                    <br />
                    <span class="muted">{dateTime(l.createdAt)}, {l.attempts} attempts</span>
                  </td>
                  <td>
                    <details>
                      <summary>{l.error.split('\n')[0]}</summary>
                      <pre>{l.error}</pre>
                    </details>
                  </td>
                  <td>
                    <span class={`badge ${l.status}`}>{l.status}</span>
                  </td>
                  <td class="buttons">
                    {l.status === 'parked' ? (
                      <>
                        <button type="button" onClick={() => act(l, 'replay')} aria-label={`Replay ${l.type} at ${l.position}`}>
                          Replay
                        </button>
                        <button type="button" class="secondary" onClick={() => act(l, 'skip')} aria-label={`Skip ${l.type} at ${l.position}`}>
                          Skip
                        </button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </Page>
  );
}
