/**
 * The dashboard end to end: a real `arena serve` on a temporary data folder, the built dashboard
 * behind `vite preview`, and headless Chromium. Skipped where /usr/bin/chromium is missing or
 * ARENA_E2E=0. Screenshots land in tests/artifacts/screenshots/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyAgent, readFolder, register, upload } from '../server/helpers.ts';
import { makeSmallDqnAgent } from '../support/smallDqnAgent.ts';
import {
  type ArenaProcess,
  type Dashboard,
  e2eAvailable,
  hasLiveStream,
  launchBrowser,
  openPage,
  screenshot,
  startArena,
  startDashboard,
  waitFor,
} from './support/harness.ts';

interface ApiRow {
  agentName: string;
}

describe.skipIf(!e2eAvailable)('dashboard (browser)', () => {
  let arena: ArenaProcess;
  let dashboard: Dashboard;
  let browser: Browser;
  let bundled: string;
  /** Pages whose console errors must be none (a page that provokes an HTTP error is left out). */
  const pages: { page: Page; errors: string[] }[] = [];

  beforeAll(async () => {
    // A freshly initialised small DQN network plays Brick in the showcase (Q-value bars).
    bundled = await mkdtemp(join(tmpdir(), 'arena-e2e-bundled-'));
    await makeSmallDqnAgent(join(bundled, 'brick-dqn'), { name: 'dqn-small' });
    arena = await startArena({ episodes: 3, maxFrames: 900, bundledDir: bundled });
    // `arena serve` hosts the live stream with its showcase games on the API's own port.
    if (!(await hasLiveStream(arena.url, 15_000)))
      throw new Error('arena serve offers no live stream');
    dashboard = await startDashboard(arena.url, arena.url);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await arena?.stop();
    if (bundled) await rm(bundled, { recursive: true, force: true });
  }, 60_000);

  async function open(path: string, options?: Parameters<typeof openPage>[1], checkConsole = true) {
    const opened = await openPage(browser, options);
    if (checkConsole) pages.push(opened);
    await opened.page.goto(`${dashboard.url}${path}`);
    return opened.page;
  }

  const api = async <T>(path: string): Promise<T> =>
    (await fetch(`${arena.url}/api${path}`)).json() as Promise<T>;

  it('Live: a game canvas changes between two screenshots, and a click opens it large', async () => {
    const page = await open('/');
    const canvas = page.locator('.live-tile canvas').first();
    await waitFor('a drawn frame', async () =>
      Number(await canvas.getAttribute('data-frames')) > 0 ? true : undefined,
    );
    const before = await canvas.screenshot();
    await page.waitForTimeout(1500);
    const after = await canvas.screenshot();
    expect(Buffer.compare(before, after)).not.toBe(0);
    await screenshot(page, 'live');

    await page.locator('.live-tile').first().click();
    await page.waitForURL(/\/live\//);
    const big = page.locator('canvas.watch-screen');
    await waitFor('the large screen', async () =>
      Number(await big.getAttribute('data-frames')) > 0 ? true : undefined,
    );
    await expect(page.getByText('score', { exact: true }).count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'watch');
  }, 120_000);

  it("Watch: a DQN agent's Q-values are drawn as bars under the screen", async () => {
    const page = await open('/');
    // The showcase's room (the same agent's evaluation rooms come and go too).
    const tile = page
      .locator('.live-tile')
      .filter({ hasText: 'dqn-small' })
      .filter({ hasText: 'showcase' })
      .first();
    // The showcase worker loads TF.js and the model before its first room.
    await tile.waitFor({ timeout: 120_000 });
    await tile.click();
    await page.waitForURL(/\/live\//);
    const bars = page.getByRole('region', { name: 'What the network thinks' });
    await bars.waitFor({ timeout: 30_000 });
    const actions = (await api<{ game: { actions: string[] } }>('/games/brick')).game.actions;
    await expect(bars.locator('.qbar').count()).resolves.toBe(actions.length);
    await expect(bars.locator('.qbar--best').count()).resolves.toBe(1);
    const values = async () => (await bars.locator('.qbar__value').allTextContents()).join();
    const first = await values();
    await waitFor('the values to change with the game', async () =>
      (await values()) !== first ? true : undefined,
    );
    await screenshot(page, 'watch-qvalues');
  }, 240_000);

  it('Live and leaderboards follow an evaluation: its room comes and goes, the table reloads on push', async () => {
    const live = await open('/');
    await live.locator('.live-tile').first().waitFor();
    const board = await open('/leaderboards?game=brick');
    await board.locator('tbody tr[data-agent]').first().waitFor({ timeout: 60_000 });
    // Let the first (slow) poll pass: from now on the table reloads on pushes, or every 30 s.
    await board.waitForTimeout(1000);

    const folder = await mkdtemp(join(tmpdir(), 'arena-e2e-pushed-'));
    try {
      const token = await register(arena, 'e2e-pusher');
      const files = await readFolder(await makeTinyAgent(join(folder, 'tiny')));
      const res = await upload(arena, { token, name: 'e2e-pushed', files });
      expect(res.status).toBe(201);
      const evaluationTile = live.locator('.live-tile', { hasText: 'e2e-pushed' }).first();
      // It waits behind the seeded evaluations on the one worker.
      await evaluationTile.waitFor({ timeout: 300_000 });
      expect(await evaluationTile.textContent()).toMatch(/evaluation · episode \d of 3/);
      await screenshot(live, 'live-evaluation');

      const listed = await waitFor(
        'the version on the leaderboard API',
        async () => {
          const rows = (await api<{ rows: ApiRow[] }>('/leaderboards/brick')).rows;
          return rows.some((r) => r.agentName === 'e2e-pushed') ? performance.now() : undefined;
        },
        180_000,
      );
      await board.locator('tbody tr[data-agent="e2e-pushed"]').waitFor({ timeout: 25_000 });
      // Within the 30 s fallback poll: the page reloaded because the server said so.
      expect(performance.now() - listed).toBeLessThan(20_000);
      await screenshot(board, 'leaderboards-pushed');

      await waitFor(
        'the evaluation rooms to close',
        async () => ((await evaluationTile.count()) === 0 ? true : undefined),
        180_000,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 720_000);

  it('Live: a Duel match room shows both players with their scores', async () => {
    const page = await open('/');
    const duelTile = page.locator('.live-tile', { hasText: 'Duel' }).first();
    await duelTile.waitFor({ timeout: 30_000 });
    await duelTile.click();
    await page.waitForURL(/\/live\//);
    const versus = page.locator('.versus');
    await versus.waitFor();
    expect(await versus.textContent()).toMatch(/scripted[\s\S]*VS[\s\S]*cpu/);
    await waitFor('both scores', async () =>
      (await versus.locator('.versus__score').allTextContents()).every((t) => /\d/.test(t))
        ? true
        : undefined,
    );
    await screenshot(page, 'watch-duel');
  }, 90_000);

  it('Leaderboards: the bundled agents appear in the order the API gives', async () => {
    await waitFor(
      'the random and scripted baselines on brick',
      async () => {
        const names = (await api<{ rows: ApiRow[] }>('/leaderboards/brick')).rows.map(
          (r) => r.agentName,
        );
        return names.includes('random') && names.includes('scripted') ? true : undefined;
      },
      240_000,
    );
    const page = await open('/leaderboards?game=brick');
    const rows = page.locator('tbody tr[data-agent]');
    // Evaluations are still running, so the order may move: compare page and API at one moment.
    const shown = await waitFor(
      'the page to match the API',
      async () => {
        const apiOrder = (await api<{ rows: ApiRow[] }>('/leaderboards/brick')).rows.map(
          (r) => r.agentName,
        );
        await page.waitForTimeout(4500);
        const pageOrder = await rows.evaluateAll((trs) =>
          trs.map((tr) => tr.getAttribute('data-agent')),
        );
        const again = (await api<{ rows: ApiRow[] }>('/leaderboards/brick')).rows.map(
          (r) => r.agentName,
        );
        const same = (a: unknown[], b: unknown[]) =>
          a.length === b.length && a.every((x, i) => x === b[i]);
        return same(apiOrder, again) && same(pageOrder, apiOrder) ? pageOrder : undefined;
      },
      90_000,
    );
    expect(shown).toEqual(expect.arrayContaining(['random', 'scripted']));
    await screenshot(page, 'leaderboards');

    await page.getByRole('button', { name: /^Mean/ }).click();
    await expect(page.locator('th[aria-sort="descending"]').count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'All games' }).click();
    await page.getByRole('heading', { name: /Across games/ }).waitFor();
    await screenshot(page, 'leaderboards-all');
  }, 300_000);

  it('Submit: register, upload an agent folder and see its evaluation appear', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'arena-e2e-agent-'));
    try {
      const agentDir = await makeTinyAgent(join(folder, 'tiny'));
      const page = await open('/submit');
      await page.getByLabel('Your name on the leaderboards').fill('e2e-owner');
      await page.getByRole('button', { name: 'Register' }).click();
      const token = (await page.getByTestId('token').textContent()) ?? '';
      expect(token.length).toBeGreaterThan(10);
      await page.getByText('It is shown only once').waitFor();
      await screenshot(page, 'submit-token');

      await page.getByLabel('Agent name').fill('e2e-tiny');
      await page.locator('input[type=file][webkitdirectory]').setInputFiles(agentDir);
      await page.getByText(/file\(s\): .*agent\.json/).waitFor();
      await page.getByRole('button', { name: 'Upload and evaluate' }).click();
      const evaluation = page.getByTestId('evaluation');
      await evaluation.waitFor({ timeout: 60_000 });
      expect(await evaluation.textContent()).toContain('e2e-tiny');
      // The evaluation shows up: its episodes are counted against the evaluation's size.
      await waitFor(
        'the evaluation to record an episode',
        async () =>
          /[1-9]\d* \/ \d+/.test((await evaluation.textContent()) ?? '') ? true : undefined,
        180_000,
      );
      await screenshot(page, 'submit-evaluation');

      await evaluation.getByRole('link', { name: /agent page/ }).click();
      await page.getByRole('heading', { name: 'e2e-tiny' }).waitFor();
      await page.locator('.chart svg').first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'agent');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 300_000);

  it('Submit: a bad upload is explained in plain words', async () => {
    // Chromium logs the 401 it provokes as a console error: this page is not checked.
    const page = await open('/submit', undefined, false);
    await page.getByLabel('Already registered? Paste your token').fill('aa_not_a_real_token');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByLabel('Agent name').fill('nope');
    await page.getByRole('button', { name: 'Archive (.zip, .tar, .tar.gz)' }).click();
    await page.getByLabel('Agent archive (.zip, .tar or .tar.gz)').setInputFiles({
      name: 'agent.tar.gz',
      mimeType: 'application/gzip',
      buffer: Buffer.from('not an archive'),
    });
    await page.getByRole('button', { name: 'Upload and evaluate' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'token' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/token was not accepted/);
    await screenshot(page, 'submit-error');
  }, 60_000);

  it('looks right on a phone and in the light theme', async () => {
    const phone = await open('/leaderboards?game=brick', { width: 390, height: 844 });
    await phone.locator('tbody tr').first().waitFor();
    await screenshot(phone, 'phone-leaderboards');
    const light = await open('/', { colorScheme: 'light' });
    await light.locator('.live-tile').first().waitFor();
    await light.waitForTimeout(1000);
    await screenshot(light, 'light-live');
  }, 60_000);

  it('logged no console errors on any page', () => {
    // A socket closed by a page navigating away is not an error of the dashboard.
    const errors = pages
      .flatMap((p) => p.errors)
      .filter((e) => !/WebSocket is closed before/.test(e));
    expect(errors).toEqual([]);
  });
});
