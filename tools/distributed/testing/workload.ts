// What the end-to-end tests and bench:distributed do over the REST API: deploy, start instances, do jobs as a worker
// does (list open jobs, complete them) and complete user tasks through the task-service. A request that finds its
// service down (the gateway's 503, a refused connection) is tried again: the fault tests kill services under load,
// and a client of the platform would retry the same way.

export interface HttpAnswer<T> {
  readonly status: number;
  readonly body: T;
}

const RETRIED_STATUSES = new Set([502, 503, 504]);

/** One JSON request; retried while the service is unreachable or its gateway answers 502/503/504, up to `deadlineMs`. */
export async function call<T = unknown>(method: string, url: string, body?: unknown, deadlineMs = 120_000): Promise<HttpAnswer<T>> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    let retry: string;
    try {
      const response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (!RETRIED_STATUSES.has(response.status)) return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
      retry = `HTTP ${response.status} ${text.slice(0, 200)}`;
    } catch (error) {
      const failure = error as { message?: unknown; cause?: { message?: unknown } } | null;
      retry = String(failure?.cause?.message ?? failure?.message ?? error);
    }
    if (Date.now() > deadline) throw new Error(`${method} ${url} did not answer within ${deadlineMs} ms: ${retry}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Like `call`, but only `expected` statuses are answers; anything else throws with the body. */
export async function expectCall<T = unknown>(method: string, url: string, expected: readonly number[], body?: unknown): Promise<HttpAnswer<T>> {
  const answer = await call<T>(method, url, body);
  if (!expected.includes(answer.status)) throw new Error(`${method} ${url}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
  return answer;
}

export interface DeploymentAnswer {
  readonly id: string;
  readonly processDefinitions: readonly { readonly id: string; readonly processId: string; readonly version: number }[];
}

/** POST /api/deployments with one BPMN file. */
export async function deploy(baseUrl: string, fileName: string, bpmn: string): Promise<DeploymentAnswer> {
  const form = new FormData();
  form.append('resources', new Blob([bpmn], { type: 'application/xml' }), fileName);
  const response = await fetch(`${baseUrl}/api/deployments`, { method: 'POST', body: form });
  const body = (await response.json()) as DeploymentAnswer;
  if (response.status !== 201) throw new Error(`deploying ${fileName}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

export interface StartedInstance {
  readonly id: string;
  readonly startedAt: number;
}

/**
 * POST /api/process-instances; a 404 (the runtime has not caught up with the deployment yet) is tried again for a
 * while. Resolves with the instance id and when the request was sent.
 */
export async function startInstance(baseUrl: string, processId: string, variables: Record<string, unknown> = {}): Promise<StartedInstance> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const startedAt = Date.now();
    const answer = await call<{ id: string }>('POST', `${baseUrl}/api/process-instances`, { processId, variables });
    if (answer.status === 201) return { id: answer.body.id, startedAt };
    if (answer.status !== 404 || Date.now() > deadline) throw new Error(`starting ${processId}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `work` for each item with at most `concurrency` at a time. */
export async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

export interface WorkerCounts {
  /** Completions the API accepted. */
  completed: number;
  /** Completions answered 404/409: done by another worker, or already on their way. */
  refused: number;
  /** Failed polls or completions (service down): tried again. */
  errors: number;
}

/**
 * Polls until stopped: with a `poll` that lists what is open and a `complete` for one item, completing `concurrency`
 * at a time. Items whose completion is refused are not retried by this worker; failed ones come back in a later poll.
 */
export class PollingWorker<T extends { readonly id: string }> {
  readonly counts: WorkerCounts = { completed: 0, refused: 0, errors: 0 };
  private stopped = false;
  private readonly loop: Promise<void>;
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly poll: () => Promise<readonly T[]>,
    private readonly complete: (item: T) => Promise<'completed' | 'refused'>,
    private readonly concurrency: number,
    private readonly idleMs = 50,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let items: readonly T[] = [];
      try {
        items = (await this.poll()).filter((item) => !this.inFlight.has(item.id));
      } catch {
        this.counts.errors++;
      }
      if (items.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, this.idleMs));
        continue;
      }
      await eachLimited(items, this.concurrency, async (item) => {
        if (this.stopped) return;
        this.inFlight.add(item.id);
        try {
          const outcome = await this.complete(item);
          this.counts[outcome]++;
        } catch {
          this.counts.errors++;
        } finally {
          this.inFlight.delete(item.id);
        }
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

export interface OpenJob {
  readonly id: string;
  readonly processInstanceId: string;
}

/** A job worker over the runtime's REST API: GET /api/jobs?type=…, POST /api/jobs/{id}/complete. */
export function jobWorker(baseUrls: readonly string[], type: string, concurrency: number, onCompleted?: (job: OpenJob) => void): PollingWorker<OpenJob> {
  let turn = 0;
  const pick = (): string => baseUrls[turn++ % baseUrls.length];
  return new PollingWorker<OpenJob>(
    async () => {
      const answer = await call<OpenJob[]>('GET', `${pick()}/api/jobs?type=${encodeURIComponent(type)}&limit=200`, undefined, 5_000);
      if (answer.status !== 200) throw new Error(`GET /api/jobs: HTTP ${answer.status}`);
      return answer.body;
    },
    async (job) => {
      const answer = await call('POST', `${pick()}/api/jobs/${job.id}/complete`, { variables: { workedBy: 'e2e' } }, 5_000);
      if (answer.status === 200) {
        onCompleted?.(job);
        return 'completed';
      }
      if (answer.status === 404 || answer.status === 409) return 'refused';
      throw new Error(`completing job ${job.id}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    },
    concurrency,
  );
}

export interface OpenTask {
  readonly id: string;
  readonly processInstanceId: string;
}

/** Completes user tasks through the task-service: GET /api/tasks?state=CREATED, POST /api/tasks/{id}/complete (202). */
export function taskWorker(baseUrl: string, processDefinitionId: string, concurrency: number): PollingWorker<OpenTask> {
  return new PollingWorker<OpenTask>(
    async () => {
      const answer = await call<{ items: OpenTask[] }>(
        'GET',
        `${baseUrl}/api/tasks?state=CREATED&processDefinitionId=${encodeURIComponent(processDefinitionId)}&limit=200`,
        undefined,
        5_000,
      );
      if (answer.status !== 200) throw new Error(`GET /api/tasks: HTTP ${answer.status}`);
      return answer.body.items;
    },
    async (task) => {
      const answer = await call('POST', `${baseUrl}/api/tasks/${task.id}/complete`, { variables: { approved: true } }, 5_000);
      if (answer.status === 202) return 'completed';
      if (answer.status === 404 || answer.status === 409) return 'refused';
      throw new Error(`completing task ${task.id}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    },
    concurrency,
    100,
  );
}

/** Polls `check` until it answers true; throws naming `what` and the last `describe()` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, describe?: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let done = false;
    try {
      done = await check();
    } catch {
      done = false;
    }
    if (done) return;
    if (Date.now() > deadline) throw new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${what}${describe === undefined ? '' : `: ${await describe()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `total` of a paged list answer (`{items, total}`). */
export async function totalOf(url: string): Promise<number> {
  const answer = await call<{ total: number }>('GET', url, undefined, 10_000);
  if (answer.status !== 200) throw new Error(`GET ${url}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.total;
}
