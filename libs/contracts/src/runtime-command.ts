/**
 * Commands other services send to the runtime over Kafka (`TOPICS.runtimeCommands`), and the runtime's answer to each
 * (`TOPICS.runtimeCommandResults`). The wire format is versioned on its own: it mirrors the engine's commands but does
 * not depend on them, so the engine can change its internals without breaking a producer in another service.
 */
import { HEADERS, JSON_CONTENT_TYPE, type WireMessage } from './headers.js';
import type { JsonObject } from './json.js';
import { type Problem, type Rule, type Schema, type Validated, checkObject, parseJsonValue, pickFields, rules } from './validation.js';

export const RUNTIME_COMMAND_TYPES = [
  'StartProcessInstance',
  'CompleteJob',
  'FailJob',
  'ThrowError',
  'CompleteUserTask',
  'SetVariables',
  'ResolveIncident',
  'CancelProcessInstance',
  'ActivateAdHocActivities',
] as const;

export type RuntimeCommandType = (typeof RUNTIME_COMMAND_TYPES)[number];

/** Fields every runtime command carries. */
export interface RuntimeCommandHeader {
  /** Unique per command, chosen by the sender: the runtime answers with it and handles a repeated one only once. */
  readonly commandId: string;
  /** The instance the command is for; also the message key, so one runtime replica handles an instance's commands in order. */
  readonly processInstanceId: string;
  /** The service (or client) that sent it: logs and audit. */
  readonly issuedBy: string;
  /** When the sender issued it (ISO 8601). */
  readonly issuedAt: string;
}

/**
 * Starts an instance with the id `processInstanceId` (chosen by the sender, so a repeated command cannot start a second
 * instance): of the latest version of `processId`, or of exactly `processDefinitionId` (`<processId>:<version>`).
 */
export interface StartProcessInstanceCommandMessage extends RuntimeCommandHeader {
  readonly type: 'StartProcessInstance';
  readonly processId?: string;
  readonly processDefinitionId?: string;
  readonly businessKey?: string;
  readonly variables?: JsonObject;
}

export interface CompleteJobCommandMessage extends RuntimeCommandHeader {
  readonly type: 'CompleteJob';
  readonly jobId: string;
  readonly variables?: JsonObject;
  /** Only for a task listener's job: `{ corrections?, denied?, deniedReason? }`, checked by the engine. */
  readonly result?: JsonObject;
}

/** A failed attempt: with retries left the job is offered again after `retryBackoffMs`; with 0 an incident is raised. */
export interface FailJobCommandMessage extends RuntimeCommandHeader {
  readonly type: 'FailJob';
  readonly jobId: string;
  readonly retries: number;
  readonly errorMessage?: string;
  readonly retryBackoffMs?: number;
}

/**
 * The worker reports a BPMN error for its job: caught by an error boundary event for `errorCode` (or a catch-all),
 * which gets `variables`; uncaught, an incident. Added to version 1 of the topic: a runtime older than this command
 * does not know its type and sends it to the dead-letter topic as an invalid message.
 */
export interface ThrowErrorCommandMessage extends RuntimeCommandHeader {
  readonly type: 'ThrowError';
  readonly jobId: string;
  readonly errorCode: string;
  readonly errorMessage?: string;
  readonly variables?: JsonObject;
}

export interface CompleteUserTaskCommandMessage extends RuntimeCommandHeader {
  readonly type: 'CompleteUserTask';
  readonly userTaskId: string;
  readonly variables?: JsonObject;
}

export interface SetVariablesCommandMessage extends RuntimeCommandHeader {
  readonly type: 'SetVariables';
  readonly variables: JsonObject;
  /** The process instance id (default) or an element instance id. */
  readonly scopeInstanceId?: string;
  /** True: set in that scope; otherwise each variable goes to the nearest scope that has it. */
  readonly local?: boolean;
}

export interface ResolveIncidentCommandMessage extends RuntimeCommandHeader {
  readonly type: 'ResolveIncident';
  readonly incidentId: string;
  /** For a job incident: the retries the job gets back (default 1). */
  readonly retries?: number;
}

export interface CancelProcessInstanceCommandMessage extends RuntimeCommandHeader {
  readonly type: 'CancelProcessInstance';
}

/** An element an `ActivateAdHocActivities` command starts. */
export interface AdHocActivityToActivate {
  /** An inner activity or intermediate event of the ad-hoc sub-process without incoming sequence flows. */
  readonly elementId: string;
}

