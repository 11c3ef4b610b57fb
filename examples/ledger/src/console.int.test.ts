import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProjection } from '@cairn/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConsoleDir, type LedgerApp, startLedgerApp } from './app.js';
import { accountStream } from './domain/account.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../../test-artifacts/screenshots/', import.meta.url));

// A projection that cannot digest "PoisonPill" events until it is cured: dead letters on demand.
const cure = { poisoned: true };
const poisonWatch = defineProjection({
  name: 'poison_watch',
  categories: ['lab'],
  handlers: {
    PoisonPill: () => {
      if (cure.poisoned) throw new Error('poison_watch cannot digest a PoisonPill yet');
    },
  },
});

/**
 * The console in real Chromium against the real app: a fresh SQLite file with a small seed,
 * the ledger's projections, the server on a free port. Each page is checked against what the
 * ledger itself answers, and photographed into test-artifacts/screenshots/.
 */
describe('web console in Chromium', () => {
  let dir: string;
  let app: LedgerApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const apiPost = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const go = async (hash: string) => {
    await page.goto(`${app.url}/${hash}`);
    await page.locator('main h1').first().waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
    if (!existsSync(join(defaultConsoleDir(), 'index.html'))) throw new Error('The console is not built: run `npm run build` (npm test does it first).');
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'cairn-console-'));
    app = await startLedgerApp({
      db: `sqlite:${join(dir, 'cairn.db')}`,
      port: 0,
      dataDir: dir,
      seed: { accounts: 24, days: 40, seed: 7 },
      extraProjections: [poisonWatch],
      runner: { superviseMs: 100, pollIntervalMs: 100, maxAttempts: 2, retryDelayMs: 5 },
      lagSampleMs: 500,
    });
    await app.runner.idle();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks for a key, says so clearly on 401, and shows the store once the key is saved', async () => {
    await go('#/');
    await page.getByText('Enter an API key').waitFor();
    await page.getByLabel('API key').fill('cairn_not-a-real-key');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The server refused the API key (401)').waitFor();
    await shot('unauthorized');

    await page.getByLabel('API key').fill(app.key);
    await page.getByRole('button', { name: 'Save' }).click();
    const events = (await app.store.listStreams({ limit: 1000 })).reduce((n, s) => n + s.version, 0);
    await page.locator('.stat-value', { hasText: events.toLocaleString('en-GB') }).waitFor();
    await page.getByRole('link', { name: 'account_summaries' }).waitFor();
    await shot('overview');
  });

  it('lists accounts from the read model and finds one by owner', async () => {
    await go('#/accounts');
    await page.locator('table tbody tr').first().waitFor();
    expect(await page.locator('table tbody tr').count()).toBe(24);
    await shot('accounts');
    const owner = (await app.ledger.summary('1002'))?.owner as string;
    await page.getByLabel('Owner or account id').fill(owner.split(' ')[0] as string);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: '1002' }).waitFor();
  });

  it('time travel: the slider shows the balance the ledger computes for that version and that day', async () => {
    const accountId = '1001';
    const streamId = accountStream(accountId);
    const version = (await app.store.streamInfo(streamId))?.version as number;
    expect(version).toBeGreaterThan(20);
    await go(`#/accounts/${accountId}`);
    const slider = page.getByLabel('Version', { exact: true });
    await page.locator(`[data-testid=tt-ready][data-version="${version}"]`).waitFor();

    const check = async (v: number) => {
      await page.locator(`[data-testid=tt-ready][data-version="${v}"]`).waitFor();
      await page.locator('[data-testid=eod][data-date]:not([data-date=""])').waitFor();
      const shown = Number(await page.getByTestId('tt-balance').getAttribute('data-cents'));
      const expected = await app.ledger.accounts.loadAt(streamId, { version: v });
      expect(shown, `balance at v${v}`).toBe(expected.state.balanceCents);
      const date = (await page.getByTestId('eod').getAttribute('data-date')) as string;
      const events = await app.store.readStream(streamId, { to: v }).toArray();
      expect(date).toBe(events.at(-1)?.recordedAt.toISOString().slice(0, 10));
      const answer = await app.ledger.balanceOn(accountId, new Date(`${date}T12:00:00Z`));
      expect(Number(await page.getByTestId('eod-timetravel').getAttribute('data-cents')), `time travel on ${date}`).toBe(answer.balanceCents);
      expect(Number(await page.getByTestId('eod-readmodel').getAttribute('data-cents')), `read model on ${date}`).toBe(answer.fromReadModel);
      expect(answer.fromReadModel).toBe(answer.balanceCents);
    };

    // With the keyboard: Home goes to the first version, arrows step through them.
    await slider.focus();
    await page.keyboard.press('Home');
    await check(1);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await check(3);
    for (const v of [Math.floor(version / 3), Math.floor(version / 2), version - 1]) {
      await slider.fill(String(v));
      await check(v);
    }
    await slider.fill(String(Math.floor(version * 0.6)));
    await check(Math.floor(version * 0.6));
    await shot('time-travel');
  });

  it('streams: browse by category and event type, then open a stream and its JSON', async () => {
    await go('#/streams');
    await page.getByLabel('Category').fill('transfer');
    await page.getByLabel('Has event type').fill('TransferFailed');
    await page.getByRole('button', { name: 'Search' }).click();
    const failed = (await app.store.readAll({ types: ['TransferFailed'] }).toArray()).map((e) => e.streamId);
    expect(failed.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('table.streams tbody tr').count(), { timeout: 10_000 }).toBe(new Set(failed).size);
    await page.getByRole('link', { name: failed[0] as string }).waitFor();
    await shot('streams');

    await page.getByRole('link', { name: failed[0] as string }).click();
    await page.getByRole('button', { name: 'TransferFailed' }).click();
    await page.locator('.json', { hasText: '"refunded"' }).waitFor();
    await shot('stream');
  });

  it('live tail: an event appended through the API appears at once', async () => {
    await go('#/tail');
    await page.getByText('● live').waitFor();
    await apiPost('/streams/lab-1', { events: [{ type: 'SampleTaken', data: { tube: 7 } }] });
    await apiPost('/ledger/accounts/1003/deposits', { amountCents: 4_200, note: 'from the tail test' }, { 'idempotency-key': 'tail-test-1' });
    await page.locator('[data-testid=tail-row]', { hasText: 'lab-1' }).waitFor();
    await page.locator('[data-testid=tail-row]', { hasText: 'account-1003' }).waitFor();
    await page.locator('[data-testid=tail-row]', { hasText: 'MoneyDeposited' }).waitFor();
    await shot('live-tail');
  });

  it('projections: a rebuild runs beside the live generation and finishes', async () => {
    await go('#/projections');
    const row = page.getByTestId('projection-account_summaries-live');
    await row.waitFor();
    await row.getByRole('button', { name: 'Rebuild' }).click();
    await page.getByTestId('projection-message').filter({ hasText: 'Rebuild of account_summaries finished: generation 2 is live.' }).waitFor({ timeout: 30_000 });
    const report = (await app.runner.status()).filter((r) => r.name === 'account_summaries');
    expect(report.map((r) => [r.generation, r.status])).toEqual([[2, 'live']]);
    await page.locator('.chart polyline').first().waitFor({ state: 'attached' });
    await shot('projections');
  });

  it('dead letters: a poisoned event is parked, then skipped or replayed from the console', async () => {
    await apiPost('/streams/lab-2', { events: [{ type: 'PoisonPill', data: { dose: 1 } }, { type: 'PoisonPill', data: { dose: 2 } }] });
    await go('#/dead-letters');
    await page.locator('[data-testid=dead-letter]').nth(1).waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=dead-letter]').count()).toBe(2);
    await shot('dead-letters');

    const [first, second] = await app.runner.deadLetters({ name: 'poison_watch' });
    await page.getByRole('button', { name: `Skip PoisonPill at ${first?.position}` }).click();
    await page.getByTestId('dead-letter-message').filter({ hasText: 'skipped' }).waitFor();
    await page.getByRole('button', { name: `Replay PoisonPill at ${second?.position}` }).click();
    await page.getByTestId('dead-letter-message').filter({ hasText: 'failed again' }).waitFor();
    cure.poisoned = false;
    await page.getByRole('button', { name: `Replay PoisonPill at ${second?.position}` }).click();
    await page.getByTestId('dead-letter-message').filter({ hasText: 'replayed' }).waitFor();
    expect(Object.fromEntries((await app.runner.deadLetters({ name: 'poison_watch' })).map((l) => [l.id, l.status]))).toEqual({ [first?.id as string]: 'skipped', [second?.id as string]: 'replayed' });
    await page.getByText('No parked events').waitFor();
  });

  it('ran without a script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
}, 150_000);
