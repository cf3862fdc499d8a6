/**
 * The pool's waiting line: the highest priority first, groups of equal priority taking turns,
 * and within a group a higher-priority task passing the group's queued ones.
 */
import { describe, expect, it } from 'vitest';
import { TaskQueue } from './taskQueue.ts';

type Task = { group: string; priority?: number; name: string };

const drain = (queue: TaskQueue<Task>) => {
  const out: string[] = [];
  for (let task = queue.shift(); task; task = queue.shift()) out.push(task.name);
  return out;
};

describe('TaskQueue', () => {
  it('serves the highest priority first and equal groups round-robin', () => {
    const queue = new TaskQueue<Task>();
    for (const name of ['a1', 'a2', 'a3']) queue.push({ group: 'a', priority: 0, name });
    for (const name of ['b1', 'b2']) queue.push({ group: 'b', name });
    queue.push({ group: 'c', priority: 2, name: 'c1' });
    expect(queue.size).toBe(6);
    expect(drain(queue)).toEqual(['c1', 'a1', 'b1', 'a2', 'b2', 'a3']);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('lets a higher-priority task pass its own group, FIFO among equals', () => {
    const queue = new TaskQueue<Task>();
    queue.push({ group: 'matches', name: 'm1' });
    queue.push({ group: 'matches', name: 'm2' });
    queue.push({ group: 'eval', priority: 2, name: 'e1' });
    queue.push({ group: 'eval', priority: 2, name: 'e2' });
    // A match with a waiting remote agent, then another: both pass the queued matches.
    queue.push({ group: 'matches', priority: 20, name: 'remote1' });
    queue.push({ group: 'matches', priority: 20, name: 'remote2' });
    expect(drain(queue)).toEqual(['remote1', 'remote2', 'e1', 'e2', 'm1', 'm2']);
  });

  it('hands back every queued task on clear', () => {
    const queue = new TaskQueue<Task>();
    queue.push({ group: 'a', name: 'a1' });
    queue.push({ group: 'b', priority: 1, name: 'b1' });
    expect(
      queue
        .clear()
        .map((t) => t.name)
        .sort(),
    ).toEqual(['a1', 'b1']);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
