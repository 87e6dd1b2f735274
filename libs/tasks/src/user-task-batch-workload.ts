/**
 * Test and benchmark workload of the user-task projection: process instances run by the REAL engine (`EngineInstance`)
 * through every life a task can have, their events interleaved as Kafka's partitions interleave them, with what users
 * do through the task-service (claims, completions in flight, the runtime's rejections) at their point of the stream.
 */
import type { EventEnvelope } from '@trellis/contracts';
import type { ExecutableProcess } from '@trellis/engine';
import { EngineInstance, compileProcesses } from '@trellis/runtime/testing';

import type { TaskRepository } from './task.repository.js';
import { USER_TASK_MODELS } from './user-task-models.fixture.js';

/**
 * The workload's own model, next to `approval` and `review` of `USER_TASK_MODELS`: `rush`: start → a parallel fork to
 * `sign` (a parallel multi-instance user task, one per element of `signers`, each assigned to its signer) → end, and
 * to `charge` (a job) → a terminate end event, which cancels every signature still open.
 */
export const RUSH_MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="rush-definitions" targetNamespace="http://example.org/tasks">
  <bpmn:process id="rush" isExecutable="true">
    <bpmn:startEvent id="rush-start" />
    <bpmn:sequenceFlow id="u1" sourceRef="rush-start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="u2" sourceRef="fork" targetRef="sign" />
    <bpmn:sequenceFlow id="u3" sourceRef="fork" targetRef="charge" />
    <bpmn:userTask id="sign" name="Sign">
      <bpmn:extensionElements><zeebe:assignmentDefinition assignee="=signer" /></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="signer" /></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="u4" sourceRef="sign" targetRef="signed" />
    <bpmn:endEvent id="signed" />
    <bpmn:serviceTask id="charge">
      <bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="u5" sourceRef="charge" targetRef="stop" />
    <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition /></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;

/** A step of the workload: events the relay publishes, or what a user does through the task-service at that point. */
export type WorkloadStep =
  | { readonly kind: 'events'; readonly envelopes: readonly EventEnvelope[] }
  | { readonly kind: 'unclaim'; readonly taskId: string }
  | { readonly kind: 'claim'; readonly taskId: string; readonly assignee: string }
  | { readonly kind: 'requestCompletion'; readonly taskId: string; readonly commandId: string }
  | { readonly kind: 'rejected'; readonly processInstanceId: string; readonly commandId: string };

export interface WorkloadProcesses {
  readonly approval: ExecutableProcess;
  readonly review: ExecutableProcess;
  readonly rush: ExecutableProcess;
}

export async function workloadProcesses(): Promise<WorkloadProcesses> {
  const { approval, review } = await compileProcesses(USER_TASK_MODELS);
  const { rush } = await compileProcesses(RUSH_MODEL);
  return { approval, review, rush };
}

/**
 * `count` instances, in waves of `wave` whose events interleave (each wave's instances take their first step, then
 * their second, ...). The instances cycle through eight lives: an approval completed through the task-service
 * (COMPLETING, then COMPLETED), one handed over to another user, its completion rejected and then its instance cancelled, one completed by
 * someone else, one whose completion is still in flight; a review whose variables change (in the instance and in the
 * task's own scope) and that is completed, one left open; a rush with one of three signatures given and one in flight
 * when the charge terminates it, one left with open signatures.
 */
