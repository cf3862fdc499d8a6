/**
 * The showcase's worker thread (see `showcase.ts`): plays each showcase game in real time, one
 * episode after another, each in its own live room whose frames go through a `PortSink` on a new
 * message channel. A room ends naming the next episode's room, so viewers follow the game.
 */
import { MessageChannel, parentPort, workerData } from 'node:worker_threads';
import type { Agent } from '../../agents/agent.ts';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import { makeNesEnv } from '../../emulators/index.ts';
import { PortSink } from './portSink.ts';
import { runRealtime } from './realtimeRunner.ts';
import type {
  ShowcaseDoneMessage,
  ShowcaseGame,
  ShowcaseLogMessage,
  ShowcaseRoomMessage,
  ShowcaseStopMessage,
  ShowcaseWorkerData,
} from './showcase.ts';
import type { RoomOptions } from './streamHub.ts';

const control = parentPort;
if (!control) throw new Error('server/stream/showcaseWorker.ts must run in a worker thread');
const { games, runId } = workerData as ShowcaseWorkerData;
const abort = new AbortController();
control.on('message', (message: ShowcaseStopMessage) => {
  if (message?.type === 'stop') abort.abort();
});

function log(line: string): void {
  control!.postMessage({ type: 'log', line } satisfies ShowcaseLogMessage);
}

function openRoom(room: RoomOptions): PortSink {
  const { port1, port2 } = new MessageChannel();
  control!.postMessage({ type: 'room', room, port: port2 } satisfies ShowcaseRoomMessage, [port2]);
  return new PortSink(port1);
}

/** A trained agent, loaded once per game (TF.js only when a showcase has one). */
async function loadModel(show: ShowcaseGame, actions: readonly string[]): Promise<Agent> {
  if (!show.modelDir) throw new Error(`showcase ${show.game}: a model agent needs modelDir`);
  const { loadDqnAgent } = await import('../../agents/format/io.ts');
  const { agent } = await loadDqnAgent(show.modelDir, {
    expectedActions: [...actions],
    expectedGame: show.game,
  });
  return agent;
}

async function play(show: ShowcaseGame, index: number): Promise<void> {
  const env = makeNesEnv({ game: show.game, settings: show.settings });
  let model: Agent | null = null;
  if (show.agent === 'model') {
    try {
      model = await loadModel(show, env.actionSpace.names);
    } catch (error) {
      if (!show.fallbackAgent) throw error;
      log(
        `showcase ${show.game}: ${(error as Error).message}; playing the ${show.fallbackAgent} agent instead`,
      );
    }
  }
  const builtin = show.agent === 'model' ? (show.fallbackAgent ?? 'scripted') : show.agent;
  const roomId = (round: number) => `showcase-${show.game}-${runId}-${round}`;
  try {
    for (let round = 0; !abort.signal.aborted; round++) {
      const seed = (index + 1) * 100_000 + round;
      const agent =
        model ??
        makeBuiltinAgent(builtin, {
          entry: env.entry,
          actions: env.actionSpace.names,
          seed,
          ram: () => env.machine.ram,
        });
      const players = [{ name: agent.name, agentKind: model ? 'dqn' : builtin }];
      if (show.opponent) players.push({ name: show.opponent, agentKind: 'builtin' });
      const sink = openRoom({
        roomId: roomId(round),
        game: show.game,
        kind: show.opponent ? 'match' : 'episode',
        players,
        actionNames: [...env.actionSpace.names],
        fps: 60,
        speed: 1,
        note: 'showcase',
      });
      const result = await runRealtime({
        env,
        agent,
        sink,
        seed,
        signal: abort.signal,
        opponentName: show.opponent,
        endSink: false,
      });
      sink.end({
        reason: result.reason,
        score: result.score,
        frames: result.frames,
        ...(show.opponent
          ? {
              players: [
                { name: agent.name, score: result.score },
                { name: show.opponent, score: result.opponentScore },
              ],
            }
          : {}),
        ...(abort.signal.aborted ? {} : { nextRoomId: roomId(round + 1) }),
      });
      if (!model) agent.dispose?.();
    }
  } finally {
    model?.dispose?.();
    env.close();
  }
}

await Promise.all(
  games.map((show, index) =>
    play(show, index).catch((error: Error) =>
      log(`showcase ${show.game} stopped: ${error.message}`),
    ),
  ),
);
// Every game stopped. Open message ports would keep this thread alive, so the main side ends it
// once this message (queued after everything else sent on this port) arrives.
control.postMessage({ type: 'done' } satisfies ShowcaseDoneMessage);
