/**
 * A well-behaved remote agent in its own process, so that what the test process does (attacking
 * the server) cannot delay its reading: `node bin/run-ts.mjs tests/remote/steadyAgent.ts URL TOKEN
 * NAME EPISODES`. Prints `ready` at its first observation; from a `go` line on stdin it notes when
 * (wall clock, ms) each observation arrived; at the end it prints one JSON line with its episodes'
 * outcomes and those times.
 */
import { createInterface } from 'node:readline';
import { TestAgent } from './agentClient.ts';

const [url, token, name, episodes] = process.argv.slice(2);
let measuring = false;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'go') measuring = true;
});

const agent = await TestAgent.websocket(url);
agent.hello(token, { agent: name, episodes: Number(episodes) });
let first = true;
const times: number[] = [];
const { messages } = await agent.play((o) => {
  if (first) console.log('ready');
  first = false;
  if (measuring) times.push(Date.now());
  return o.step % 5 === 0 ? 1 : 2 + (o.step % 2);
});
const outcomes = messages.flatMap((m) => (m.type === 'episode_end' ? [m.outcome] : []));
console.log(JSON.stringify({ outcomes, times }));
process.exit(0);
