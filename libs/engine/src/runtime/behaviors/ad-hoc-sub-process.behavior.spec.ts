import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { scenario, type Scenario } from '../../testing/decider-spec.js';

interface AdHocOptions {
  readonly ordering?: 'Parallel' | 'Sequential';
  readonly collection?: string;
  readonly completion?: string;
  readonly cancelRemaining?: boolean;
}

/**
 * start → research (ad-hoc: web and library user tasks, call → summarize in sequence, no incoming: web, library,
 * call) → report (user task) → end.
 */
function research(options: AdHocOptions = {}): string {
  const attributes = [
    options.ordering === undefined ? '' : ` ordering="${options.ordering}"`,
    options.cancelRemaining === undefined ? '' : ` cancelRemainingInstances="${options.cancelRemaining}"`,
  ].join('');
  const adHoc = options.collection === undefined ? '' : `<bpmn:extensionElements><zeebe:adHoc activeElementsCollection='${options.collection}' /></bpmn:extensionElements>`;
  const completion =
    options.completion === undefined ? '' : `<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${options.completion}</bpmn:completionCondition>`;
  return bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="research" />
    <bpmn:adHocSubProcess id="research"${attributes}>
      ${adHoc}
      <bpmn:userTask id="web" />
      <bpmn:userTask id="library" />
      <bpmn:userTask id="call" />
      <bpmn:sequenceFlow id="call-summarize" sourceRef="call" targetRef="summarize" />
      <bpmn:userTask id="summarize" />
      ${completion}
    </bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="f1" sourceRef="research" targetRef="report" />
    <bpmn:userTask id="report" />
    <bpmn:sequenceFlow id="f2" sourceRef="report" targetRef="end" />
    <bpmn:endEvent id="end" />`);
}

const activate = (run: Scenario, ...elementIds: string[]) =>
  run.send({ type: 'ActivateAdHocElements', elementInstanceId: run.instance('research').id, elementIds });

describe('ad-hoc sub-process: parallel', () => {
  it('without activeElementsCollection starts every startable element at once and completes when all are done', async () => {
    const run = scenario(await compiledProcess(research())).start();
    expect(run.active()).toEqual(['call', 'library', 'research', 'web']);
    run.completeUserTask('web', { web: 'found' }).completeUserTask('call');
    expect(run.active()).toEqual(['library', 'research', 'summarize']);
    run.completeUserTask('summarize').completeUserTask('library', { library: 'nothing' });
    expect(run.active()).toEqual(['report']);
    expect(run.completed()).toEqual(['start', 'web', 'call', 'summarize', 'library', 'research']);
    expect(run.variables).toEqual({ web: 'found', library: 'nothing' });
  });

  it('starts what activeElementsCollection names, more through ActivateAdHocElements, and an element again', async () => {
    const run = scenario(await compiledProcess(research({ collection: '=wanted' }))).start({ wanted: ['library'] });
    expect(run.active()).toEqual(['library', 'research']);
    activate(run, 'web', 'web');
    expect(run.active()).toEqual(['library', 'research', 'web', 'web']);
    run.completeUserTask('library');
    const [first, second] = Object.values(run.state.userTasks);
    run.send({ type: 'CompleteUserTask', userTaskId: first.id }).send({ type: 'CompleteUserTask', userTaskId: second.id });
    expect(run.active()).toEqual(['report']);
    expect(run.completed()).toEqual(['start', 'library', 'web', 'web', 'research']);
  });

  it('with an empty collection starts nothing and waits for elements to be activated', async () => {
    const run = scenario(await compiledProcess(research({ collection: '=[]' }))).start();
    expect(run.active()).toEqual(['research']);
    activate(run, 'call');
    run.completeUserTask('call').completeUserTask('summarize');
    expect(run.active()).toEqual(['report']);
  });

  it('completes when the completion condition holds, terminating what still runs (cancelRemainingInstances default)', async () => {
    const run = scenario(await compiledProcess(research({ completion: '=enough = true' }))).start({ enough: false });
    run.completeUserTask('web', { enough: false });
    expect(run.active()).toEqual(['call', 'library', 'research']);
    run.completeUserTask('library', { enough: true });
    expect(run.active()).toEqual(['report']);
    expect(run.terminated()).toEqual(['call']);
    expect(run.completed()).toEqual(['start', 'web', 'library', 'research']);
  });

  it('reads a JUEL completion condition (a Camunda 7 model, without zeebe:adHoc)', async () => {
    const run = scenario(await compiledProcess(research({ completion: '${enough}' }))).start({ enough: false });
    run.completeUserTask('library', { enough: true });
    expect(run.active()).toEqual(['report']);
    expect(run.terminated()).toEqual(['web', 'call']);
  });

  it('after its condition held with cancelRemainingInstances="false", it refuses new activations and completes once idle', async () => {
    const run = scenario(await compiledProcess(research({ completion: '=enough', cancelRemaining: false }))).start({ enough: false });
    run.completeUserTask('web', { enough: true });
    expect(run.state.adHocSubProcesses).toEqual({ [run.instance('research').id]: { pendingElementIds: [], completionConditionFulfilled: true } });
    expect(run.reject({ type: 'ActivateAdHocElements', elementInstanceId: run.instance('research').id, elementIds: ['web'] })).toMatchObject({
      code: 'INVALID_STATE',
    });
    run.completeUserTask('library').completeUserTask('call');
    // summarize follows call inside the sub-process: it runs too.
    expect(run.active()).toEqual(['research', 'summarize']);
    run.completeUserTask('summarize');
    expect(run.active()).toEqual(['report']);
    expect(run.terminated()).toEqual([]);
  });

  it('waits when nothing runs and the completion condition does not hold', async () => {
    const run = scenario(await compiledProcess(research({ collection: '=["web"]', completion: '=done' }))).start({ done: false });
    run.completeUserTask('web');
    expect(run.active()).toEqual(['research']);
    activate(run, 'library');
    run.completeUserTask('library', { done: true });
    expect(run.active()).toEqual(['report']);
  });

  it('refuses to activate what it cannot start', async () => {
    const run = scenario(await compiledProcess(research({ collection: '=[]' }))).start();
    expect(run.reject({ type: 'ActivateAdHocElements', elementInstanceId: run.instance('research').id, elementIds: ['summarize', 'nope'] })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: "'summarize', 'nope' are not an element of 'research' that can be started (web, library, call)",
    });
    expect(run.reject({ type: 'ActivateAdHocElements', elementInstanceId: 'pi', elementIds: ['web'] })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a collection naming an unknown element is an incident on the sub-process', async () => {
    const run = scenario(await compiledProcess(research({ collection: '=wanted' }))).start({ wanted: ['web', 'summarize'] });
    expect(run.incident('research')).toMatchObject({ type: 'EXPRESSION_ERROR' });
    run.setVariables({ wanted: ['web'] }).resolveIncident('research');
    expect(run.active()).toEqual(['research', 'web']);
  });
});

describe('ad-hoc sub-process: sequential', () => {
  it('runs one started element (with what follows it) at a time, in the order asked', async () => {
    const run = scenario(await compiledProcess(research({ ordering: 'Sequential', collection: '=["call", "web"]' }))).start();
    expect(run.active()).toEqual(['call', 'research']);
    expect(run.state.adHocSubProcesses).toEqual({ [run.instance('research').id]: { pendingElementIds: ['web'], completionConditionFulfilled: false } });
    activate(run, 'library');
    run.completeUserTask('call');
    // summarize follows call: the flow started by call is not over yet.
    expect(run.active()).toEqual(['research', 'summarize']);
    run.completeUserTask('summarize');
    expect(run.active()).toEqual(['research', 'web']);
    run.completeUserTask('web');
    expect(run.active()).toEqual(['library', 'research']);
    run.completeUserTask('library');
    expect(run.active()).toEqual(['report']);
    expect(run.completed()).toEqual(['start', 'call', 'summarize', 'web', 'library', 'research']);
  });

  it('without a collection runs every startable element in document order', async () => {
    const run = scenario(await compiledProcess(research({ ordering: 'Sequential' }))).start();
    expect(run.active()).toEqual(['research', 'web']);
    run.completeUserTask('web');
    expect(run.active()).toEqual(['library', 'research']);
    run.completeUserTask('library').completeUserTask('call').completeUserTask('summarize');
    expect(run.completed()).toEqual(['start', 'web', 'library', 'call', 'summarize', 'research']);
  });

  it('drops what waits its turn when the completion condition holds', async () => {
    const run = scenario(await compiledProcess(research({ ordering: 'Sequential', completion: '=enough' }))).start({ enough: false });
    run.completeUserTask('web', { enough: true });
    expect(run.active()).toEqual(['report']);
    expect(run.state.adHocSubProcesses).toEqual({});
  });
});

describe('ad-hoc sub-process: deployment', () => {
  it('refuses start and end events inside, event sub-processes, and zeebe:adHoc output collections', async () => {
    const xml = bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="research" />
    <bpmn:adHocSubProcess id="research">
      <bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=[]" outputCollection="results" /></bpmn:extensionElements>
      <bpmn:startEvent id="inner-start" />
      <bpmn:userTask id="web" />
      <bpmn:endEvent id="inner-end" />
      <bpmn:subProcess id="on-cancel" triggeredByEvent="true">
        <bpmn:startEvent id="cancel-start"><bpmn:signalEventDefinition signalRef="cancel" /></bpmn:startEvent>
      </bpmn:subProcess>
    </bpmn:adHocSubProcess>`).replace('</bpmn:definitions>', '<bpmn:signal id="cancel" name="cancel" /></bpmn:definitions>');
    const compiled = await compile(xml);
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.error).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'inner-start', field: 'flowElements' }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'inner-end', field: 'flowElements' }),
        expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'research', field: 'zeebe:adHoc/@outputCollection' }),
        expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'on-cancel', field: 'triggeredByEvent' }),
      ]),
    );
  });
});
