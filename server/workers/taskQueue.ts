/**
 * The worker pool's waiting line: tasks in groups (one group per evaluation job, one for the
 * matches), served by priority and taking turns. The next task is the first of the group whose
 * first task has the highest priority; groups of equal priority go round-robin, so one long
 * evaluation never holds every worker while others wait. Within a group a higher priority goes
 * first too (FIFO among equals): a job's first task, or a match against a waiting remote agent,
 * passes the group's queued ones. The scale of priorities is `server/priorities.ts`.
 */
export interface QueuedTask {
  group: string;
  /** Default 0. */
  priority?: number;
}

export class TaskQueue<T extends QueuedTask> {
  /** Queued tasks by group, each list in priority order. */
  private readonly groups = new Map<string, T[]>();
  /** The round-robin rotation of the groups that have queued tasks. */
  private order: string[] = [];

  get size(): number {
    let n = 0;
    for (const list of this.groups.values()) n += list.length;
    return n;
  }

  push(task: T): void {
    const list = this.groups.get(task.group);
    if (!list) {
      this.groups.set(task.group, [task]);
      this.order.push(task.group);
      return;
    }
    const rank = task.priority ?? 0;
    const at = list.findIndex((queued) => (queued.priority ?? 0) < rank);
    if (at === -1) list.push(task);
    else list.splice(at, 0, task);
  }

  /** The next task to run, taken off the queue, or undefined when none waits. */
  shift(): T | undefined {
    if (this.order.length === 0) return undefined;
    let pick = 0;
    let best = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < this.order.length; k++) {
      const priority = this.groups.get(this.order[k])![0].priority ?? 0;
      if (priority > best) {
        best = priority;
        pick = k;
      }
    }
    const [group] = this.order.splice(pick, 1);
    const list = this.groups.get(group)!;
    const task = list.shift()!;
    if (list.length > 0) this.order.push(group);
    else this.groups.delete(group);
    return task;
  }

  /** Removes and returns every queued task. */
  clear(): T[] {
    const all = [...this.groups.values()].flat();
    this.groups.clear();
    this.order = [];
    return all;
  }
}
