import type { CompleteJobCommandMessage, EventEnvelope, FailJobCommandMessage, JsonObject } from '@trellis/contracts';
import { DECISION_JOB_HEADERS, DECISION_JOB_TYPE, DECISION_RESULT_MAPPINGS, type DecisionResultMapping } from '@trellis/engine';

import type { DecisionEvaluationView } from './decision-evaluation.js';
import { mapDecisionResult } from './decision-result-mapping.js';

/** `issuedBy` of the commands the dmn-service sends. */
export const DMN_SERVICE_NAME = 'dmn-service';

/** A decision job as its events describe it. */
export interface DecisionJob {
  readonly jobId: string;
  readonly processInstanceId: string;
  /** The business rule task's element instance, when the job's events say it. */
  readonly elementInstanceId?: string;
  /** The decision the task calls (the job's `decisionId` header). */
  readonly decisionId: string;
  /** Every header of the job: binding, version, result variable, `mapDecisionResult`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The variables the decision is evaluated with: those visible to the task. */
  readonly variables: JsonObject;
}

/** The decision job a `JobCreated` envelope creates; undefined for every other event and job type. */
export function decisionJobCreated(event: EventEnvelope): DecisionJob | undefined {
  if (event.type !== 'JobCreated' || event.processInstanceId === undefined) return undefined;
  const data = event.data as { jobId?: unknown; elementInstanceId?: unknown; type?: unknown; customHeaders?: unknown; variables?: unknown } | null;
  if (data === null || typeof data !== 'object' || data.type !== DECISION_JOB_TYPE || typeof data.jobId !== 'string') return undefined;
  const headers = textRecord(data.customHeaders);
  return {
    jobId: data.jobId,
    processInstanceId: event.processInstanceId,
    ...(typeof data.elementInstanceId === 'string' ? { elementInstanceId: data.elementInstanceId } : {}),
    decisionId: headers[DECISION_JOB_HEADERS.decisionId] ?? '',
    headers,
    variables: isJsonObject(data.variables) ? data.variables : {},
  };
}

/** The job id of a job event (`JobRetriesUpdated`, `JobCompleted`, `JobCanceled`...), undefined for other events. */
export function jobIdOf(event: EventEnvelope): string | undefined {
  if (!event.type.startsWith('Job')) return undefined;
  const data = event.data as { jobId?: unknown } | null;
  return data !== null && typeof data === 'object' && typeof data.jobId === 'string' ? data.jobId : undefined;
}

/** Which deployed definition a decision job asks for, from its binding headers. */
export interface DecisionJobSelector {
  readonly decisionId: string;
  readonly version?: number;
  readonly versionTag?: string;
  /** With binding `deployment`: the process definition whose deployment the decision must come from. */
  readonly processDefinitionId?: string;
}

/**
 * The definition a job's binding selects: `version`, `versionTag` and `deployment` (the decision deployed with the
 * job's process definition) as the headers say; otherwise the latest.
 */
export function decisionJobSelector(job: Pick<DecisionJob, 'decisionId' | 'headers'>): DecisionJobSelector {
  const binding = job.headers[DECISION_JOB_HEADERS.bindingType];
  const version = Number(job.headers[DECISION_JOB_HEADERS.version]);
  if (binding === 'version' && Number.isSafeInteger(version) && version >= 1) return { decisionId: job.decisionId, version };
  const versionTag = job.headers[DECISION_JOB_HEADERS.versionTag];
  if (binding === 'versionTag' && versionTag !== undefined) return { decisionId: job.decisionId, versionTag };
  const processDefinitionId = job.headers[DECISION_JOB_HEADERS.processDefinitionId];
  if (binding === 'deployment' && processDefinitionId !== undefined) return { decisionId: job.decisionId, processDefinitionId };
  return { decisionId: job.decisionId };
}

/** How a decision job is answered: completed with the result variable, or failed with no retries and why. */
export type DecisionJobAnswer = { readonly kind: 'complete'; readonly variables: JsonObject } | { readonly kind: 'fail'; readonly errorMessage: string };

