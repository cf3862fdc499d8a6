/**
 * End-to-end set-up for the dashboard: a real arena server (`arena serve`) on a temporary data
 * folder, the dashboard built with Vite and served by `vite preview` with its proxy pointed at
 * that server, and headless Debian Chromium driven by playwright-core. Screenshots go to
 * `tests/artifacts/screenshots/` (gitignored).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { build, createLogger, type Logger, type PreviewServer, preview } from 'vite';
import { LIVE_EVENT, LIVE_NAMESPACE } from '../../../server/protocol/stream.ts';

export const REPO = resolve(import.meta.dirname, '../../..');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO, 'tests/artifacts/screenshots');
const VITE_CONFIG = join(REPO, 'client/vite.config.ts');

/**
 * Whether this machine can run the browser tests (ARENA_E2E=0 turns them off). In CI they are
 * never skipped: a missing Chromium is an error (.ci/run installs it).
 */
export const e2eAvailable = existsSync(CHROMIUM) && process.env.ARENA_E2E !== '0';
if (!existsSync(CHROMIUM) && process.env.CI === 'true') {
  throw new Error(
    `the browser tests need Chromium at ${CHROMIUM} in CI (apt-get install chromium)`,
  );
}

export interface ArenaProcess {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface ArenaOptions {
  /** Episodes per evaluation (small, so the tests see evaluations end). */
  episodes?: number;
  /** Frame cap per episode. */
  maxFrames?: number;
  /** Trained agents to seed and to play in the showcase (`--bundled`). */
  bundledDir?: string;
}

/** Starts `arena serve` on a free port and a fresh data folder; resolves once it listens. */
export async function startArena(options: ArenaOptions = {}): Promise<ArenaProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'arena-e2e-'));
  const args = ['bin/arena.mjs', 'serve', '--port', '0', '--data', dataDir, '--workers', '1'];
  args.push('--episodes', String(options.episodes ?? 3));
  args.push('--max-frames', String(options.maxFrames ?? 1200));
  // Only the trained agents a test brings (none by default): the repository's agents/bundled/
  // would add their evaluations and showcase games to every browser test.
  args.push('--bundled', options.bundledDir ?? join(dataDir, 'no-bundled-agents'));
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`arena serve did not start:\n${log}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+?)[\s(]/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`arena serve exited with ${code}:\n${log}`));
    });
  });
  return {
    url,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** True when a socket.io live namespace answers at `origin` with a room list within `ms`. */
export function hasLiveStream(origin: string, ms = 3000): Promise<boolean> {
  return new Promise((done) => {
    const socket = io(`${origin}${LIVE_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
    });
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.on(LIVE_EVENT, (m: { type?: string }) => m?.type === 'rooms' && finish(true));
    socket.on('connect_error', () => finish(false));
  });
}

/** Vite's warnings and errors, less the broken-pipe noise of pages closing mid-stream. */
function quietLogger(): Logger {
  const logger = createLogger('warn');
  const error = logger.error.bind(logger);
  logger.error = (message, options) => {
    if (/ws proxy (socket )?error/.test(message)) return;
    error(message, options);
  };
  return logger;
}

export interface Dashboard {
  url: string;
  stop(): Promise<void>;
}

/**
 * Builds the dashboard into a temporary folder and serves it with `vite preview`, proxying
 * `/api` to `apiTarget` and `/socket.io` to `liveTarget` (the same server unless given).
 */
export async function startDashboard(
  apiTarget: string,
  liveTarget = apiTarget,
): Promise<Dashboard> {
  const outDir = await mkdtemp(join(tmpdir(), 'arena-dashboard-'));
  await build({ configFile: VITE_CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    configFile: VITE_CONFIG,
    customLogger: quietLogger(),
    build: { outDir },
    preview: {
      port: 0,
      host: '127.0.0.1',
      proxy: {
        '/api': { target: apiTarget, changeOrigin: true },
        '/socket.io': {
          target: liveTarget,
          changeOrigin: true,
          ws: true,
        },
      },
    },
  });
  const url = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
  if (!url) throw new Error('vite preview did not report its address');
  return {
    url,
    async stop() {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page that records console errors and uncaught exceptions, for the no-errors checks. */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number; colorScheme?: 'dark' | 'light' } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    colorScheme: options.colorScheme ?? 'dark',
  });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
