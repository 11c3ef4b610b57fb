import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, post } from '../api';
import { ErrorBox, Loading, Page, Stat, useLoad } from '../components/common';
import { JsonView } from '../components/json-view';
import { LineChart } from '../components/line-chart';
import { dateTime, day, money, summarize } from '../format';
import { streamHref } from '../router';
import type { AccountState, AccountSummary, BalanceOn, TimeTravel } from '../types';

interface Account {
  accountId: string;
  streamId: string;
  version: number;
  state: AccountState;
  summary: AccountSummary | null;
}

/**
 * One account, and time travel over it: a slider over the stream's versions shows the state
 * folded up to that version, and the balance at the end of that day twice — by time travel
 * over the stream and from the daily_balances read model.
 */
export function AccountPage({ accountId }: { accountId: string }) {
  const base = `/ledger/accounts/${encodeURIComponent(accountId)}`;
  const account = useLoad((signal) => api<Account>(base, { signal }), [accountId]);
  const daily = useLoad((signal) => api<{ days: Array<{ day: string; balanceCents: number }> }>(`${base}/daily-balances`, { signal }), [accountId, account.data?.version]);
  const [version, setVersion] = useState<number | null>(null);
  const [travel, setTravel] = useState<TimeTravel | null>(null);
  const [eod, setEod] = useState<BalanceOn | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const pending = useRef<AbortController | null>(null);

  // The slider asks for the state at its version; a newer move cancels the older request.
  useEffect(() => {
    if (!account.data) return;
    const v = version ?? account.data.version;
    pending.current?.abort();
    const controller = new AbortController();
    pending.current = controller;
    const timer = setTimeout(async () => {
      try {
        const t = await api<TimeTravel>(`${base}/at?version=${v}`, { signal: controller.signal });
        const b = t.at ? await api<BalanceOn>(`${base}/balance-on?date=${day(t.at)}`, { signal: controller.signal }) : null;
        if (controller.signal.aborted) return;
        setTravel(t);
        setEod(b);
        setError(null);
      } catch (e) {
        if ((e as Error).name !== 'AbortError') setError(e as Error);
      }
    }, 60);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [account.data?.version, version, base]);

  if (account.error) {
    return (
      <Page title={`Account ${accountId}`}>
        <ErrorBox error={account.error} onRetry={account.reload} />
        {account.error instanceof ApiError && account.error.status === 404 ? <p>There is no account {accountId}. <a href="#/accounts">All accounts</a></p> : null}
      </Page>
    );
  }
  if (!account.data) return <Page title={`Account ${accountId}`}><Loading what="the account" /></Page>;
  const a = account.data;
  const max = a.version;
  const v = version ?? max;
  const currency = a.state.currency;
  const shown = travel && travel.version === v ? travel : null;

  return (
    <Page
      title={`Account ${accountId}`}
      actions={<a class="button secondary" href={streamHref(a.streamId)}>Events of {a.streamId}</a>}
    >
      <div class="stats">
        <Stat label="balance now" value={money(a.state.balanceCents, currency)} hint={`${a.state.owner} · ${a.state.status}`} />
        <Stat label="version" value={a.version} hint={`${a.state.transactions} transactions`} />
        <Stat
          label="read model balance"
          value={a.summary ? money(a.summary.balanceCents, currency) : '—'}
          hint={a.summary ? (a.summary.version === a.version ? 'account_summaries, up to date' : `account_summaries at v${a.summary.version}`) : 'not projected yet'}
        />
      </div>

      <section class="travel" aria-labelledby="tt-h">
        <h2 id="tt-h">Time travel</h2>
        <div class="slider">
          <label for="tt-version">Version</label>
          <input
            id="tt-version"
            type="range"
            min={1}
            max={max}
            value={v}
            aria-valuetext={shown?.at ? `version ${v}, ${dateTime(shown.at)}` : `version ${v}`}
            onInput={(e) => setVersion(Number((e.target as HTMLInputElement).value))}
          />
          <output for="tt-version" data-testid="tt-version">
            v{v} / {max}
          </output>
        </div>
        {error ? <ErrorBox error={error} /> : null}
        {!shown ? (
          <Loading what={`version ${v}`} />
        ) : (
          <div class="travel-grid" data-testid="tt-ready" data-version={shown.version}>
            <div class="card">
              <h3>At version {shown.version}</h3>
              <p class="muted">{dateTime(shown.at)}</p>
              <p class="big" data-testid="tt-balance" data-cents={shown.state.balanceCents}>
                {money(shown.state.balanceCents, currency)}
              </p>
              <p>
                {shown.state.status} · {shown.state.transactions} transactions
              </p>
              <details>
                <summary>State as JSON</summary>
                <JsonView value={shown.state} label="Account state" />
              </details>
            </div>
            <div class="card" data-testid="eod" data-date={eod?.date ?? ''}>
              <h3>End of {eod?.date ?? '—'}</h3>
              {eod ? (
                <>
                  <table class="compact">
                    <tbody>
                      <tr>
                        <th scope="row">time travel (stream)</th>
                        <td class="num" data-testid="eod-timetravel" data-cents={eod.balanceCents}>
                          {money(eod.balanceCents, currency)}
                        </td>
                        <td class="muted">v{eod.version}</td>
                      </tr>
                      <tr>
                        <th scope="row">daily_balances (read model)</th>
                        <td class="num" data-testid="eod-readmodel" data-cents={eod.fromReadModel ?? ''}>
                          {eod.fromReadModel === null ? '—' : money(eod.fromReadModel, currency)}
                        </td>
                        <td />
                      </tr>
                    </tbody>
                  </table>
                  <p class={eod.agree ? 'ok' : 'warn'}>{eod.agree ? '✓ They agree.' : 'They differ: the read model may still be catching up.'}</p>
                </>
              ) : (
                <p class="muted">No events yet at this version.</p>
              )}
            </div>
            <div class="card">
              <h3>Up to there</h3>
              <ol class="mini-events" reversed>
                {shown.events
                  .slice(-6)
                  .reverse()
                  .map((e) => (
                    <li key={e.version} value={e.version}>
                      <span class="type">{e.type}</span> {summarize(e.data)} <span class="muted">{dateTime(e.recordedAt)}</span>
                    </li>
                  ))}
              </ol>
            </div>
          </div>
        )}
      </section>

      <section aria-labelledby="daily-h">
        <h2 id="daily-h">Daily closing balance</h2>
        {daily.data ? (
          <LineChart
            label={`Daily closing balance of account ${accountId}`}
            series={[{ name: 'balance (daily_balances)', color: '#2f6fb3', points: daily.data.days.map((d) => ({ x: Date.parse(`${d.day}T00:00:00Z`), y: d.balanceCents / 100 })) }]}
            yFormat={(y) => money(y * 100, currency)}
            xLabels={[daily.data.days[0]?.day ?? '', daily.data.days.at(-1)?.day ?? '']}
          />
        ) : daily.error ? (
          <ErrorBox error={daily.error} />
        ) : (
          <Loading what="daily balances" />
        )}
      </section>

      {a.state.status === 'open' ? <MoneyForm base={base} currency={currency} onDone={() => { setVersion(null); account.reload(); }} /> : null}
    </Page>
  );
}

function MoneyForm({ base, currency, onDone }: { base: string; currency: string; onDone(): void }) {
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const send = async (kind: 'deposits' | 'withdrawals') => {
    const cents = Math.round(Number(amount) * 100);
    if (!Number.isFinite(cents) || cents <= 0) {
      setMessage({ ok: false, text: 'Enter a positive amount.' });
      return;
    }
    try {
      // A fresh Idempotency-Key per click: a retry of this request cannot pay twice.
      const r = await post<{ version: number; events: Array<{ type: string; position: string }> }>(`${base}/${kind}`, { amountCents: cents, note }, { 'idempotency-key': crypto.randomUUID() });
      setMessage({ ok: true, text: `${r.events[0]?.type ?? 'Nothing'} at version ${r.version}, position ${r.events[0]?.position ?? '—'}.` });
      setAmount('');
      onDone();
    } catch (e) {
      setMessage({ ok: false, text: `${(e as ApiError).code ?? ''} ${(e as Error).message}` });
    }
  };
  return (
    <section aria-labelledby="cmd-h">
      <h2 id="cmd-h">Send a command</h2>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); void send('deposits'); }}>
        <label>
          Amount ({currency})
          <input inputMode="decimal" value={amount} placeholder="25.00" onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Note
          <input value={note} placeholder="birthday" onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Deposit</button>
        <button type="button" class="secondary" onClick={() => void send('withdrawals')}>
          Withdraw
        </button>
      </form>
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status">
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
