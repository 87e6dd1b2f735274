/** A waiting fetch-and-lock request as the distribution sees it. */
export interface WaitingRequest<Task> {
  readonly id: string;
  /** At most this many tasks for this request. */
  readonly maxTasks: number;
  /** Whether the request takes this task (one of its topics, its filters). */
  accepts(task: Task): boolean;
  /**
   * The order this request takes tasks in, when it is not that of `tasks` (a worker fetching with `usePriority`: higher
   * priority first). The sort is stable: tasks it ranks equal stay in the order of `tasks`.
   */
  readonly compare?: (a: Task, b: Task) => number;
}

/**
 * Shares `tasks` (in the order they should be handed out: oldest first) among the waiting requests, round-robin: each
 * request in turn takes the next task it accepts (in its own order, when it has a `compare`), one at a time, until every request has its
 * `maxTasks` or nothing more it accepts is left. Two workers polling one topic therefore split a batch evenly instead of
 * the first one taking all of it; a request with a narrower filter still gets what only it accepts. `start` is where the
 * round begins (the caller turns it from one distribution to the next, so no request is always served first).
 * Returns the tasks of each request that got any, by request id.
 */
export function shareOut<Task>(requests: readonly WaitingRequest<Task>[], tasks: readonly Task[], start = 0): Map<string, Task[]> {
  const shares = new Map<string, Task[]>();
  if (requests.length === 0 || tasks.length === 0) return shares;
  const taken = new Array<boolean>(tasks.length).fill(false);
  const first = ((start % requests.length) + requests.length) % requests.length;
  const order = [...requests.slice(first), ...requests.slice(0, first)];
  // The task indexes in the order each request takes them; requests sharing one comparator share one sorted list.
  const natural = tasks.map((_, index) => index);
  const sorted = new Map<(a: Task, b: Task) => number, number[]>();
  const sequences = order.map((request) => {
    const compare = request.compare;
    if (compare === undefined) return natural;
    let sequence = sorted.get(compare);
    if (sequence === undefined) {
      sequence = [...natural].sort((a, b) => compare(tasks[a] as Task, tasks[b] as Task));
      sorted.set(compare, sequence);
    }
    return sequence;
  });
  // Where each request goes on looking in its sequence: every task before it was taken or not accepted by it.
  const cursors = order.map(() => 0);
  let active = order.map((request) => request.maxTasks > 0);
  while (active.some(Boolean)) {
    const next = [...active];
    order.forEach((request, index) => {
      if (!active[index]) return;
      const sequence = sequences[index] ?? natural;
      let cursor = cursors[index] ?? 0;
      while (cursor < sequence.length && (taken[sequence[cursor] as number] || !request.accepts(tasks[sequence[cursor] as number] as Task))) cursor++;
      cursors[index] = cursor + 1;
      if (cursor >= sequence.length) {
        next[index] = false;
        return;
      }
      const taskIndex = sequence[cursor] as number;
      taken[taskIndex] = true;
      const share = shares.get(request.id) ?? [];
      share.push(tasks[taskIndex] as Task);
      shares.set(request.id, share);
      if (share.length >= request.maxTasks) next[index] = false;
    });
    active = next;
  }
  return shares;
}
