import type { UserTaskNode } from '../../model/executable-model.js';
import type { Expression } from '../../model/expression.js';
import type { JsonValue } from '../../model/json.js';
import { ok } from '../../result.js';
import { openTimeoutTimers, startCancelingListeners, startTaskListener, timeoutSchedules } from '../task-listeners.js';
import type { ElementBehavior } from './element-behavior.js';
import { asIdList, asNumber, asOptionalString, evaluateAs } from './values.js';

/** User task: a task for a person, created on activation; the element waits until the task is completed. */
export const userTaskBehavior: ElementBehavior<UserTaskNode> = {
  onActivate(run, instance, node) {
    const { assignment } = node;
    const field = <T>(expression: Expression | undefined, what: string, expected: string, convert: (value: JsonValue) => T | undefined) =>
      expression === undefined ? ok(undefined) : evaluateAs(run, expression, instance.id, what, expected, convert);
    const assignee = field(assignment.assignee, 'the assignee', 'a string', asOptionalString);
    if (!assignee.ok) return assignee.error;
    const candidateUsers = field(assignment.candidateUsers, 'the candidate users', 'a list or a comma-separated string', asIdList);
    if (!candidateUsers.ok) return candidateUsers.error;
    const candidateGroups = field(assignment.candidateGroups, 'the candidate groups', 'a list or a comma-separated string', asIdList);
    if (!candidateGroups.ok) return candidateGroups.error;
    const dueDate = field(assignment.dueDate, 'the due date', 'a date-time string', asOptionalString);
    if (!dueDate.ok) return dueDate.error;
    const followUpDate = field(assignment.followUpDate, 'the follow-up date', 'a date-time string', asOptionalString);
    if (!followUpDate.ok) return followUpDate.error;
    const priority = field(assignment.priority, 'the priority', 'a number', asNumber);
    if (!priority.ok) return priority.error;
    const timeouts = timeoutSchedules(run, instance, node);
    if (!timeouts.ok) return timeouts.error;
    run.activated(instance);
    const userTaskId = run.newId();
    run.emit({
      type: 'UserTaskCreated',
      data: {
        userTaskId,
        elementInstanceId: instance.id,
        elementId: instance.elementId,
        ...present('name', node.name),
        ...present('assignee', assignee.value),
        candidateUsers: candidateUsers.value ?? [],
        candidateGroups: candidateGroups.value ?? [],
        ...present('dueDate', dueDate.value),
        ...present('followUpDate', followUpDate.value),
        ...present('priority', priority.value),
        ...present('formKey', node.formKey),
        ...present('formId', node.formId),
        createdAt: run.now,
      },
    });
    // Creating listeners run after the task exists (Zeebe's CREATING): their corrections apply to it.
    const created = run.state.userTasks[userTaskId];
    if (created !== undefined) {
      openTimeoutTimers(run, created, timeouts.value);
      startTaskListener(run, created, 'creating', 0);
    }
    return undefined;
  },
  onTerminate(run, instance) {
    for (const job of Object.values(run.state.jobs)) {
      if (job.elementInstanceId === instance.id && job.taskListener !== undefined) run.emit({ type: 'JobCanceled', data: { jobId: job.id } });
    }
    for (const task of Object.values(run.state.userTasks)) {
      if (task.elementInstanceId !== instance.id) continue;
      // Canceling listeners get the task as it was (their headers); nothing waits for them.
      startCancelingListeners(run, task);
      run.emit({ type: 'UserTaskCanceled', data: { userTaskId: task.id } });
    }
  },
};

/** Events carry no `undefined` fields: they are stored as JSON, and replay must rebuild exactly the same state. */
function present<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === undefined || value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}
