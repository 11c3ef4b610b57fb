import { useEffect, useState } from 'preact/hooks';
import { api, post } from '../api';
import { Empty, ErrorBox, Loading, Page, useLoad } from '../components/common';
import { LineChart, type Series } from '../components/line-chart';
import { count, duration } from '../format';
import type { LagSample, ProjectionReport } from '../types';

const COLORS = ['#2f6fb3', '#c2410c', '#15803d', '#7c3aed', '#be185d', '#0e7490'];

/** Projections: status and lag per generation, lag over time, rebuild with progress, pause/resume. */
export function ProjectionsPage() {
  const status = useLoad((signal) => api<{ projections: ProjectionReport[] }>('/projections', { signal }), [], 1000);
  const lag = useLoad((signal) => api<{ intervalMs: number; samples: LagSample[] }>('/projections/lag', { signal }), [], 5000);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [rebuilding, setRebuilding] = useState<Record<string, number>>({});

  // A rebuild is done when its generation is the live one.
  useEffect(() => {
    for (const [name, generation] of Object.entries(rebuilding)) {
      const live = status.data?.projections.find((p) => p.name === name && p.status === 'live');
      if (live && live.generation >= generation) {
        setMessage({ ok: true, text: `Rebuild of ${name} finished: generation ${generation} is live.` });
        const { [name]: _, ...rest } = rebuilding;
        setRebuilding(rest);
      }
    }
  }, [status.data]);

  const act = async (path: string, done: (r: { generation?: number; paused?: boolean; name: string }) => string) => {
    try {
      const r = await post<{ generation?: number; paused?: boolean; name: string }>(path);
      setMessage({ ok: true, text: done(r) });
      status.reload();
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    }
  };

  const names = [...new Set((status.data?.projections ?? []).map((p) => p.name))];
  const series: Series[] = names.map((name, i) => ({
    name,
    color: COLORS[i % COLORS.length] as string,
    points: (lag.data?.samples ?? []).map((s) => ({ x: Date.parse(s.at), y: s.projections.filter((p) => p.name === name).reduce((max, p) => Math.max(max, p.eventsBehind), 0) })),
  }));

  return (
    <Page title="Projections">
      {status.error ? <ErrorBox error={status.error} onRetry={status.reload} /> : null}
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status" data-testid="projection-message">
          {message.text}
        </p>
      ) : null}
      {!status.data && status.loading ? <Loading what="projections" /> : null}
      {status.data ? (
        status.data.projections.length === 0 ? (
          <Empty>No projections have run on this store yet.</Empty>
        ) : (
          <table class="projections">
            <thead>
              <tr>
                <th scope="col">projection</th>
                <th scope="col" class="num">gen</th>
                <th scope="col">status</th>
                <th scope="col" class="num">checkpoint / head</th>
                <th scope="col" class="num">behind</th>
                <th scope="col" class="num">dead letters</th>
                <th scope="col">actions</th>
              </tr>
            </thead>
            <tbody>
              {status.data.projections.map((p) => (
                <tr key={`${p.name}#${p.generation}`} data-testid={`projection-${p.name}-${p.status}`}>
                  <td>{p.name}</td>
                  <td class="num">{p.generation}</td>
                  <td>
                    <span class={`badge ${p.status}`}>{p.status}</span>
                    {p.paused ? <span class="badge paused">paused</span> : null}
                    {p.status === 'building' ? (
                      <span class="progress">
                        <progress max={1} value={p.progress} aria-label={`Rebuild of ${p.name}`} /> {Math.floor(p.progress * 100)}%
                      </span>
                    ) : null}
                  </td>
                  <td class="num">
                    {p.position} / {p.head}
                  </td>
                  <td class="num">{p.eventsBehind === 0 ? 'caught up' : `${count(p.eventsBehind)} (${duration(p.secondsBehind)})`}</td>
                  <td class="num">{p.deadLetters > 0 ? <a href="#/dead-letters">{p.deadLetters}</a> : 0}</td>
                  <td class="buttons">
                    {p.status === 'live' ? (
                      <>
                        <button
                          type="button"
                          disabled={rebuilding[p.name] !== undefined}
                          onClick={() =>
                            act(`/projections/${p.name}/rebuild`, (r) => {
                              setRebuilding((old) => ({ ...old, [p.name]: r.generation ?? 0 }));
                              return `Rebuilding ${p.name} as generation ${r.generation}…`;
                            })
                          }
                        >
                          Rebuild
                        </button>
                        <button type="button" class="secondary" onClick={() => act(`/projections/${p.name}/${p.paused ? 'resume' : 'pause'}`, (r) => `${r.name} ${r.paused ? 'paused' : 'resumed'}.`)}>
                          {p.paused ? 'Resume' : 'Pause'}
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
      <section aria-labelledby="lag-h">
        <h2 id="lag-h">Lag over time (events behind)</h2>
        {lag.error ? <ErrorBox error={lag.error} /> : lag.data ? <LineChart series={series} label="Events behind per projection over the last minutes" /> : <Loading what="lag samples" />}
        {lag.data ? <p class="muted">Sampled every {Math.round(lag.data.intervalMs / 1000)} s by the server, the last {lag.data.samples.length} samples.</p> : null}
      </section>
    </Page>
  );
}
