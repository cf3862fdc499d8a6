/**
 * The agents of `remote.bench.ts`, in their own process so the server's thread does not run them:
 * `node bin/run-ts.mjs tests/bench/remoteClients.ts URL TOKEN AGENTS SECONDS PREFIX`. Each agent
 * is a plain WebSocket client playing Brick with a trivial policy (serve, then sweep left and
 * right). Prints `ready` once every agent has its first observation; on a `go` line from stdin it
 * counts steps and times each cycle (action sent → next observation received, which includes the
 * server's emulation) for SECONDS, then prints one JSON line and exits.
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { HEADER_BYTES, PROTOCOL_VERSION, WS_PATH } from '../../server/remote/protocol.ts';

const [url, token, agentsArg, secondsArg, prefix] = process.argv.slice(2);
const agents = Number(agentsArg);
const seconds = Number(secondsArg);

let measuring = false;
const steps = new Array<number>(agents).fill(0);
const cycles: number[] = [];
let ready = 0;
let failures = 0;

function policy(step: number): number {
  if (step % 16 === 0) return 1;
  return Math.floor(step / 24) % 2 === 0 ? 2 : 3;
}

function connect(i: number): void {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${WS_PATH}`, { perMessageDeflate: false });
  let sentAt = 0;
  let first = true;
  ws.on('open', () => {
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        token,
        agent: `${prefix}-${String(i).padStart(2, '0')}`,
        game: 'brick',
        observation: 'stack',
        episodes: 30,
      }),
    );
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      const message = JSON.parse(data.toString('utf8'));
      if (message.type === 'error' || (message.type === 'episode_end' && message.outcome !== 'OK'))
        failures++;
      return;
    }
    const now = performance.now();
    if (first) {
      first = false;
      if (++ready === agents) console.log('ready');
    }
    if (measuring && sentAt > 0) {
      cycles.push(now - sentAt);
      steps[i]++;
    }
    if (data[1] !== PROTOCOL_VERSION) throw new Error(`observation of protocol ${data[1]}`);
    const step = data.readUInt32LE(4);
    // The pixels start at HEADER_BYTES; a real agent would read them here.
    if (data.length <= HEADER_BYTES) throw new Error('empty observation');
    sentAt = performance.now();
    ws.send(`{"type":"action","step":${step},"action":${policy(step)}}`);
  });
  ws.on('error', () => {
    failures++;
  });
}

for (let i = 0; i < agents; i++) connect(i);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'go') return;
  measuring = true;
  const t0 = performance.now();
  setTimeout(() => {
    measuring = false;
    const elapsed = (performance.now() - t0) / 1000;
    cycles.sort((a, b) => a - b);
    const at = (q: number) => cycles[Math.min(cycles.length - 1, Math.floor(q * cycles.length))];
    console.log(
      JSON.stringify({
        seconds: elapsed,
        steps,
        cycleP50Ms: at(0.5),
        cycleP99Ms: at(0.99),
        failures,
      }),
    );
    process.exit(0);
  }, seconds * 1000);
});
