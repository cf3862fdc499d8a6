import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../emulators/errors.ts';
import { buildQNetwork } from '../dqn/network.ts';
import { getTf, type TfHandle } from '../dqn/tfBackend.ts';
import { checkAgentDir } from './check.ts';
import { loadDqnAgent, saveAgentDir } from './io.ts';

let handle: TfHandle;
let root: string;
let good: string;
let count = 0;

const ACTIONS = ['NOOP', 'FIRE', 'RIGHT', 'LEFT'];

beforeAll(async () => {
  handle = await getTf({ quiet: true });
  root = await mkdtemp(join(tmpdir(), 'arena-agent-'));
  good = join(root, 'good');
  const model = buildQNetwork(handle.tf, { net: 'small', numActions: ACTIONS.length, seed: 5 });
  await saveAgentDir(good, {
    tf: handle.tf,
    model,
    meta: {
      name: 'test-agent',
      game: 'brick',
      actions: ACTIONS,
      observation: {
        frameStack: 4,
        height: 84,
        width: 84,
        layout: 'NHWC',
        pixels: 'grayscale-0-255',
        frameSkip: 4,
      },
      network: { kind: 'small', dueling: false, parameters: model.countParams() },
      training: { algorithm: 'dqn', steps: 0, frames: 0 },
      backend: handle.name,
      licence: 'MIT',
    },
  });
  model.dispose();
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A copy of the good agent with one change applied. */
async function variant(change: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(root, `bad-${count++}`);
  await mkdir(dir);
  for (const f of ['agent.json', 'model.json', 'weights.bin'])
    await writeFile(join(dir, f), await readFile(join(good, f)));
  await change(dir);
  return dir;
}

// biome-ignore lint/suspicious/noExplicitAny: the edits reach into arbitrary JSON on purpose.
async function editJson(dir: string, file: string, edit: (json: any) => void): Promise<void> {
  const json = JSON.parse(await readFile(join(dir, file), 'utf8'));
  edit(json);
  await writeFile(join(dir, file), JSON.stringify(json));
}

async function rejection(dir: string, options = {}): Promise<string> {
  try {
    await checkAgentDir(dir, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error(`${dir} was accepted`);
}

describe('agent folders', () => {
  it('accepts a saved agent and loads it as a playing agent', async () => {
    const checked = await checkAgentDir(good, { expectedActions: ACTIONS, expectedGame: 'brick' });
    expect(checked.meta.actions).toEqual(ACTIONS);
    expect(checked.files).toEqual(['agent.json', 'model.json', 'weights.bin']);
    const { agent } = await loadDqnAgent(good);
    const obs = new Uint8Array(4 * 84 * 84).fill(7);
    expect(agent.qValues(obs)).toHaveLength(4);
    expect(agent.act(obs)).toBeLessThan(4);
    agent.dispose();
  });

  const cases: [string, (dir: string) => Promise<void>, RegExp, object?][] = [
    ['a missing model.json', (d) => rm(join(d, 'model.json')), /missing model\.json/],
    ['a missing agent.json', (d) => rm(join(d, 'agent.json')), /missing agent\.json/],
    [
      'a missing weight file',
      (d) => rm(join(d, 'weights.bin')),
      /missing weight file weights\.bin/,
    ],
    ['an extra file', (d) => writeFile(join(d, 'run.sh'), 'echo hi'), /unexpected file run\.sh/],
    ['a subfolder', (d) => mkdir(join(d, 'more')), /more is not a plain file/],
    [
      'a symbolic link',
      (d) => symlink('/etc/passwd', join(d, 'README.md')),
      /README\.md is not a plain file/,
    ],
    [
      'a truncated weight file',
      async (d) =>
        writeFile(join(d, 'weights.bin'), (await readFile(join(d, 'weights.bin'))).subarray(8)),
      /hold \d+ bytes but model\.json describes \d+/,
    ],
    [
      'a weight path leaving the folder',
      (d) =>
        editJson(d, 'model.json', (j) => {
          j.weightsManifest[0].paths = ['../weights.bin'];
        }),
      /must be a plain file name/,
    ],
    [
      'a wrong input shape',
      (d) =>
        editJson(d, 'model.json', (j) => {
          j.modelTopology.config.layers[0].config.batch_input_shape = [null, 84, 84, 3];
        }),
      /input shape is \[null,84,84,3\]/,
    ],
    [
      'a Lambda layer',
      (d) =>
        editJson(d, 'model.json', (j) => {
          j.modelTopology.config.layers[2].class_name = 'Lambda';
        }),
      /layer conv1 has type Lambda, which is not allowed/,
    ],
    [
      'a serialised activation function',
      (d) =>
        editJson(d, 'model.json', (j) => {
          j.modelTopology.config.layers[2].config.activation = { class_name: 'Custom', config: {} };
        }),
      /uses activation .* not allowed/,
    ],
    [
      'actions not matching the game',
      async () => {},
      /agent has 4 actions but the game has 6/,
      { expectedActions: 6 },
    ],
    [
      'an action set in another order',
      async () => {},
      /do not match the game's/,
      { expectedActions: ['NOOP', 'FIRE', 'LEFT', 'RIGHT'] },
    ],
    [
      'an output count differing from agent.json',
      (d) =>
        editJson(d, 'agent.json', (j) => {
          j.actions = ['NOOP', 'FIRE'];
        }),
      /outputs shape \[null,4\] but agent\.json lists 2 actions/,
    ],
    [
      'agent.json without a licence',
      (d) =>
        editJson(d, 'agent.json', (j) => {
          delete j.licence;
        }),
      /agent\.json: licence/,
    ],
    [
      'a weight average whose decay is not below 1',
      (d) =>
        editJson(d, 'agent.json', (j) => {
          j.training.weightAverage = { decay: 1, updates: 10 };
        }),
      /agent\.json: training\.weightAverage\.decay/,
    ],
    [
      'agent.json that is not JSON',
      (d) => writeFile(join(d, 'agent.json'), '{'),
      /agent\.json is not valid JSON/,
    ],
    [
      'an oversized README',
      (d) => writeFile(join(d, 'README.md'), 'x'.repeat(70_000)),
      /README\.md is 70000 bytes; the limit is 65536/,
    ],
    [
      'an oversized agent.json',
      (d) => writeFile(join(d, 'agent.json'), ' '.repeat(70_000)),
      /agent\.json is 70000 bytes/,
    ],
  ];

  for (const [what, change, message, options] of cases) {
    it(`rejects ${what}`, async () => {
      expect(await rejection(await variant(change), options)).toMatch(message);
    });
  }

  it('rejects a folder that does not exist', async () => {
    expect(await rejection(join(root, 'nowhere'))).toMatch(/folder not found/);
  });
});
