import { existsSync, rmSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
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
function options(copyText) {
  return copyText === undefined ? { rowMode: 'array' } : { rowMode: 'array', blob: new Blob([copyText]) };
}
// The transaction that failed last: a transaction sent to run after it is skipped, and fails in turn.
let failedTransaction;
// BEGIN rides with the first step and COMMIT with the last: two round trips into Postgres fewer than apart.
async function transaction(request) {
  if (request.after !== undefined && request.after === failedTransaction) {
    failedTransaction = request.id;
    return { skipped: true };
  }
  const last = request.steps.length - 1;
  try {
    for (let i = 0; i <= last; i++) {
      const step = request.steps[i];
      await db.exec((i === 0 ? 'BEGIN;\\n' : '') + step.sql + (i === last ? ';\\nCOMMIT' : ''), options(step.copyText));
    }
  } catch (error) {
    failedTransaction = request.id;
    await db.exec('ROLLBACK').catch(() => {});
    throw error;
  }
  return {};
}
async function handle(request) {
  try {
    await ready;
    if (request.close) {
      await db.close();
      parentPort.postMessage({ id: request.id, results: [] });
    } else if (request.steps) {
      const outcome = await transaction(request);
      parentPort.postMessage({ id: request.id, results: [], skipped: outcome.skipped });
    } else {
      const results = await db.exec(request.sql, options(request.copyText));
      parentPort.postMessage({ id: request.id, results: results.map((result) => result.rows) });
    }
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: describe(error) });
  }
}
// One request at a time, in the order sent: nothing runs inside another's transaction, and a transaction sent after
// another runs after it.
let running = Promise.resolve();
parentPort.on('message', (request) => {
  running = running.then(() => handle(request));
});
`;

/**
 * Creates a database directory on a thread of its own. PGlite's initdb runs a second Postgres and copies its heap:
 * about 600 MB for a few seconds, which a WASM heap never gives back. The thread's end returns it, so the store's
 * own thread starts with a heap of its usual size (about 130 MB). Both threads share the compiled Postgres, so the
 * machine code optimised while creating serves the store from its first append.
 */
const CREATE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
(async () => {
  const db = new PGlite({ dataDir: workerData.dataDir, postgresqlconf: workerData.postgresqlconf, pgliteWasmModule: workerData.wasmModule });
  await db.waitReady;
  await db.close();
  parentPort.postMessage({ created: true });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack ? error.stack : error) }));
`;

/**
 * Creates the database in `dataDir` unless it exists. It is created beside and renamed into place, so that a
 * directory that exists is complete.
 */
async function createDatabase(dataDir: string, postgresqlconf: readonly string[], wasmModule: CompiledModule): Promise<void> {
  if (existsSync(dataDir)) return;
  const creating = `${dataDir}.creating`;
  rmSync(creating, { recursive: true, force: true });
  const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const worker = new Worker(CREATE_SOURCE, { eval: true, execArgv: [], workerData: { pglitePath, dataDir: creating, postgresqlconf, wasmModule } });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (message: { readonly error?: string }) =>
        message.error === undefined ? resolve() : reject(new Error(`Could not create the event store's database in ${dataDir}: ${message.error}`)),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`Could not create the event store's database in ${dataDir}: its thread exited (code ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
  await rename(creating, dataDir);
}

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

/** One statement of a transaction; `copyText` feeds a `COPY ... FROM '/dev/blob'`. */
export interface TransactionStep {
  readonly sql: string;
  readonly copyText?: string;
}

/** Rows of each statement of the SQL text, each row an array of column values. */
export type StatementRows = unknown[][];

interface WorkerResponse {
  readonly id: number;
  readonly results?: StatementRows[];
  readonly skipped?: boolean;
  readonly error?: { readonly message: string; readonly code?: string; readonly constraint?: string; readonly detail?: string };
}

/** A transaction was not run because the one it was sent to run after failed. */
export class TransactionSkippedError extends Error {
  constructor() {
    super('Not run: the transaction it was to follow failed');
    this.name = 'TransactionSkippedError';
  }
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

interface RequestBody {
  readonly sql?: string;
  readonly copyText?: string;
  readonly steps?: readonly TransactionStep[];
  readonly after?: number;
  readonly close?: boolean;
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

  /** Starts PGlite on `dataDir` (created first when missing) and waits until it answers. */
  static async start(dataDir: string, postgresqlconf: readonly string[]): Promise<PgliteWorker> {
    const wasmModule = await compiledPostgres();
    await createDatabase(dataDir, postgresqlconf, wasmModule);
    const worker = new PgliteWorker(dataDir, postgresqlconf, wasmModule);
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

  /**
   * Runs the steps (each like `exec`, no rows returned) in one transaction: all of them commit, or none. With `after`,
   * the id of a transaction sent earlier, it runs only if that one committed, and fails with `TransactionSkippedError`
   * otherwise: the caller may send a transaction planned on the success of one still running.
   */
  transaction(steps: readonly TransactionStep[], after?: number): { readonly id: number; readonly done: Promise<void> } {
    const { id, response } = this.send({ steps, after });
    return { id, done: response.then(() => undefined) };
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

  private request(body: RequestBody): Promise<StatementRows[]> {
    return this.send(body).response;
  }

  private send(body: RequestBody): { readonly id: number; readonly response: Promise<StatementRows[]> } {
    const id = ++this.nextId;
    if (this.failure) return { id, response: Promise.reject(this.failure) };
    const response = new Promise<StatementRows[]>((resolve, reject) => {
      // The thread keeps the process alive only while someone waits for it.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...body });
    });
    return { id, response };
  }

  private settle(response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    if (response.error) pending.reject(new PgliteError(response.error.message, response.error.code, response.error.constraint));
    else if (response.skipped) pending.reject(new TransactionSkippedError());
    else pending.resolve(response.results ?? []);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}
