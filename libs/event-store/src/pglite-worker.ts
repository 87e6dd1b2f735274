import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * PGlite runs Postgres compiled to WASM on the thread that calls it, and inserting an event costs it tens of
 * microseconds. On the main thread that time would be taken from the engine; on a worker thread it runs on the second
 * core while the engine decides the next commands. This is the main thread's end: SQL text goes in, rows come out.
 *
 * The worker's code is plain CommonJS passed as text (`eval`), so it runs the same under Node, the SWC loader of
 * `npm start` and Jest, with no build step and no file to ship beside the compiled code.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const db = new PGlite({ dataDir: workerData.dataDir, postgresqlconf: workerData.postgresqlconf, pgliteWasmModule: workerData.wasmModule });
const ready = db.waitReady;
ready.catch(() => {});
function describe(error) {
  if (error && typeof error === 'object') {
    return { message: String(error.message), code: error.code, constraint: error.constraint, detail: error.detail };
  }
  return { message: String(error) };
}
parentPort.on('message', async (request) => {
  try {
    await ready;
    if (request.close) {
      await db.close();
      parentPort.postMessage({ id: request.id, results: [] });
      return;
    }
    const options = { rowMode: 'array' };
    if (request.copyText !== undefined) options.blob = new Blob([request.copyText]);
    const results = await db.exec(request.sql, options);
    parentPort.postMessage({ id: request.id, results: results.map((result) => result.rows) });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: describe(error) });
  }
});
`;

/** Node's WebAssembly global, which TypeScript declares only with the DOM library. A compiled module is opaque here. */
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledModule> };
type CompiledModule = object;

let compiling: Promise<CompiledModule> | undefined;

/** Postgres' WASM, compiled once per process and shared by every worker (each would otherwise compile it again). */
function compiledPostgres(): Promise<CompiledModule> {
  compiling ??= (async () => {
    const require = createRequire(import.meta.url);
    const path = join(dirname(require.resolve('@electric-sql/pglite')), 'pglite.wasm');
    return WebAssembly.compile(await readFile(path));
  })();
  return compiling;
}

/** Rows of each statement of the SQL text, each row an array of column values. */
export type StatementRows = unknown[][];

interface WorkerResponse {
  readonly id: number;
  readonly results?: StatementRows[];
  readonly error?: { readonly message: string; readonly code?: string; readonly constraint?: string; readonly detail?: string };
}

/** An error reported by Postgres (`code` is the SQLSTATE) or by PGlite. */
export class PgliteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly constraint: string | undefined,
  ) {
    super(message);
    this.name = 'PgliteError';
  }
}

interface Pending {
  readonly resolve: (results: StatementRows[]) => void;
  readonly reject: (error: Error) => void;
}

export class PgliteWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(dataDir: string, postgresqlconf: readonly string[], wasmModule: CompiledModule) {
    const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    // execArgv: [] keeps the parent's loader hooks (--import) out of a worker that needs none.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { pglitePath, dataDir, postgresqlconf, wasmModule } });
    this.worker.unref();
    this.worker.on('message', (response: WorkerResponse) => this.settle(response));
    this.worker.on('error', (error: Error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`The event store's database thread exited (code ${code})`)));
  }

  /** Starts PGlite on `dataDir` (created and initialised when empty) and waits until it answers. */
  static async start(dataDir: string, postgresqlconf: readonly string[]): Promise<PgliteWorker> {
    const worker = new PgliteWorker(dataDir, postgresqlconf, await compiledPostgres());
    try {
      await worker.exec('SELECT 1');
    } catch (error) {
      await worker.worker.terminate();
      throw error;
    }
    return worker;
  }

  /**
   * Runs SQL text through the simple query protocol: several statements run as one implicit transaction.
   * `copyText` feeds a `COPY ... FROM '/dev/blob'`.
   */
  exec(sql: string, copyText?: string): Promise<StatementRows[]> {
    return this.request({ sql, copyText });
  }

  /** Closes PGlite (it writes its files out) and ends the thread. */
  async close(): Promise<void> {
    try {
      if (!this.failure) await this.request({ close: true });
    } finally {
      this.failure ??= new Error('The event store is closed');
      await this.worker.terminate();
    }
  }

  private request(body: { sql?: string; copyText?: string; close?: boolean }): Promise<StatementRows[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise<StatementRows[]>((resolve, reject) => {
      // The thread keeps the process alive only while someone waits for it.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...body });
    });
  }

  private settle(response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    if (response.error) pending.reject(new PgliteError(response.error.message, response.error.code, response.error.constraint));
    else pending.resolve(response.results ?? []);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}