/**
 * The variables a decision job completes with: the result in the job's `resultVariable` (none without one). Camunda 7
 * tasks carry `mapDecisionResult` (default `resultList`) and get Camunda 7's mapping of the rule results; Camunda 8
 * tasks (no mapping header) get the decision's value itself, as Zeebe stores it.
 */
export function decisionJobResult(job: Pick<DecisionJob, 'decisionId' | 'headers'>, evaluation: DecisionEvaluationView): DecisionJobAnswer {
  const resultVariable = job.headers[DECISION_JOB_HEADERS.resultVariable];
  const mapping = job.headers[DECISION_JOB_HEADERS.mapDecisionResult];
  if (mapping === undefined) return { kind: 'complete', variables: resultVariable === undefined ? {} : { [resultVariable]: evaluation.output } };
  if (!isMapping(mapping)) return { kind: 'fail', errorMessage: `decision '${job.decisionId}': unknown mapDecisionResult '${mapping}'` };
  const mapped = mapDecisionResult(mapping, evaluation.ruleResults, evaluation.decisionId);
  if (!mapped.ok) return { kind: 'fail', errorMessage: mapped.message };
  return { kind: 'complete', variables: resultVariable === undefined ? {} : { [resultVariable]: mapped.value } };
}

/** Why a decision job whose decision is not deployed fails. */
export function decisionNotDeployedMessage(selector: DecisionJobSelector): string {
  if (selector.decisionId === '') return 'the decision job names no decision (its decisionId header is empty)';
  const which =
    selector.version !== undefined
      ? ` in version ${selector.version}`
      : selector.versionTag !== undefined
        ? ` with version tag '${selector.versionTag}'`
        : selector.processDefinitionId !== undefined
          ? ` in the deployment of process definition '${selector.processDefinitionId}' (binding deployment)`
          : '';
  return `decision '${selector.decisionId}' is not deployed${which}: deploy a DMN resource that defines it, then resolve this incident`;
}

/**
 * The command id of an answer, derived from the job (and, for a job offered again after its incident was resolved, from
 * the revision of that event): a redelivered event sends the same command and the runtime handles it once.
 */
const commandIdOf = (kind: 'complete' | 'fail', jobId: string, offeredAgainAt: number | undefined): string =>
  `${DMN_SERVICE_NAME}:${kind}-decision-job:${jobId}${offeredAgainAt === undefined ? '' : `:${offeredAgainAt}`}`;

export interface AnswerOptions {
  readonly issuedAt: string;
  /** The revision of the `JobRetriesUpdated` that offered the job again. */
  readonly offeredAgainAt?: number;
}

/** The `FailJob` command of a decision job that cannot be answered: no retries left, so its task gets an incident. */
export function failDecisionJob(job: Pick<DecisionJob, 'jobId' | 'processInstanceId'>, errorMessage: string, options: AnswerOptions): FailJobCommandMessage {
  return {
    type: 'FailJob',
    commandId: commandIdOf('fail', job.jobId, options.offeredAgainAt),
    processInstanceId: job.processInstanceId,
    issuedBy: DMN_SERVICE_NAME,
    issuedAt: options.issuedAt,
    jobId: job.jobId,
    retries: 0,
    errorMessage,
  };
}

/** The `CompleteJob` command of an evaluated decision job, with the result variables. */
export function completeDecisionJob(job: Pick<DecisionJob, 'jobId' | 'processInstanceId'>, variables: JsonObject, options: AnswerOptions): CompleteJobCommandMessage {
  return {
    type: 'CompleteJob',
    commandId: commandIdOf('complete', job.jobId, options.offeredAgainAt),
    processInstanceId: job.processInstanceId,
    issuedBy: DMN_SERVICE_NAME,
    issuedAt: options.issuedAt,
    jobId: job.jobId,
    variables,
  };
}

function isMapping(value: string): value is DecisionResultMapping {
  return (DECISION_RESULT_MAPPINGS as readonly string[]).includes(value);
}

function textRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
