/**
 * A minimal remote agent in TypeScript over socket.io: connects to an arena, says hello with its
 * owner's token, plays Brick episodes with a trivial policy and prints each episode's result.
 * It depends on nothing but `socket.io-client`; copy it anywhere and change `chooseAction`. The
 * protocol is described in docs/remote-agents.md.
 *
 *   node bin/run-ts.mjs examples/remote-agent-ts/agent.ts \
 *     --server http://127.0.0.1:8080 --token aa_... [--agent ts-example] [--game brick] [--episodes 1]
 *
 * Exit status 0 when every episode ended OK, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';

const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: 'http://127.0.0.1:8080' },
    token: { type: 'string', default: process.env.ARENA_TOKEN ?? '' },
    agent: { type: 'string', default: 'ts-example' },
    game: { type: 'string', default: 'brick' },
    episodes: { type: 'string', default: '1' },
  },
});
if (!args.token) {
  console.error('pass --token (an owner token from POST /api/owners) or set ARENA_TOKEN');
  process.exit(2);
}

// The 24-byte header in front of every observation (little-endian), protocol 2; see
// docs/remote-agents.md, section 4.
const HEADER_BYTES = 24;
interface Observation {
  lives: number;
  step: number;
  score: number;
  /** How far past `stepMs` the reply to this observation may run, ms. */
  bankMs: number;
  /** Steps missed in a row just before this one (`lateLimit` of them forfeit). */
  missedInARow: number;
  /** The latest 84x84 grayscale frame, row-major. */
  pixels: Uint8Array;
}

function decode(bytes: Uint8Array): Observation {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== 1 || view.getUint8(1) !== 2) throw new Error('not a v2 observation');
  return {
    lives: view.getUint8(3),
    step: view.getUint32(4, true),
    score: view.getFloat64(8, true),
    bankMs: view.getUint32(16, true),
    missedInARow: view.getUint32(20, true),
    pixels: bytes.subarray(HEADER_BYTES),
  };
}

/** The policy: serve, then sweep the paddle left and right. Replace with your own. */
function chooseAction(obs: Observation, actions: string[]): number {
  const named = (name: string) => Math.max(0, actions.indexOf(name));
  if (obs.step % 16 === 0) return named('FIRE');
  return Math.floor(obs.step / 24) % 2 === 0 ? named('LEFT') : named('RIGHT');
}

const socket = io(`${args.server}/agents`, { transports: ['websocket'], reconnection: false });
let actions: string[] = [];
let failed = false;

socket.on('connect', () => {
  socket.send(
    JSON.stringify({
      type: 'hello',
      protocol: 2,
      token: args.token,
      agent: args.agent,
      game: args.game,
      mode: 'episodes',
      observation: 'frame',
      episodes: Number(args.episodes),
    }),
  );
});

socket.on('message', (data: string | ArrayBuffer | Uint8Array) => {
  if (typeof data !== 'string') {
    const obs = decode(data instanceof Uint8Array ? data : new Uint8Array(data));
    const action = chooseAction(obs, actions);
    socket.send(JSON.stringify({ type: 'action', step: obs.step, action }));
    return;
  }
  const message = JSON.parse(data);
  switch (message.type) {
    case 'welcome':
      actions = message.actions;
      console.log(
        `playing ${message.game} as ${args.agent} v${message.version}: ${message.episodes} episode(s), ` +
          `${message.budget.stepMs} ms per step, ${message.budget.bankMs} ms bank`,
      );
      break;
    case 'late':
      console.log(
        `step ${message.step} ${message.missed ? 'missed (played as NOOP)' : 'late'} after ` +
          `${message.elapsedMs} ms: ${message.bankMs} ms left in the bank`,
      );
      break;
    case 'episode_end':
      console.log(
        `episode ${message.episode}: ${message.outcome}, score ${message.score}, ${message.frames} frames` +
          (message.reason ? ` (${message.reason})` : ''),
      );
      if (message.outcome !== 'OK') failed = true;
      break;
    case 'done':
      console.log(`done: ${message.episodes} episode(s)`);
      break;
    case 'error':
      console.error(`${message.code}: ${message.message}`);
      failed = true;
      break;
  }
});

socket.on('connect_error', (error) => {
  console.error(`cannot connect to ${args.server}: ${error.message}`);
  process.exit(1);
});
socket.on('disconnect', () => {
  process.exit(failed ? 1 : 0);
});
