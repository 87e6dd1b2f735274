// One service of the distributed mode as a child process: started with the repository's TypeScript loader, its output
// prefixed with its name line by line, its last lines kept for when it dies, its readiness polled over HTTP.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface ServiceProcessOptions {
  readonly name: string;
  /** The entry point, relative to `cwd`. */
  readonly main: string;
  /** The repository root: `tools/register.mjs` and the entry point are resolved against it. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where `/health/ready` is asked. */
  readonly url: string;
  /** Writes one prefixed output line (the caller chooses the stream and the colour). */
  readonly output: (name: string, line: string, stream: 'stdout' | 'stderr') => void;
  /** How many of its last output lines are kept to explain an exit. Default 40. */
  readonly keepLines?: number;
}

/** How a process ended, in words: `exited with code 1`, `was killed by SIGKILL`. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `was killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}

/** The last `capacity` lines written, oldest first. */
export class LastLines {
  private readonly lines: string[] = [];
  constructor(private readonly capacity: number) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  all(): readonly string[] {
    return [...this.lines];
  }
}

export interface ServiceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private readonly last: LastLines;
  private exitState: ServiceExit | undefined;
  /** Settles when the process has exited and its output has been read to the end. */
  readonly exited: Promise<ServiceExit>;
  private resolveExit!: (exit: ServiceExit) => void;

  constructor(private readonly options: ServiceProcessOptions) {
    this.last = new LastLines(options.keepLines ?? 40);
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get name(): string {
    return this.options.name;
  }

  get url(): string {
    return this.options.url;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Undefined while it runs. */
  get exit(): ServiceExit | undefined {
    return this.exitState;
  }

  lastLines(): readonly string[] {
    return this.last.all();
  }

  start(): void {
    const child = spawn(process.execPath, ['--enable-source-maps', '--import', './tools/register.mjs', this.options.main], {
      cwd: this.options.cwd,
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches only the supervisor, which then stops each service
      // once with SIGTERM. Nest's shutdown hook re-raises the signal after closing, so a second one arriving
      // while it closes would kill it halfway.
      detached: true,
    });
    this.child = child;
    const streamsDone = Promise.all([this.pipe(child.stdout, 'stdout'), this.pipe(child.stderr, 'stderr')]);
    child.once('error', (error) => {
      this.last.push(`could not start: ${error.message}`);
      this.exitState = { code: null, signal: null };
      this.resolveExit(this.exitState);
    });
    child.once('exit', (code, signal) => {
      // The exit is reported after the last lines are read, so "why it died" has them.
      void streamsDone.then(() => {
        this.exitState = { code, signal };
        this.resolveExit(this.exitState);
      });
    });
  }

  private pipe(stream: Readable | null, kind: 'stdout' | 'stderr'): Promise<void> {
    if (stream === null) return Promise.resolve();
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      this.last.push(line);
      this.options.output(this.options.name, line, kind);
    });
    return new Promise((resolve) => lines.once('close', resolve));
  }

  /**
   * Resolves once `/health/ready` answers 200; rejects with the reason when the process exits first or `timeoutMs`
   * passes (the last readiness answer is in the message).
   */
  async waitReady(timeoutMs: number, pollMs = 1000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastAnswer = 'no answer yet';
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!exited) {
      try {
        const response = await fetch(new URL('/health/ready', this.options.url), { signal: AbortSignal.timeout(Math.max(pollMs, 2000)) });
        const body = await response.text();
        if (response.status === 200) return;
        lastAnswer = `HTTP ${response.status} ${body.slice(0, 500)}`;
      } catch (error) {
        // Duck-typed: fetch's errors may come from another realm, where instanceof fails.
        const failure = error as { message?: unknown; cause?: { message?: unknown } } | null;
        lastAnswer = String(failure?.cause?.message ?? failure?.message ?? error);
      }
      if (Date.now() >= deadline) throw new Error(`${this.name} was not ready within ${Math.round(timeoutMs / 1000)} s (${this.url}/health/ready: ${lastAnswer})`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    const exit = await this.exited;
    throw new Error(`${this.name} ${describeExit(exit.code, exit.signal)} before it was ready`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  async stop(graceMs: number): Promise<ServiceExit> {
    if (this.child === undefined) return { code: null, signal: null };
    if (this.exitState !== undefined) return this.exitState;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` to the service's process group (the service and anything it started). */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.exitState !== undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone: its exit event is on the way.
    }
  }
}