export function userTaskWorkload(processes: WorkloadProcesses, count: number, wave = 20): WorkloadStep[] {
  const steps: WorkloadStep[] = [];
  const events = (envelopes: readonly EventEnvelope[]): void => {
    if (envelopes.length > 0) steps.push({ kind: 'events', envelopes });
  };
  let commands = 0;
  for (let first = 0; first < count; first += wave) {
    const lives: (() => void)[][] = [];
    for (let index = first; index < Math.min(first + wave, count); index++) {
      const life = index % 8;
      if (life < 4) {
        const instance = new EngineInstance(processes.approval);
        const task = (): string => instance.userTask('approve').id;
        const commandId = `command-${index}-${++commands}`;
        const start = (): void => events(instance.start({ approver: `user-${index % 5}`, groups: ['sales'], users: [], due: `2030-07-${String(1 + (index % 28)).padStart(2, '0')}T12:00:00Z`, priority: index % 100 }));
        if (life === 0) {
          let taskId = '';
          lives.push([
            start,
            () => {
              taskId = task();
              steps.push({ kind: 'requestCompletion', taskId, commandId });
            },
            () => events(instance.send({ type: 'CompleteUserTask', userTaskId: taskId, variables: { approved: true } })),
          ]);
        } else if (life === 1) {
          lives.push([
            start,
            () => {
              // Handed over to grace: the projection must keep what only the task-service knows.
              steps.push({ kind: 'unclaim', taskId: task() });
              steps.push({ kind: 'claim', taskId: task(), assignee: 'grace' });
              steps.push({ kind: 'requestCompletion', taskId: task(), commandId });
            },
            () => steps.push({ kind: 'rejected', processInstanceId: instance.id, commandId }),
            () => events(instance.send({ type: 'CancelProcessInstance' })),
          ]);
        } else if (life === 2) {
          lives.push([start, () => events(instance.send({ type: 'CompleteUserTask', userTaskId: task() }))]);
        } else {
          // In flight: the runtime has not answered yet.
          lives.push([start, () => steps.push({ kind: 'requestCompletion', taskId: task(), commandId })]);
        }
      } else if (life < 6) {
        const instance = new EngineInstance(processes.review);
        const task = (): { id: string; elementInstanceId: string } => instance.userTask('check');
        lives.push([
          () => events(instance.start({ amount: index, customer: `customer-${index}` })),
          () => {
            // Two in a row: the second replaces one key of the first.
            events(instance.send({ type: 'SetVariables', variables: { customer: `renamed-${index}`, note: { index } } }));
            events(instance.send({ type: 'SetVariables', variables: { note: { index, again: true }, extra: index } }));
          },
          () => events(instance.send({ type: 'SetVariables', scopeInstanceId: task().elementInstanceId, local: true, variables: { share: -index, mine: true } })),
          ...(life === 4 ? [() => events(instance.send({ type: 'CompleteUserTask', userTaskId: task().id, variables: { checked: true } }))] : []),
        ]);
      } else {
        const instance = new EngineInstance(processes.rush);
        const signatureOf = (signer: string): string => {
          const found = Object.values(instance.state.userTasks).find((candidate) => candidate.assignee === signer);
          if (found === undefined) throw new Error(`No open signature of ${signer}`);
          return found.id;
        };
        const commandId = `command-${index}-${++commands}`;
        lives.push([
          () => events(instance.start({ signers: ['ada', 'bob', 'cy'] })),
          () => events(instance.send({ type: 'CompleteUserTask', userTaskId: signatureOf('bob') })),
          ...(life === 6
            ? [
                () => steps.push({ kind: 'requestCompletion', taskId: signatureOf('ada'), commandId }),
                // The charge ends the instance while ada's signature is in flight.
                () => events(instance.send({ type: 'CompleteJob', jobId: instance.job('charge').id })),
              ]
            : []),
        ]);
      }
    }
    const longest = Math.max(...lives.map((life) => life.length));
    for (let step = 0; step < longest; step++) for (const life of lives) life[step]?.();
  }
  return steps;
}

/** Every envelope of the workload, in order. */
export function envelopesOf(steps: readonly WorkloadStep[]): EventEnvelope[] {
  return steps.flatMap((step) => (step.kind === 'events' ? step.envelopes : []));
}

/**
 * Runs the workload: the events handed to `apply` in batches of up to `batchSize`, cut where a user acts (the action
 * comes between two transactions of the projection, as it would).
 */
export async function runWorkload(
  steps: readonly WorkloadStep[],
  apply: (batch: readonly EventEnvelope[]) => Promise<unknown>,
  tasks: TaskRepository,
  batchSize: number,
): Promise<void> {
  let pending: EventEnvelope[] = [];
  const flush = async (): Promise<void> => {
    for (let start = 0; start < pending.length; start += batchSize) await apply(pending.slice(start, start + batchSize));
    pending = [];
  };
  for (const step of steps) {
    if (step.kind === 'events') {
      pending.push(...step.envelopes);
      continue;
    }
    await flush();
    if (step.kind === 'unclaim') await tasks.unclaim(step.taskId);
    else if (step.kind === 'claim') await tasks.claim(step.taskId, { userId: step.assignee, groups: ['sales'] });
    else if (step.kind === 'requestCompletion') await tasks.requestCompletion({ taskId: step.taskId, commandId: step.commandId, issuedBy: 'workload', issuedAt: new Date('2030-06-01T08:00:30Z') });
    else {
      await tasks.applyCommandResult({
        commandId: step.commandId,
        commandType: 'CompleteUserTask',
        processInstanceId: step.processInstanceId,
        outcome: 'rejected',
        rejection: 'invalid-state',
        detail: 'The task was changed meanwhile',
        handledAt: '2030-06-01T08:00:40Z',
      });
    }
  }
  await flush();
}
