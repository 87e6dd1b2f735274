import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ExecutableProcess } from '../model/executable-model.js';
import { bpmnProcess, compiledProcess } from '../testing/bpmn.js';
import { scenario, type Scenario } from '../testing/decider-spec.js';
import type { TaskListenerJobResult } from './process-instance-commands.js';

const review = (listeners: string) =>
  bpmnProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review order">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition assignee="=requester" candidateGroups="sales" />
        <zeebe:taskListeners>${listeners}</zeebe:taskListeners>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />`);

const listenerJob = (run: Scenario, type: string) => {
  const found = run.jobs('review').filter((job) => job.type === type);
  if (found.length !== 1) throw new Error(`expected one '${type}' job, found ${found.length}`);
  return found[0];
};

const completeListener = (run: Scenario, type: string, result?: TaskListenerJobResult) =>
  run.send({ type: 'CompleteJob', jobId: listenerJob(run, type).id, ...(result === undefined ? {} : { result }) });

describe('task listeners: engine', () => {
  let creating: ExecutableProcess;
  let completing: ExecutableProcess;
  beforeAll(async () => {
    creating = await compiledProcess(
      review(`<zeebe:taskListener eventType="creating" type="assign" retries="2" /><zeebe:taskListener eventType="creating" type="schedule" />`),
    );
    completing = await compiledProcess(
      review(`<zeebe:taskListener eventType="completing" type="four-eyes" /><zeebe:taskListener eventType="completing" type="audit" />`),
    );
  });

  describe('creating', () => {
    it('creates the task, then a job for the first creating listener with the task in its headers', () => {
      const run = scenario(creating).start({ requester: 'ann' });
      const task = run.userTask('review');
      expect(task).toMatchObject({ assignee: 'ann', candidateGroups: ['sales'] });
      expect(run.jobs('review')).toEqual([
        expect.objectContaining({
          type: 'assign',
          retries: 2,
          state: 'activatable',
          taskListener: { userTaskId: task.id, eventType: 'creating', index: 0 },
          customHeaders: { userTaskId: task.id, eventType: 'creating', name: 'Review order', assignee: 'ann', candidateGroups: 'sales' },
        }),
      ]);
    });

    it('runs the listeners one after the other; corrections change the task, the next listener sees them', () => {
      const run = scenario(creating).start({ requester: 'ann' });
      completeListener(run, 'assign', { corrections: { assignee: 'bob', priority: 80, candidateUsers: ['bob', 'eve'] } });
      expect(run.userTask('review')).toMatchObject({ assignee: 'bob', priority: 80, candidateUsers: ['bob', 'eve'] });
      expect(listenerJob(run, 'schedule').customHeaders).toMatchObject({ assignee: 'bob', priority: '80', candidateUsers: 'bob,eve' });
      completeListener(run, 'schedule', { corrections: { dueDate: '2026-02-01T12:00:00.000Z' } });
      expect(run.jobs()).toEqual([]);
      expect(run.userTask('review')).toMatchObject({ assignee: 'bob', dueDate: '2026-02-01T12:00:00.000Z' });
      // The task is now an ordinary open task: completing it completes the element.
      run.completeUserTask('review', { approved: true });
      expect(run.completed()).toEqual(['start', 'review', 'end']);
      expect(run.variables).toMatchObject({ approved: true });
    });

    it('the task cannot be completed while a listener job is pending', () => {
      const run = scenario(creating).start({ requester: 'ann' });
      const failure = run.reject({ type: 'CompleteUserTask', userTaskId: run.userTask('review').id });
      expect(failure).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining("waits for its creating listener") });
    });

    it('a creating listener cannot deny, nor take variables, nor give corrections of the wrong type', () => {
      const run = scenario(creating).start({ requester: 'ann' });
      const jobId = listenerJob(run, 'assign').id;
      expect(run.reject({ type: 'CompleteJob', jobId, result: { denied: true } })).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(run.reject({ type: 'CompleteJob', jobId, variables: { x: 1 } })).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(run.reject({ type: 'CompleteJob', jobId, result: { corrections: { priority: 500 } } })).toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { field: 'priority' },
      });
      expect(run.reject({ type: 'CompleteJob', jobId, result: { corrections: { dueDate: 'tomorrow' } } })).toMatchObject({ details: { field: 'dueDate' } });
      expect(run.reject({ type: 'ThrowError', jobId, errorCode: 'x' })).toMatchObject({ code: 'INVALID_ARGUMENT' });
      // A result from Kafka is plain JSON: its types are checked.
      const fromJson = JSON.parse('{"denied":"yes"}') as TaskListenerJobResult;
      expect(run.reject({ type: 'CompleteJob', jobId, result: fromJson })).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'denied' } });
    });

    it('a listener job failing with no retries left raises an incident on the task; resolving it offers the job again', () => {
      const run = scenario(creating).start({ requester: 'ann' });
      run.send({ type: 'FailJob', jobId: listenerJob(run, 'assign').id, retries: 0 });
      expect(run.incident('review')).toMatchObject({
        type: 'JOB_NO_RETRIES',
        message: expect.stringContaining('creating task listener job'),
      });
      run.resolveIncident('review', 1);
      expect(listenerJob(run, 'assign')).toMatchObject({ state: 'activatable', retries: 1 });
      completeListener(run, 'assign');
      expect(listenerJob(run, 'schedule').state).toBe('activatable');
    });

    it('canceling the instance cancels the pending listener job with the task', () => {
      const run = scenario(creating).start({ requester: 'ann' });
      run.cancel();
      expect(run.lastEvents.map((event) => event.type)).toEqual(expect.arrayContaining(['JobCanceled', 'UserTaskCanceled']));
      expect(run.jobs()).toEqual([]);
      expect(run.state.userTasks).toEqual({});
    });
  });

  describe('completing', () => {
    it('a completion waits for the completing listeners; it takes effect when the last one completes', () => {
      const run = scenario(completing).start({ requester: 'ann' });
      expect(run.jobs()).toEqual([]);
      run.completeUserTask('review', { approved: true });
      expect(run.lastEvents.map((event) => event.type)).toEqual(['UserTaskCompleting', 'JobCreated']);
      expect(run.userTask('review').completing).toEqual({ variables: { approved: true } });
      expect(run.instance('review').state).toBe('activated');
      completeListener(run, 'four-eyes');
      expect(listenerJob(run, 'audit').taskListener).toMatchObject({ eventType: 'completing', index: 1 });
      completeListener(run, 'audit');
      expect(run.completed()).toEqual(['start', 'review', 'end']);
      expect(run.variables).toEqual({ requester: 'ann', approved: true });
    });

    it('a denial leaves the task open with the reason and drops the completion; a later completion may succeed', () => {
      const run = scenario(completing).start({ requester: 'ann' });
      run.completeUserTask('review', { approved: true });
      completeListener(run, 'four-eyes', { denied: true, deniedReason: 'the requester cannot approve their own order', corrections: { assignee: 'bob' } });
      expect(run.lastEvents).toEqual([
        { type: 'JobCompleted', data: { jobId: expect.any(String), variables: {} } },
        { type: 'UserTaskCorrected', data: { userTaskId: run.userTask('review').id, corrections: { assignee: 'bob' } } },
        { type: 'UserTaskCompletionDenied', data: { userTaskId: run.userTask('review').id, deniedReason: 'the requester cannot approve their own order' } },
      ]);
      const task = run.userTask('review');
      expect(task).toMatchObject({ assignee: 'bob', deniedReason: 'the requester cannot approve their own order' });
      expect(task.completing).toBeUndefined();
      expect(run.jobs()).toEqual([]);
      expect(run.instance('review').state).toBe('activated');
      expect(run.variables).toEqual({ requester: 'ann' });

      run.completeUserTask('review', { approved: false });
      expect(run.userTask('review').deniedReason).toBeUndefined();
      completeListener(run, 'four-eyes');
      completeListener(run, 'audit');
      expect(run.completed()).toEqual(['start', 'review', 'end']);
      expect(run.variables).toEqual({ requester: 'ann', approved: false });
    });
  });

  describe('timeout (Camunda 7)', () => {
    const reminded = (timer: string) =>
      compiledProcess(
        bpmnProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" camunda:assignee="ann">
      <bpmn:extensionElements>
        <camunda:taskListener event="timeout" id="remind" delegateExpression="\${remind}">
          <bpmn:timerEventDefinition>${timer}</bpmn:timerEventDefinition>
        </camunda:taskListener>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />`),
      );

    it('starts the timer with the task; when due it creates the listener job once, and the task stays open', async () => {
      const run = scenario(await reminded('<bpmn:timeDuration>PT2H</bpmn:timeDuration>')).start();
      const task = run.userTask('review');
      expect(run.timer('review')).toMatchObject({ dueAt: '2026-01-01T12:00:00.000Z', taskListener: { userTaskId: task.id, eventType: 'timeout', index: 0 } });
      expect(run.jobs()).toEqual([]);
      run.triggerTimer('review');
      expect(run.timers()).toEqual([]);
      expect(run.jobs('review')).toEqual([
        expect.objectContaining({ type: 'remind', taskListener: { userTaskId: task.id, eventType: 'timeout', index: 0 }, customHeaders: expect.objectContaining({ eventType: 'timeout', assignee: 'ann' }) }),
      ]);
      expect(run.instance('review').state).toBe('activated');
      // The worker escalates: the task goes to someone else; nothing else follows.
      completeListener(run, 'remind', { corrections: { assignee: 'boss', priority: 90 } });
      expect(run.userTask('review')).toMatchObject({ assignee: 'boss', priority: 90 });
      expect(run.jobs()).toEqual([]);
      run.completeUserTask('review');
      expect(run.completed()).toEqual(['start', 'review', 'end']);
    });

    it('a cycle fires once per due time while the task is open; completing the task stops it and cancels an open listener job', async () => {
      const run = scenario(await reminded('<bpmn:timeCycle>R/PT1H</bpmn:timeCycle>')).start();
      run.triggerTimer('review');
      expect(run.timer('review').dueAt).toBe('2026-01-01T12:00:00.000Z');
      expect(run.jobs('review')).toHaveLength(1);
      // A pending timeout job does not hold the completion up.
      run.completeUserTask('review');
      expect(run.lastEvents.map((event) => event.type)).toEqual(expect.arrayContaining(['JobCanceled', 'UserTaskCompleted', 'TimerCanceled']));
      expect(run.timers()).toEqual([]);
      expect(run.jobs()).toEqual([]);
      expect(run.completed()).toEqual(['start', 'review', 'end']);
    });

    it('a timeout listener cannot deny', async () => {
      const run = scenario(await reminded('<bpmn:timeDuration>PT2H</bpmn:timeDuration>')).start();
      run.triggerTimer('review');
      expect(run.reject({ type: 'CompleteJob', jobId: listenerJob(run, 'remind').id, result: { denied: true } })).toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('a timer that does not evaluate is an EXPRESSION_ERROR incident before the task is created', async () => {
      const run = scenario(await reminded('<bpmn:timeDuration>${reminderAfter}</bpmn:timeDuration>')).start();
      expect(run.incident('review')).toMatchObject({ type: 'EXPRESSION_ERROR' });
      expect(run.state.userTasks).toEqual({});
      run.setVariables({ reminderAfter: 'PT30M' }).resolveIncident('review');
      // The test clock ticks a second per command: the incident was resolved at 10:00:02.
      expect(run.timer('review').dueAt).toBe('2026-01-01T10:30:02.000Z');
      expect(run.userTask('review').assignee).toBe('ann');
    });
  });

  it('a worker result on an ordinary job is refused', async () => {
    const process = await compiledProcess(
      bpmnProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>`),
    );
    const run = scenario(process).start();
    expect(run.reject({ type: 'CompleteJob', jobId: run.job('work').id, result: { denied: true } })).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('task listeners: canceling', () => {
  const escalated = (listeners: string) =>
    compiledProcess(
      bpmnProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review order">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition assignee="ann" />
        ${listeners}
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="review">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="late" targetRef="escalate" />
    <bpmn:userTask id="escalate"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>`),
    );
  const zeebeCanceling = '<zeebe:taskListeners><zeebe:taskListener eventType="canceling" type="notify" retries="2" /><zeebe:taskListener eventType="canceling" type="audit" /></zeebe:taskListeners>';

  it('an interrupting boundary event cancels the task and creates the jobs of its canceling listeners; completing them changes nothing else', async () => {
    const run = scenario(await escalated(zeebeCanceling)).start();
    const task = run.userTask('review');
    expect(run.jobs()).toEqual([]);
    run.triggerTimer('late');
    expect(run.state.userTasks[task.id]).toBeUndefined();
    expect(run.jobs('review')).toEqual([
      expect.objectContaining({ type: 'notify', retries: 2, taskListener: { userTaskId: task.id, eventType: 'canceling', index: 0 }, customHeaders: expect.objectContaining({ eventType: 'canceling', assignee: 'ann', name: 'Review order' }) }),
      expect.objectContaining({ type: 'audit', taskListener: { userTaskId: task.id, eventType: 'canceling', index: 1 } }),
    ]);
    expect(run.userTask('escalate')).toBeDefined();
    // The task is gone: a canceling listener neither corrects nor denies.
    const notify = listenerJob(run, 'notify').id;
    expect(run.reject({ type: 'CompleteJob', jobId: notify, result: { corrections: { assignee: 'bob' } } })).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'corrections' } });
    expect(run.reject({ type: 'CompleteJob', jobId: notify, result: { denied: true } })).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'denied' } });
    completeListener(run, 'notify');
    expect(run.lastEvents).toEqual([{ type: 'JobCompleted', data: { jobId: notify, variables: {} } }]);
    expect(run.jobs('review').map((job) => job.type)).toEqual(['audit']);
    expect(run.userTask('escalate')).toBeDefined();
  });

  it('a canceling listener job failed with no retries left is dropped: there is no element left to hold an incident', async () => {
    const run = scenario(await escalated(zeebeCanceling)).start();
    run.triggerTimer('late');
    run.send({ type: 'FailJob', jobId: listenerJob(run, 'audit').id, retries: 0, errorMessage: 'mail server down' });
    expect(run.lastEvents.map((event) => event.type)).toEqual(['JobFailed', 'JobCanceled']);
    expect(run.jobs('review').map((job) => job.type)).toEqual(['notify']);
  });

  it('a Camunda 7 delete listener (delegateExpression) runs as a canceling listener; a pending creating listener job is canceled', async () => {
    const run = scenario(
      await escalated('<camunda:taskListener event="create" delegateExpression="${assign}" /><camunda:taskListener event="delete" delegateExpression="${cleanUp}" />'),
    ).start();
    expect(run.jobs('review').map((job) => job.type)).toEqual(['assign']);
    run.triggerTimer('late');
    expect(run.jobs('review')).toEqual([expect.objectContaining({ type: 'cleanUp', taskListener: expect.objectContaining({ eventType: 'canceling' }) })]);
  });

  it('canceling the instance creates the canceling listener jobs as the instance ends: they are dropped with it', async () => {
    const run = scenario(await escalated(zeebeCanceling)).start();
    run.cancel();
    const types = run.lastEvents.map((event) => event.type);
    expect(types.filter((type) => type === 'JobCreated')).toHaveLength(2);
    expect(types.indexOf('JobCreated')).toBeLessThan(types.indexOf('UserTaskCanceled'));
    // Commands on an ended instance are refused: no worker could complete them, so they end with the instance.
    expect(types.filter((type) => type === 'JobCanceled')).toHaveLength(2);
    expect(types.at(-1)).toBe('ProcessInstanceTerminated');
    expect(run.state.status).toBe('terminated');
    expect(run.jobs()).toEqual([]);
  });

  it('the instance completing on the boundary path drops the canceling listener jobs still open', async () => {
    const run = scenario(await escalated(zeebeCanceling)).start();
    run.triggerTimer('late');
    completeListener(run, 'notify');
    run.completeUserTask('escalate');
    expect(run.lastEvents.map((event) => event.type)).toEqual(expect.arrayContaining(['JobCanceled', 'ProcessInstanceCompleted']));
    expect(run.state.status).toBe('completed');
    expect(run.jobs()).toEqual([]);
  });
});