/**
 * Starts inner elements of a running ad-hoc sub-process, as `POST /api/process-instances/{id}/ad-hoc-sub-processes/
 * {elementInstanceId}/activation` does: in the order given (one after another in a sequential one). Added to version 1
 * of the topic: a runtime older than this command does not know its type and sends it to the dead-letter topic as an
 * invalid message.
 */
export interface ActivateAdHocActivitiesCommandMessage extends RuntimeCommandHeader {
  readonly type: 'ActivateAdHocActivities';
  /** The element instance of the ad-hoc sub-process (its `activeElementInstances` entry). */
  readonly adHocSubProcessInstanceId: string;
  /** At least one, at most `MAX_AD_HOC_ACTIVITIES`; an element may be named more than once. */
  readonly elements: readonly AdHocActivityToActivate[];
}

/** The most elements one `ActivateAdHocActivities` command starts (as the REST API). */
export const MAX_AD_HOC_ACTIVITIES = 1000;

/** A runtime command as it travels on `trellis.runtime-commands.v1`. */
export type RuntimeCommandMessage =
  | StartProcessInstanceCommandMessage
  | CompleteJobCommandMessage
  | FailJobCommandMessage
  | ThrowErrorCommandMessage
  | CompleteUserTaskCommandMessage
  | SetVariablesCommandMessage
  | ResolveIncidentCommandMessage
  | CancelProcessInstanceCommandMessage
  | ActivateAdHocActivitiesCommandMessage;

const jsonObject: Rule = (value) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? rules.json(value) : 'must be a JSON object');
const boolean: Rule = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');
const activityList: Rule = (value) =>
  Array.isArray(value) && value.length >= 1 && value.length <= MAX_AD_HOC_ACTIVITIES
    ? undefined
    : `must be a list of 1 to ${MAX_AD_HOC_ACTIVITIES} elements, each { "elementId": "..." }`;
const adHocActivitySchema: Schema = { elementId: { rule: rules.nonEmptyString } };

const headerSchema: Schema = {
  type: { rule: rules.oneOf(RUNTIME_COMMAND_TYPES) },
  commandId: { rule: rules.nonEmptyString },
  processInstanceId: { rule: rules.nonEmptyString },
  issuedBy: { rule: rules.nonEmptyString },
  issuedAt: { rule: rules.isoTimestamp },
};

const bodySchemas: Readonly<Record<RuntimeCommandType, Schema>> = {
  StartProcessInstance: {
    processId: { rule: rules.nonEmptyString, optional: true },
    processDefinitionId: { rule: rules.nonEmptyString, optional: true },
    businessKey: { rule: rules.string, optional: true },
    variables: { rule: jsonObject, optional: true },
  },
  CompleteJob: {
    jobId: { rule: rules.nonEmptyString },
    variables: { rule: jsonObject, optional: true },
    result: { rule: jsonObject, optional: true },
  },
  FailJob: {
    jobId: { rule: rules.nonEmptyString },
    retries: { rule: rules.nonNegativeInteger },
    errorMessage: { rule: rules.string, optional: true },
    retryBackoffMs: { rule: rules.nonNegativeInteger, optional: true },
  },
  ThrowError: {
    jobId: { rule: rules.nonEmptyString },
    errorCode: { rule: rules.nonEmptyString },
    errorMessage: { rule: rules.string, optional: true },
    variables: { rule: jsonObject, optional: true },
  },
  CompleteUserTask: { userTaskId: { rule: rules.nonEmptyString }, variables: { rule: jsonObject, optional: true } },
  SetVariables: {
    variables: { rule: jsonObject },
    scopeInstanceId: { rule: rules.nonEmptyString, optional: true },
    local: { rule: boolean, optional: true },
  },
  ResolveIncident: { incidentId: { rule: rules.nonEmptyString }, retries: { rule: rules.nonNegativeInteger, optional: true } },
  CancelProcessInstance: {},
  ActivateAdHocActivities: { adHocSubProcessInstanceId: { rule: rules.nonEmptyString }, elements: { rule: activityList } },
};

