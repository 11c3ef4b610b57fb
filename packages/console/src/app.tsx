import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized } from './api';
import { KeyForm } from './components/key-form';
import { getKey } from './key-store';
import { AccountPage } from './pages/account';
import { AccountsPage } from './pages/accounts';
import { DeadLettersPage } from './pages/dead-letters';
import { OverviewPage } from './pages/overview';
import { ProjectionsPage } from './pages/projections';
import { StreamPage } from './pages/stream';
import { StreamsPage } from './pages/streams';
import { TailPage } from './pages/tail';
import { type Route, useRoute } from './router';

const NAV = [
  ['#/', 'Overview'],
  ['#/accounts', 'Accounts'],
  ['#/streams', 'Streams'],
  ['#/tail', 'Live tail'],
  ['#/projections', 'Projections'],
  ['#/dead-letters', 'Dead letters'],
] as const;

export function App() {
  const route = useRoute();
  const [key, setKeyState] = useState(getKey());
  const [refused, setRefused] = useState(false);
  useEffect(() => onUnauthorized(() => setRefused(true)), []);
  const section = `#/${route.parts[0] ?? ''}`;

  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          <img src="/favicon.svg" alt="" width="22" height="22" /> Cairn
        </a>
        <nav aria-label="Sections">
          {NAV.map(([to, label]) => (
            <a key={to} href={to} aria-current={section === to ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <KeyForm
          onSaved={(k) => {
            setKeyState(k);
            setRefused(false);
          }}
        />
      </header>
      {!key ? (
        <div class="banner" role="status">
          Enter an API key to look inside the store: <code>npm start</code> prints a demo admin key (also in <code>./data/demo-key.txt</code>).
        </div>
      ) : refused ? (
        <div class="banner banner-error" role="alert">
          The server refused the API key (401). Check it — <code>npm start</code> prints the demo key on every start — and save it again.
        </div>
      ) : null}
      <main id="main" tabIndex={-1} key={`${route.path}|${key}`}>
        <Content route={route} />
      </main>
    </div>
  );
}

function Content({ route }: { route: Route }) {
  const [first, second] = route.parts;
  switch (first) {
    case undefined:
      return <OverviewPage />;
    case 'accounts':
      return second ? <AccountPage accountId={second} /> : <AccountsPage route={route} />;
    case 'streams':
      return second ? <StreamPage streamId={second} /> : <StreamsPage route={route} />;
    case 'tail':
      return <TailPage />;
    case 'projections':
      return <ProjectionsPage />;
    case 'dead-letters':
      return <DeadLettersPage />;
    default:
      return (
        <section class="page">
          <h1>Not here</h1>
          <p>
            No page at <code>{route.path}</code>. <a href="#/">Back to the overview</a>.
          </p>
        </section>
      );
  }
}
