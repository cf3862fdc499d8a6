/**
 * Head-to-head play in the browser against a real `arena serve` (short matches of the two-player
 * game Duel: a 600-frame cap): the Matches page sees matches appear and rates the players the API
 * rates, its old address /duel still leads there, and a match page plays the recorded match back
 * on its canvas with both players named. Screenshots: matches.png, match.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArenaProcess,
  type Dashboard,
  e2eAvailable,
  launchBrowser,
  openPage,
  screenshot,
  startArena,
  startDashboard,
  waitFor,
} from './support/harness.ts';

interface ApiMatch {
  id: number;
  players: { agentName: string }[];
}

describe.skipIf(!e2eAvailable)('Matches (browser)', () => {
  let arena: ArenaProcess;
  let dashboard: Dashboard;
  let browser: Browser;
  const opened: { page: Page; errors: string[] }[] = [];

  beforeAll(async () => {
    arena = await startArena({ episodes: 2, maxFrames: 600 });
    dashboard = await startDashboard(arena.url, arena.url);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await arena?.stop();
  }, 60_000);

  const api = async <T>(path: string): Promise<T> =>
    (await fetch(`${arena.url}/api${path}`)).json() as Promise<T>;

  async function open(path: string) {
    const page = await openPage(browser);
    opened.push(page);
    await page.page.goto(`${dashboard.url}${path}`);
    return page.page;
  }

  it('the Matches page sees matches appear, rated as the API rates them', async () => {
    // The page's old address, kept working.
    const page = await open('/duel');
    await page.getByRole('heading', { name: 'Matches', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/matches');
    // The scheduler pairs the bundled agents and the computer's levels as soon as the server runs.
    const recent = page.getByRole('table', { name: 'Recent matches of duel' });
    await recent.waitFor({ timeout: 180_000 });
    const matches = await api<{ matches: ApiMatch[] }>('/matches?game=duel');
    expect(matches.matches.length).toBeGreaterThan(0);
    const ratings = page.getByRole('table', { name: 'Head-to-head ratings of duel' });
    await ratings.waitFor({ timeout: 30_000 });
    const table = await api<{ ratings: { versionId: number }[] }>('/ratings?game=duel');
    // The page polls; wait until it shows the table the API has now (it may have grown).
    await waitFor('the ratings table to match the API', async () => {
      const shown = await ratings
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-version'))));
      const now = await api<{ ratings: { versionId: number }[] }>('/ratings?game=duel');
      return shown.length > 0 && shown.join() === now.ratings.map((r) => r.versionId).join()
        ? true
        : undefined;
    });
    expect(table.ratings.length).toBeGreaterThan(1);
    await screenshot(page, 'matches');
  }, 240_000);

  it('a match page replays the recorded match on its canvas with both players named', async () => {
    const { matches } = await api<{ matches: ApiMatch[] }>('/matches?game=duel&limit=1');
    const [match] = matches;
    const page = await open(`/matches/${match.id}`);
    const names = match.players.map((p) => p.agentName);
    await page.getByRole('heading', { name: `${names[0]} vs ${names[1]}` }).waitFor();
    const canvas = page.locator('canvas.watch-screen');
    await waitFor('a replayed frame', async () =>
      Number(await canvas.getAttribute('data-frames')) > 0 ? true : undefined,
    );
    const before = await canvas.screenshot();
    await page.waitForTimeout(1500);
    const after = await canvas.screenshot();
    expect(Buffer.compare(before, after)).not.toBe(0);
    expect(await page.locator('.versus').textContent()).toContain(names[1]);
    // The canvas screenshots scrolled it into view; the page screenshot starts at the top.
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'match');
  }, 120_000);

  it('logs no console errors', () => {
    for (const { errors } of opened) expect(errors).toEqual([]);
  });
});