/** Checks a parsed value against the command's schema (version 1): every broken field at once. */
export function validateRuntimeCommand(value: unknown): Validated<RuntimeCommandMessage> {
  const problems: Problem[] = checkObject(value, headerSchema);
  if (problems.some((problem) => problem.path === 'type' || problem.path === '(message)')) return { ok: false, problems };
  const type = (value as { type: RuntimeCommandType }).type;
  const bodySchema = bodySchemas[type];
  problems.push(...checkObject(value, bodySchema));
  if (type === 'StartProcessInstance') {
    const { processId, processDefinitionId } = value as { processId?: unknown; processDefinitionId?: unknown };
    if ((processId === undefined) === (processDefinitionId === undefined)) {
      problems.push({ path: 'processId', message: 'exactly one of processId and processDefinitionId must be given' });
    }
  }
  const elements = type === 'ActivateAdHocActivities' ? (value as { elements?: unknown }).elements : undefined;
  if (Array.isArray(elements)) elements.forEach((element, index) => problems.push(...checkObject(element, adHocActivitySchema, `elements[${index}]`)));
  if (problems.length > 0) return { ok: false, problems };
  const command = pickFields<RuntimeCommandMessage>(value, { ...headerSchema, ...bodySchema });
  if (command.type !== 'ActivateAdHocActivities') return { ok: true, value: command };
  // Each element's fields are picked too: an unknown one (per-element variables, say) never reaches the runtime.
  return { ok: true, value: { ...command, elements: command.elements.map((element) => pickFields<AdHocActivityToActivate>(element, adHocActivitySchema)) } };
}

/** Parses a received message value (JSON text or UTF-8 bytes) and validates it. */
export function decodeRuntimeCommand(value: string | Uint8Array | null): Validated<RuntimeCommandMessage> {
  const parsed = parseJsonValue(value);
  return parsed.ok ? validateRuntimeCommand(parsed.value) : parsed;
}

/** The message for a command: keyed by its process-instance id. */
export function runtimeCommandMessageOf(command: RuntimeCommandMessage): WireMessage {
  return {
    key: command.processInstanceId,
    value: JSON.stringify(command),
    headers: { [HEADERS.type]: command.type, [HEADERS.commandId]: command.commandId, [HEADERS.contentType]: JSON_CONTENT_TYPE },
  };
}

export const RUNTIME_COMMAND_REJECTIONS = ['not-found', 'invalid-state', 'invalid-argument'] as const;

export type RuntimeCommandRejection = (typeof RUNTIME_COMMAND_REJECTIONS)[number];

/**
 * The runtime's answer to one command, on `trellis.runtime-command-results.v1`, keyed by the process-instance id.
 * `accepted`: its events are in the instance's stream (they reach consumers on the events topic). `rejected`: nothing
 * changed; `rejection` says why in a word a program can act on, `detail` in a sentence a person can.
 */
export interface RuntimeCommandResult {
  readonly commandId: string;
  readonly commandType: RuntimeCommandType;
  readonly processInstanceId: string;
  readonly outcome: 'accepted' | 'rejected';
  readonly rejection?: RuntimeCommandRejection;
  readonly detail?: string;
  /** The stream revision of the instance after the command (accepted only). */
  readonly revision?: number;
  readonly handledAt: string;
}

const resultSchema: Schema = {
  commandId: { rule: rules.nonEmptyString },
  commandType: { rule: rules.oneOf(RUNTIME_COMMAND_TYPES) },
  processInstanceId: { rule: rules.nonEmptyString },
  outcome: { rule: rules.oneOf(['accepted', 'rejected']) },
  rejection: { rule: rules.oneOf(RUNTIME_COMMAND_REJECTIONS), optional: true },
  detail: { rule: rules.string, optional: true },
  revision: { rule: rules.nonNegativeInteger, optional: true },
  handledAt: { rule: rules.isoTimestamp },
};

export function validateRuntimeCommandResult(value: unknown): Validated<RuntimeCommandResult> {
  const problems = checkObject(value, resultSchema);
  if (problems.length === 0) {
    const { outcome, rejection } = value as { outcome: string; rejection?: string };
    if (outcome === 'rejected' && rejection === undefined) problems.push({ path: 'rejection', message: 'is required when outcome is rejected' });
    if (outcome === 'accepted' && rejection !== undefined) problems.push({ path: 'rejection', message: 'must be absent when outcome is accepted' });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: pickFields<RuntimeCommandResult>(value, resultSchema) };
}

export function decodeRuntimeCommandResult(value: string | Uint8Array | null): Validated<RuntimeCommandResult> {
  const parsed = parseJsonValue(value);
  return parsed.ok ? validateRuntimeCommandResult(parsed.value) : parsed;
}

export function runtimeCommandResultMessageOf(result: RuntimeCommandResult): WireMessage {
  return {
    key: result.processInstanceId,
    value: JSON.stringify(result),
    headers: { [HEADERS.commandId]: result.commandId, [HEADERS.type]: `${result.commandType}.${result.outcome}`, [HEADERS.contentType]: JSON_CONTENT_TYPE },
  };
}
