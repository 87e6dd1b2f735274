import { DECISION_JOB_TYPE } from '../model/decision-job.js';
import type { Expression } from '../model/expression.js';
import type { CalledDecision, FormBinding, JobDefinition, TaskListener, UserTaskAssignment } from '../model/executable-model.js';
import { readCamundaDecision, readCamundaJob, readCamundaScript, readCamundaUserTask } from './dialects/camunda7-extensions.js';
import { mergeDialects, type DialectValue } from './dialects/merge-dialects.js';
import { readTaskListeners } from './task-listeners.js';
import { readZeebeDecision, readZeebeJob, readZeebeScript, readZeebeUserTask } from './dialects/zeebe-extensions.js';
import { asFeel } from './expression-fields.js';
import { stringProperty, textProperty } from './moddle-element.js';
import { expressionValue, type ReadContext } from './read-context.js';

const defaultRetries: Expression = { language: 'static', source: '3' };

/**
 * The job of a service, send or business rule task, from `zeebe:taskDefinition` or a Camunda 7 external task.
 * `undefined` when there is none: reported as missing unless an implementation we refuse was reported already.
 */
export function readJob(context: ReadContext, taskKind: string): JobDefinition | undefined {
  const zeebe = readZeebeJob(context);
  const camunda = readCamundaJob(context);
  const type = mergeDialects(zeebe.type, camunda.type, context.elementId, context.errors);
  if (!zeebe.defined && camunda.type === undefined && !camunda.refused) {
    context.errors.add({
      code: 'MISSING_ATTRIBUTE',
      message:
        `${taskKind} '${context.elementId}' has no job definition: give it a zeebe:taskDefinition type (Camunda 8) ` +
        'or camunda:type="external" with a camunda:topic (Camunda 7)',
      elementId: context.elementId,
      field: 'zeebe:taskDefinition',
    });
  }
  if (type === undefined) return undefined;
  return {
    type,
    retries: zeebe.retries ?? defaultRetries,
    customHeaders: zeebe.customHeaders,
    ...(camunda.retryTimeCycle === undefined ? {} : { retryTimeCycle: camunda.retryTimeCycle }),
    ...(camunda.priority === undefined ? {} : { priority: camunda.priority }),
    // A task written in both dialects is one job; it is the Camunda 8 job, which external task clients may fetch too.
    dialect: zeebe.type !== undefined ? 'zeebe' : 'camunda',
  };
}

/** What makes a task a job for a worker; a task that calls a decision has none of them. */
const jobImplementations = ['camunda:type', 'camunda:topic', 'camunda:class', 'camunda:delegateExpression', 'camunda:expression'] as const;

/**
 * A business rule task calls a DMN decision (`zeebe:calledDecision`, `camunda:decisionRef`) or is a job for a worker
 * like a service task. A decision becomes a job of the reserved type `io.trellis.decision` that the decision service
 * answers; what the decision needs (id, binding, result variable, result mapping) travels in `decision` and, once
 * evaluated at activation, in the job's headers.
 */
export function readBusinessRuleTask(context: ReadContext): { job?: JobDefinition; decision?: CalledDecision } {
  const zeebe = readZeebeDecision(context);
  const camunda = readCamundaDecision(context);
  if (!zeebe.defined && !camunda.defined) {
    const job = readJob(context, 'business rule task');
    return job === undefined ? {} : { job };
  }
  const { element, elementId, errors, extensions } = context;
  const alsoAJob = [
    ...(extensions.take('zeebe:TaskDefinition') === undefined ? [] : ['zeebe:taskDefinition']),
    ...(extensions.takeAll('zeebe:TaskHeaders').length === 0 ? [] : ['zeebe:taskHeaders']),
    ...jobImplementations.filter((attribute) => textProperty(element, attribute) !== undefined),
  ];
  if (alsoAJob.length > 0) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message:
        `business rule task '${elementId}' calls a decision and also has ${alsoAJob.join(', ')}: ` +
        'a business rule task either calls a decision or is a job for a worker',
      elementId,
      field: alsoAJob[0],
    });
  }
  const decisionId = mergeDialects(zeebe.decisionId, camunda.decisionId, elementId, errors);
  const resultVariable = mergeDialects(zeebe.resultVariable, camunda.resultVariable, elementId, errors);
  const binding = mergeDialects(zeebe.binding, camunda.binding, elementId, errors) ?? 'latest';
  if (decisionId === undefined) return {};
  const decision: CalledDecision = {
    decisionId,
    ...(resultVariable === undefined ? {} : { resultVariable }),
    binding,
    ...(camunda.version === undefined ? {} : { version: camunda.version }),
    ...(zeebe.versionTag === undefined ? {} : { versionTag: zeebe.versionTag }),
    ...(camunda.defined ? { mapDecisionResult: camunda.mapDecisionResult } : {}),
    dialect: zeebe.defined ? 'zeebe' : 'camunda',
  };
  const job: JobDefinition = {
    type: { language: 'static', source: DECISION_JOB_TYPE },
    retries: defaultRetries,
    customHeaders: {},
    dialect: decision.dialect,
  };
  return { job, decision };
}

