import { DECISION_JOB_HEADERS } from '../../model/decision-job.js';
import type { CalledDecision, JobTaskNode } from '../../model/executable-model.js';
import { ok, type Result } from '../../result.js';
import type { DecisionRun } from '../decision-run.js';
import type { Problem } from '../element-lifecycle.js';
import type { ElementInstance } from '../process-instance-state.js';
import { visibleVariables } from '../variables.js';
import type { ElementBehavior } from './element-behavior.js';
import { asCount, asNonEmptyString, asNumber, evaluateAs } from './values.js';

/**
 * Service, send and business rule tasks: a job for a worker; the task waits until the job is completed. A business
 * rule task that calls a decision is a job too, of the reserved decision type, whose headers say which decision.
 */
export const jobTaskBehavior: ElementBehavior<JobTaskNode> = {
  onActivate(run, instance, node) {
    const type = evaluateAs(run, node.job.type, instance.id, 'the job type', 'a non-empty string', asNonEmptyString);
    if (!type.ok) return type.error;
    const retries = evaluateAs(run, node.job.retries, instance.id, 'the job retries', 'a whole number of at least 0', asCount);
    if (!retries.ok) return retries.error;
    const headers = node.decision === undefined ? ok(node.job.customHeaders) : decisionHeaders(run, instance, node.decision);
    if (!headers.ok) return headers.error;
    const priority = jobPriority(run, instance, node);
    if (!priority.ok) return priority.error;
    run.activated(instance);
    run.emit({
      type: 'JobCreated',
      data: {
        jobId: run.newId(),
        type: type.value,
        retries: retries.value,
        elementInstanceId: instance.id,
        elementId: instance.elementId,
        customHeaders: headers.value,
        ...(priority.value === undefined ? {} : { priority: priority.value }),
        // The decision service evaluates with these: in distributed mode it sees the job only through this event.
        ...(node.decision === undefined ? {} : { variables: visibleVariables(run.state, instance.id) }),
        createdAt: run.now,
      },
    });
    return undefined;
  },
  onTerminate(run, instance) {
    for (const job of Object.values(run.state.jobs)) {
      if (job.elementInstanceId === instance.id) run.emit({ type: 'JobCanceled', data: { jobId: job.id } });
    }
  },
};

/**
 * The priority of an external task (`camunda:taskPriority` of the element, else of the process), evaluated now in the
 * task's scope; one that gives no whole number is an EXPRESSION_ERROR incident, as for a job type. Undefined when the
 * model gives none (priority 0), and for a decision job, which no worker fetches.
 */
function jobPriority(run: DecisionRun, instance: ElementInstance, node: JobTaskNode): Result<number | undefined, Problem> {
  const expression = node.decision === undefined ? (node.job.priority ?? run.process.taskPriority) : undefined;
  if (expression === undefined) return ok(undefined);
  return evaluateAs(run, expression, instance.id, 'the task priority', 'a whole number', asWholeNumber);
}

/**
 * The headers of a decision job: the decision id and version evaluated now, in the task's scope (a failure is an
 * EXPRESSION_ERROR incident, as for a job type), and the rest as the model says.
 */
function decisionHeaders(run: DecisionRun, instance: ElementInstance, decision: CalledDecision): Result<Record<string, string>, Problem> {
  const decisionId = evaluateAs(run, decision.decisionId, instance.id, 'the decision id', 'a non-empty string', asNonEmptyString);
  if (!decisionId.ok) return decisionId;
  const version =
    decision.version === undefined ? undefined : evaluateAs(run, decision.version, instance.id, 'the decision version', 'a whole number of at least 1', asVersion);
  if (version !== undefined && !version.ok) return version;
  const headers: Record<string, string> = {
    [DECISION_JOB_HEADERS.decisionId]: decisionId.value,
    [DECISION_JOB_HEADERS.bindingType]: decision.binding,
    [DECISION_JOB_HEADERS.processDefinitionId]: run.state.processDefinitionId,
  };
  if (decision.resultVariable !== undefined) headers[DECISION_JOB_HEADERS.resultVariable] = decision.resultVariable;
  if (version !== undefined) headers[DECISION_JOB_HEADERS.version] = String(version.value);
  if (decision.versionTag !== undefined) headers[DECISION_JOB_HEADERS.versionTag] = decision.versionTag;
  if (decision.mapDecisionResult !== undefined) headers[DECISION_JOB_HEADERS.mapDecisionResult] = decision.mapDecisionResult;
  return ok(headers);
}

function asWholeNumber(value: Parameters<typeof asNumber>[0]): number | undefined {
  const number = asNumber(value);
  return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
}

function asVersion(value: Parameters<typeof asCount>[0]): number | undefined {
  const count = asCount(value);
  return count === undefined || count < 1 ? undefined : count;
}
