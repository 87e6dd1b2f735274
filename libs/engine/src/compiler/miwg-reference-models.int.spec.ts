import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelError } from '../model/model-error.js';
import { compile, type CompileOptions } from './compile.js';
import { scenario } from '../testing/decider-spec.js';

// The reference models of the BPMN Model Interchange Working Group (github.com/bpmn-miwg/bpmn-miwg-test-suite),
// as modelling tools exchange them. A product that imports BPMN must read all of them: each is read here without a
// parse error, and every element this version does not run is refused precisely, never by a crash or a warning.
const folder = fileURLToPath(new URL('../../../../../shared/conformance/bpmn-miwg/', import.meta.url));
const models = readdirSync(folder)
  .filter((file) => file.endsWith('.bpmn'))
  .sort();

/** Decodes the file as its XML declaration says (several models are ISO-8859-1), as a deployment would. */
function read(file: string): string {
  const bytes = readFileSync(`${folder}${file}`);
  const declared = /^<\?xml[^>]*encoding=["']([\w.-]+)["']/i.exec(bytes.subarray(0, 200).toString('latin1'))?.[1] ?? 'utf-8';
  return new TextDecoder(declared).decode(bytes);
}

async function problemsOf(file: string, options: CompileOptions): Promise<ModelError[]> {
  const result = await compile(read(file), options);
  return result.ok ? [] : result.error;
}

/** Problems that name a precise cause in the model, as opposed to content the reader could not make sense of. */
const preciseCodes = new Set<ModelError['code']>([
  'NO_EXECUTABLE_PROCESS',
  'NO_START_EVENT',
  'MISSING_FLOW_SOURCE',
  'MISSING_FLOW_TARGET',
  'DUPLICATE_ID',
  'GATEWAY_WITHOUT_OUTGOING',
  'INVALID_EXPRESSION',
  'NOT_SUPPORTED',
  'INVALID_ATTRIBUTE',
  'MISSING_ATTRIBUTE',
]);

function expectPrecise(problems: readonly ModelError[]): void {
  for (const problem of problems) {
    expect(preciseCodes).toContain(problem.code);
    expect(problem.elementId).toEqual(expect.any(String));
    expect(problem.line).toBeGreaterThan(0);
    if (problem.code === 'NOT_SUPPORTED') expect(problem.message).toMatch(/^not supported yet: /);
  }
}

describe('BPMN MIWG reference models', () => {
  it('are all there', () => {
    expect(models.length).toBeGreaterThanOrEqual(21);
  });

  it.each(models)('%s is read without a parse error, and each problem of its executable processes is precise', async (file) => {
    expectPrecise(await problemsOf(file, {}));
  });

  it.each(models)('%s is read without a parse error even when every process is taken as executable', async (file) => {
    expectPrecise(await problemsOf(file, { processes: 'all' }));
  });

  it('compiles fully the models that use only what this version executes', async () => {
    const compiling: string[] = [];
    for (const file of models) if ((await problemsOf(file, { processes: 'all' })).length === 0) compiling.push(file);
    // The other models leave out what execution needs (message names, called processes, conditions) or use XPath
    // conditions and elements not run yet (see docs/bpmn-support.md).
    expect(compiling).toEqual(['A.1.0.bpmn', 'A.2.0.bpmn', 'A.4.0.bpmn', 'A.4.1.bpmn', 'C.9.0.bpmn', 'C.9.2.bpmn']);
  });
});

describe('C.9.0 (Camunda 8 customer onboarding) runs', () => {
  const onboarding = async () => {
    const compiled = await compile(read('C.9.0.bpmn'));
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.error));
    const process = compiled.value.processes.find(({ id }) => id === 'customer_onboarding_en');
    if (process === undefined) throw new Error('no customer_onboarding_en');
    return scenario(process);
  };

  it('a timeout (error 00) reported by the credit score worker starts the timeout event sub-process, which ends the instance', async () => {
    const run = (await onboarding()).start();
    expect(run.variables).toEqual({ documentReferenceId: expect.stringMatching(/^2026-01-01T10:00/) });
    run.send({ type: 'ThrowError', jobId: run.job('ServiceTask_GetCreditScore').id, errorCode: '00' });
    expect(run.terminated()).toEqual(['ServiceTask_GetCreditScore']);
    expect(run.active()).toEqual(['Activity_1ke2ixr', 'UserTask_HandleTimeout']);
    run.completeUserTask('UserTask_HandleTimeout').completeJob('EndMessageEvent_Timeout');
    expect(run.state.status).toBe('completed');
  });

  it('a cancellation message (correlation key 1) ends the onboarding and runs the cancellation', async () => {
    const run = (await onboarding()).start();
    const subscription = Object.values(run.state.messageSubscriptions ?? {}).find(({ elementId }) => elementId === 'StartMessageEvent_CancellationRequested');
    expect(subscription).toMatchObject({ messageName: 'Message_CancellationRequested', correlationKey: '1' });
    run.send({ type: 'CorrelateMessage', subscriptionId: subscription?.id ?? '' });
    expect(run.active()).toEqual(['Activity_0vp33kx', 'ServiceTask_CancelApplication']);
    run.completeJob('ServiceTask_CancelApplication');
    expect(run.active()).toEqual(['Activity_0vp33kx', 'EndMessageEvent_InformCustomer', 'EndMessageEvent_InformOperations']);
    run.completeJob('EndMessageEvent_InformCustomer').completeJob('EndMessageEvent_InformOperations');
    expect(run.state.status).toBe('completed');
  });
});