export interface UserTaskFields {
  readonly assignment: UserTaskAssignment;
  readonly formKey?: string;
  readonly formId?: string;
  readonly formBinding?: FormBinding;
  readonly taskListeners?: readonly TaskListener[];
}

export function readUserTask(context: ReadContext): UserTaskFields {
  const zeebe = readZeebeUserTask(context);
  const camunda = readCamundaUserTask(context);
  const merge = <T>(field: keyof typeof zeebe & keyof typeof camunda): T | undefined =>
    mergeDialects(zeebe[field] as DialectValue<T> | undefined, camunda[field] as DialectValue<T> | undefined, context.elementId, context.errors);
  const assignment: Record<string, Expression | undefined> = {
    assignee: merge<Expression>('assignee'),
    candidateUsers: merge<Expression>('candidateUsers'),
    candidateGroups: merge<Expression>('candidateGroups'),
    dueDate: merge<Expression>('dueDate'),
    followUpDate: merge<Expression>('followUpDate'),
    priority: merge<Expression>('priority'),
  };
  const formKey = merge<string>('formKey');
  const formId = merge<string>('formId');
  const formBinding = merge<FormBinding>('formBinding');
  const taskListeners = readTaskListeners(context);
  return {
    assignment: Object.fromEntries(Object.entries(assignment).filter(([, value]) => value !== undefined)) as UserTaskAssignment,
    ...(formKey === undefined ? {} : { formKey }),
    ...(formId === undefined ? {} : { formId }),
    ...(formBinding === undefined ? {} : { formBinding }),
    ...(taskListeners.length === 0 ? {} : { taskListeners }),
  };
}

export interface ScriptFields {
  readonly script?: Expression;
  readonly resultVariable?: string;
}

const feelFormat = /^(feel|text\/feel|application\/feel)$/i;

/**
 * A script task runs a FEEL expression: `zeebe:script`, or a `bpmn:script` whose `scriptFormat` is FEEL. Scripts in
 * JavaScript, Groovy or any other language would need a script engine and are refused at deployment.
 */
export function readScript(context: ReadContext): ScriptFields {
  const { element, elementId, errors } = context;
  const runByWorker = context.extensions.has('zeebe:TaskDefinition');
  if (runByWorker) {
    context.extensions.take('zeebe:TaskDefinition');
    errors.add({
      code: 'NOT_SUPPORTED',
      message: 'not supported yet: script tasks run by a job worker (zeebe:taskDefinition on bpmn:ScriptTask): use zeebe:script',
      elementId,
      field: 'zeebe:taskDefinition',
    });
  }
  const zeebe = readZeebeScript(context);
  const camunda = readCamundaScript(context);
  const scriptFormat = textProperty(element, 'scriptFormat');
  const scriptText = stringProperty(element, 'script');
  let bpmnScript: DialectValue<Expression> | undefined;
  if (scriptFormat !== undefined || (scriptText !== undefined && scriptText.trim() !== '')) {
    if (scriptFormat === undefined) {
      errors.add({
        code: 'MISSING_ATTRIBUTE',
        message: `script task '${elementId}' has a script but no scriptFormat: write scriptFormat="feel"`,
        elementId,
        field: 'scriptFormat',
      });
    } else if (!feelFormat.test(scriptFormat)) {
      errors.add({
        code: 'NOT_SUPPORTED',
        message:
          `not supported yet: scriptFormat '${scriptFormat}' (script task '${elementId}'): ` +
          'only FEEL scripts run, written as zeebe:script or as a bpmn:script with scriptFormat="feel"',
        elementId,
        field: 'scriptFormat',
      });
    } else if (scriptText === undefined || scriptText.trim() === '') {
      errors.add({ code: 'MISSING_ATTRIBUTE', message: `script task '${elementId}' has an empty script`, elementId, field: 'script' });
    } else {
      bpmnScript = expressionValue(context, asFeel(scriptText), 'script', 'feel');
    }
  } else if (!zeebe.defined && !runByWorker) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `script task '${elementId}' has no script: give it a zeebe:script expression or a bpmn:script with scriptFormat="feel"`,
      elementId,
      field: 'zeebe:script',
    });
  }
  const script = mergeDialects(zeebe.script, bpmnScript, elementId, errors);
  const resultVariable = mergeDialects(zeebe.resultVariable, camunda.resultVariable, elementId, errors);
  return { ...(script === undefined ? {} : { script }), ...(resultVariable === undefined ? {} : { resultVariable }) };
}
