import { useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Empty, ErrorBox, Loading, Page, useLoad } from '../components/common';
import { ago, count, money } from '../format';
import { href, navigate, type Route } from '../router';
import type { AccountSummary } from '../types';

/** The ledger's account_summaries read model, searchable by owner or id. */
export function AccountsPage({ route }: { route: Route }) {
  const search = route.query.get('search') ?? '';
  const after = route.query.get('after') ?? '';
  const [text, setText] = useState(search);
  const { data, error, loading, reload } = useLoad(
    (signal) => api<{ accounts: AccountSummary[]; next: string | null }>(`/ledger/accounts${qs({ search, after, limit: 50 })}`, { signal }),
    [search, after],
  );
  return (
    <Page title="Accounts">
      <p class="muted">From the <code>account_summaries</code> read model (a projection of the account streams).</p>
      <form
        class="filters"
        role="search"
        aria-label="Find accounts"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href('/accounts', { search: text }));
        }}
      >
        <label>
          Owner or account id
          <input value={text} placeholder="Ada, 1042" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {error ? <ErrorBox error={error} onRetry={reload} /> : null}
      {loading && !data ? <Loading what="accounts" /> : null}
      {data ? (
        data.accounts.length === 0 ? (
          <Empty>{search ? `No account matches “${search}”.` : 'No accounts yet (or the read model has not caught up).'}</Empty>
        ) : (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">account</th>
                  <th scope="col">owner</th>
                  <th scope="col">status</th>
                  <th scope="col" class="num">balance</th>
                  <th scope="col" class="num">transactions</th>
                  <th scope="col">last transaction</th>
                </tr>
              </thead>
              <tbody>
                {data.accounts.map((a) => (
                  <tr key={a.accountId}>
                    <td>
                      <a href={`#/accounts/${encodeURIComponent(a.accountId)}`}>{a.accountId}</a>
                    </td>
                    <td>{a.owner}</td>
                    <td>
                      <span class={`badge ${a.status}`}>{a.status}</span>
                    </td>
                    <td class="num">{money(a.balanceCents, a.currency)}</td>
                    <td class="num">{count(a.transactions)}</td>
                    <td>{ago(a.lastTransactionAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data.next ? (
              <p>
                <a class="button" href={href('/accounts', { search, after: data.next })}>
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
