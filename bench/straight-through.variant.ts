/**
 * One variant of the straight-through benchmark, run in its own process so that its peak RSS is its own.
 * Prints one JSON line: { variant, instances, seconds, latenciesMs: { p50, p99 }, peakRssBytes }.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, decide, initialProcessInstanceState, type DecisionContext, type ExecutableProcess, type JsonValue } from '@trellis/engine';
import { EmbeddedEventStore, InMemoryEventStore, type EventStore } from '@trellis/event-store';
import { arg, percentile, type VariantResult } from './bench-stats.js';

const variant = arg('variant', 'memory');
const n = Number(arg('n', '2000'));
const concurrency = Number(arg('concurrency', '1'));
// Instances run before the measured ones, untimed, so that every engine is measured after its JIT has warmed up.
const warmup = Number(arg('warmup', '1000'));
const modelPath = arg('model', '../shared/bench/straight-through.bpmn');
const xml = readFileSync(modelPath, 'utf8');


async function runTrellis(store: EventStore): Promise<VariantResult> {
  const compiled = await compile(xml);
  if (!compiled.ok) throw new Error(`model does not compile: ${JSON.stringify(compiled.error)}`);
  const process: ExecutableProcess = compiled.value.processes[0];
  const latencies: number[] = [];
  let next = 0;

  async function startOne(i: number): Promise<void> {
    const t0 = performance.now();
    const processInstanceId = randomUUID();
    const context: DecisionContext = { now: new Date().toISOString(), newId: randomUUID, process };
    const decision = decide(
      initialProcessInstanceState(),
      { type: 'CreateProcessInstance', processInstanceId, processDefinitionId: `${process.id}:1`, version: 1, variables: { amount: i % 200 } },
      context,
    );
    if (!decision.ok) throw new Error(decision.error.message);
    const last = decision.value[decision.value.length - 1];
    if (last.type !== 'ProcessInstanceCompleted') throw new Error(`instance ${i} did not complete: ended with ${last.type}`);
    await store.appendToStream(
      `process-instance-${processInstanceId}`,
      decision.value.map((e) => ({ id: randomUUID(), type: e.type, data: e.data as unknown as JsonValue, metadata: { schemaVersion: 1, processInstanceId } })),
      { expectedRevision: 'no_stream' },
    );
    latencies.push(performance.now() - t0);
  }

  async function worker(): Promise<void> {
    while (next < n) await startOne(next++);
  }

  for (let i = 0; i < warmup; i++) await startOne(i);
  latencies.length = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { variant, instances: n, concurrency, seconds, latenciesMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) }, peakRssBytes: 0 };
}

async function runBpmnEngine(): Promise<VariantResult> {
  // bpmn-engine cannot read FEEL: the same model with its own condition syntax (a JavaScript condition).
  const { Engine } = await import('bpmn-engine');
  const Elements = await import('bpmn-elements');
  const { default: serializer, TypeResolver } = await import('moddle-context-serializer');
  const { BpmnModdle } = await import('bpmn-moddle');
  const jsXml = xml.replace(
    /<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt; 100<\/bpmn:conditionExpression>/,
    '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">next(null, environment.variables.amount &gt; 100)</bpmn:conditionExpression>',
  );
  if (jsXml === xml) throw new Error('could not translate the condition for bpmn-engine');
  // Parsed once, as the benchmark's rules say: every Engine gets the serialised model.
  const sourceContext = serializer(await new BpmnModdle().fromXML(jsXml), TypeResolver(Elements));
  const latencies: number[] = [];
  let t0 = performance.now();
  for (let i = -warmup; i < n; i++) {
    if (i === 0) {
      latencies.length = 0;
      t0 = performance.now();
    }
    const s = performance.now();
    const engine = new Engine({ name: `straight-through-${i}`, sourceContext });
    const ended = new Promise<void>((resolve, reject) => {
      engine.once('end', () => resolve());
      engine.once('error', (e: unknown) => reject(e));
    });
    await engine.execute({ variables: { amount: Math.abs(i) % 200 } });
    await ended;
    latencies.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { variant, instances: n, concurrency: 1, seconds, latenciesMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) }, peakRssBytes: 0 };
}

let result: VariantResult;
if (variant === 'memory') {
  result = await runTrellis(new InMemoryEventStore());
} else if (variant === 'embedded') {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-'));
  const store = await EmbeddedEventStore.open(dir);
  try {
    result = await runTrellis(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
} else if (variant === 'bpmn-engine') {
  result = await runBpmnEngine();
} else {
  throw new Error(`unknown variant ${variant}`);
}
result.peakRssBytes = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify(result));
