/** A waiting fetch-and-lock request as the distribution sees it. */
export interface WaitingRequest<Task> {
  readonly id: string;
  /** At most this many tasks for this request. */
  readonly maxTasks: number;
  /** Whether the request takes this task (one of its topics, its filters). */
  accepts(task: Task): boolean;
}

/**
 * Shares `tasks` (in the order they should be handed out: by priority, then oldest first) among the waiting requests,
 * round-robin: each request in turn takes the next task it accepts, one at a time, until every request has its
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
  // Where each request goes on looking: every task before it was taken or not accepted by it.
  const cursors = order.map(() => 0);
  let active = order.map((request) => request.maxTasks > 0);
  while (active.some(Boolean)) {
    const next = [...active];
    order.forEach((request, index) => {
      if (!active[index]) return;
      let cursor = cursors[index] ?? 0;
      while (cursor < tasks.length && (taken[cursor] || !request.accepts(tasks[cursor] as Task))) cursor++;
      cursors[index] = cursor + 1;
      if (cursor >= tasks.length) {
        next[index] = false;
        return;
      }
      taken[cursor] = true;
      const share = shares.get(request.id) ?? [];
      share.push(tasks[cursor] as Task);
      shares.set(request.id, share);
      if (share.length >= request.maxTasks) next[index] = false;
    });
    active = next;
  }
  return shares;
}
