import type { Expression } from './expression.js';

/**
 * The executable form of a BPMN resource: everything the decider needs, resolved from both
 * extension dialects (Camunda 7 `camunda:` and Camunda 8 `zeebe:`) into one vocabulary.
 * It is plain data (JSON-serialisable), so a deployment can be cached or shipped between services.
 */
export interface ExecutableModel {
  /** Executable processes of the resource, in document order. */
  readonly processes: readonly ExecutableProcess[];
}

export interface ExecutableProcess {
  /** The BPMN process id (`bpmn:process/@id`): what users start instances by. */
  readonly id: string;
  readonly name?: string;
  /** Every flow node of the process, including those nested in sub-processes, by element id. */
  readonly elements: Readonly<Record<string, FlowNode>>;
  /** Every sequence flow of the process, including nested ones, by flow id. */
  readonly flows: Readonly<Record<string, SequenceFlow>>;
  /** The none start events of the process level (not of sub-processes). */
  readonly startEventIds: readonly string[];
  /** The timer start events of the process level (absent in models compiled before they existed: none). */
  readonly timerStartEventIds?: readonly string[];
  /** The signal start events of the process level (absent: none). */
  readonly signalStartEventIds?: readonly string[];
  /** The message start events of the process level (absent in models compiled before they existed: none). */
  readonly messageStartEventIds?: readonly string[];
  /**
   * The conditional start events of the process level (absent: none): an evaluation of conditions with variables
   * (`POST /api/conditionals/evaluation`, Camunda 7's `POST /condition`) starts an instance at each whose condition holds.
   */
  readonly conditionalStartEventIds?: readonly string[];
  /** The event sub-processes of the process level (absent: none): their start events wait while the instance runs. */
  readonly eventSubProcessIds?: readonly string[];
  /**
   * For every inclusive or complex gateway with more than one incoming flow: the ids of flow nodes in the same
   * scope from which a token can still reach each incoming flow without passing the gateway itself.
   * Keyed by gateway id, then by incoming flow id.
   */
  readonly inclusiveJoinUpstream: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Camunda 7 `camunda:jobPriority` of the process: the priority of continuations whose element gives none. */
  readonly jobPriority?: Expression;
  /** Camunda 7 `camunda:taskPriority` of the process: the priority of external tasks whose element gives none. */
  readonly taskPriority?: Expression;
}

export type FlowNodeKind =
  | 'startEvent'
  | 'endEvent'
  | 'task'
  | 'manualTask'
  | 'userTask'
  | 'serviceTask'
  | 'sendTask'
  | 'receiveTask'
  | 'businessRuleTask'
  | 'scriptTask'
  | 'exclusiveGateway'
  | 'parallelGateway'
  | 'inclusiveGateway'
  | 'complexGateway'
  | 'eventBasedGateway'
  | 'subProcess'
  | 'adHocSubProcess'
  | 'callActivity'
  | 'intermediateCatchEvent'
  | 'intermediateThrowEvent'
  | 'boundaryEvent';

/** A variable mapping: the value of `source` is assigned to `target` (a name, or a dotted path in Camunda 8). */
export interface VariableMapping {
  readonly source: Expression;
  readonly target: string;
}

export interface MultiInstanceLoop {
  readonly isSequential: boolean;
  /** `loopCardinality`: a number of instances. Either this or `inputCollection` is set. */
  readonly loopCardinality?: Expression;
  /** Camunda 8 `inputCollection` / Camunda 7 `camunda:collection`: evaluates to a list. */
  readonly inputCollection?: Expression;
  /** Name of the local variable of each iteration that holds its item (`inputElement` / `camunda:elementVariable`). */
  readonly inputElement?: string;
  /** Camunda 8: variable of the body scope collecting one entry per iteration. */
  readonly outputCollection?: string;
  /** Camunda 8: evaluated in each iteration's scope when it completes; its value is stored in the output collection. */
  readonly outputElement?: Expression;
  /** `completionCondition`: evaluated after each iteration completes; when true the remaining iterations are terminated. */
  readonly completionCondition?: Expression;
  /**
   * `behavior` (BPMN 2.0 §10.3.6): which events the body throws when an iteration completes. `None`: each
   * `events` entry at every completion; `One`: at the first completion only; `Complex`: each entry whose condition
   * holds, at every completion; `All` (absent): none.
   */
  readonly behavior?: 'None' | 'One' | 'Complex';
  /** The events thrown as `behavior` says (`noneBehaviorEventRef`, `oneBehaviorEventRef` or `complexBehaviorDefinition`). */
  readonly behaviorEvents?: readonly MultiInstanceBehaviorEvent[];
  /**
   * Camunda 7 `camunda:asyncBefore` / `asyncAfter` on the loop characteristics: a continuation for each iteration
   * (the activity's own attributes give one for the activity as a whole, at its body).
   */
  readonly asyncBefore?: boolean;
  readonly asyncAfter?: boolean;
  readonly asyncJob?: AsyncJobDefinition;
}

/**
 * An event a multi-instance body throws when an iteration completes: caught like any thrown event, by the boundary
 * events of the multi-instance activity (or of the activities around it, for an escalation).
 */
export interface MultiInstanceBehaviorEvent {
  /** For `Complex`: the `complexBehaviorDefinition/condition`, evaluated in the completed iteration's scope. */
  readonly condition?: Expression;
  readonly thrown: Extract<ThrowEventDefinition, { type: 'escalation' | 'signal' }>;
}

export interface StandardLoop {
  /** `loopCondition`: the loop continues while it is true. */
  readonly loopCondition?: Expression;
  /** When true the condition is checked before each iteration (a while loop), else after (do-while). */
  readonly testBefore: boolean;
  readonly loopMaximum?: number;
}

interface FlowNodeBase {
  readonly id: string;
  readonly name?: string;
  /** The id of the enclosing scope: the process id, or the id of the enclosing sub-process. */
  readonly parentId: string;
  readonly incoming: readonly string[];
  readonly outgoing: readonly string[];
  /** Input mappings: evaluated on activation into local variables of the element instance. */
  readonly inputMappings: readonly VariableMapping[];
  /** Output mappings: evaluated in the element's scope on completion, written to the enclosing scope. */
  readonly outputMappings: readonly VariableMapping[];
  readonly multiInstance?: MultiInstanceLoop;
  readonly standardLoop?: StandardLoop;
  /**
   * Camunda 7 `camunda:asyncBefore` (or `camunda:async`) / `camunda:asyncAfter`: a transaction boundary before the
   * element is activated / after it did its work, before it leaves by its outgoing flows. The engine stops there with
   * an asynchronous continuation (a job of the runtime's job executor) and goes on when it is run.
   */
  readonly asyncBefore?: boolean;
  readonly asyncAfter?: boolean;
  /** How the element's asynchronous continuations run (set when `asyncBefore` or `asyncAfter` is). */
  readonly asyncJob?: AsyncJobDefinition;
  /**
   * The `default` flow of an activity (or of an exclusive or inclusive gateway): taken only when no other
   * outgoing flow's condition holds.
   */
  readonly defaultFlowId?: string;
  /**
   * For an activity: the boundary events attached to it, in document order. Their subscriptions open when the
   * activity (the multi-instance body, for a multi-instance activity) is activated and close when it leaves.
   */
  readonly boundaryEventIds?: readonly string[];
  /**
   * `isForCompensation="true"`: a compensation handler. It is entered by no sequence flow: only a compensation throw
   * event (or a cancel end event) runs it, for a completed instance of the activity whose compensation boundary event
   * is associated with it.
   */
  readonly isForCompensation?: boolean;
  /** For an activity with a compensation boundary event: the handler (an activity `isForCompensation`) it is associated with. */
  readonly compensationHandlerId?: string;
}

/** The Camunda 7 job attributes of an element's asynchronous continuations. */
export interface AsyncJobDefinition {
  /**
   * `camunda:failedJobRetryTimeCycle`, checked at deployment: `R3/PT10S` (3 attempts, 10 s apart) or a list of
   * intervals `PT1M,PT5M,PT10M` (4 attempts, each interval the wait before the next; see `retry-cycle.ts`). Absent: 3
   * attempts, one right after the other, as Camunda 7 by default.
   */
  readonly retryTimeCycle?: string;
  /** `camunda:jobPriority`: a whole number or an expression, evaluated when the continuation is created (default: the process's, else 0). */
  readonly priority?: Expression;
  /** `camunda:exclusive` (default true). */
  readonly exclusive: boolean;
}

/**
 * When a timer is due, as the model says (`bpmn:timeDate`, `bpmn:timeDuration` or `bpmn:timeCycle`). The expression
 * is evaluated when the timer is created: a static text or the value of a FEEL or JUEL expression, an ISO 8601
 * date-time, duration or repeating interval (`R5/PT10S`, `R/2026-01-01T00:00:00Z/P1D`), or, for a cycle, a cron
 * expression (`0 0 9 * * MON-FRI`).
 */
export interface TimerDefinition {
  readonly kind: 'timeDate' | 'timeDuration' | 'timeCycle';
  readonly expression: Expression;
}

/**
 * What a catch event waits for. One member per kind of event definition this version runs; a kind is added here,
 * in `openCatchSubscription` and in the compiler.
 */
export type CatchEventDefinition =
  | TimerEventDefinition
  | MessageEventDefinition
  | ErrorEventDefinition
  | EscalationEventDefinition
  | SignalEventDefinition
  | ConditionalEventDefinition
  | CompensationEventDefinition
  | CancelEventDefinition;

/**
 * A compensation boundary event (the activity's link to its compensation handler, which an association names) or the
 * start event of a compensation event sub-process. Nothing is waited for: a compensation throw event runs the handlers
 * of completed activities (see `compensation.ts`).
 */
export interface CompensationEventDefinition {
  readonly type: 'compensation';
}

/**
 * A cancel boundary event on a transaction sub-process: a cancel end event inside the transaction compensates what
 * completed in it, then leaves the transaction through this event. Nothing is waited for.
 */
export interface CancelEventDefinition {
  readonly type: 'cancel';
}

/**
 * What a compensation throw event (intermediate or end) compensates: the completed instances of one activity of its
 * scope (`activityRef`), or (absent) every completed activity of the scope, in reverse order of completion.
 */
export interface CompensationThrow {
  readonly activityId?: string;
  /**
   * `waitForCompletion="false"`: the throw event goes on at once while the handlers run in its scope (which completes
   * only after them). Absent: it waits until the last handler is done (the default of BPMN 2.0).
   */
  readonly waitForCompletion?: false;
}

/**
 * A conditional event (`bpmn:conditionalEventDefinition/bpmn:condition`, FEEL or JUEL): it occurs when its condition
 * holds, checked when it starts waiting and again after every command that set variables of the instance.
 */
export interface ConditionalEventDefinition {
  readonly type: 'conditional';
  readonly condition: Expression;
}

/**
 * A signal a catch event or boundary event waits for (`bpmn:signal`, referenced by `signalRef`): broadcast to every
 * subscription of its name, in every instance. The name is a literal or (Camunda 8) a FEEL expression `=...`, evaluated
 * when the subscription opens, in the waiting element's scope.
 */
export interface SignalEventDefinition {
  readonly type: 'signal';
  readonly signalName: Expression;
}

export interface TimerEventDefinition {
  readonly type: 'timer';
  readonly timer: TimerDefinition;
}

/**
 * An error boundary event (always interrupting): catches a BPMN error thrown inside its activity (by an error end
 * event or a job worker) whose code is `errorCode`, or any error when `errorCode` is absent (a catch-all). Nothing is
 * waited for: the thrower looks for the catching event (see `throwError`).
 */
export interface ErrorEventDefinition {
  readonly type: 'error';
  readonly errorCode?: string;
  /** Camunda 7 `camunda:errorCodeVariable` / `camunda:errorMessageVariable`: where the caught code and message go. */
  readonly errorCodeVariable?: string;
  readonly errorMessageVariable?: string;
}

/** An escalation boundary event: catches an escalation thrown inside its activity with this code, or any (absent). */
export interface EscalationEventDefinition {
  readonly type: 'escalation';
  readonly escalationCode?: string;
}

/**
 * What an error end event, an escalation end event or an escalation intermediate throw event throws: the code of the
 * `bpmn:error` / `bpmn:escalation` it names, a static text or an expression evaluated when the event is reached.
 */
export type ThrowEventDefinition =
  | { readonly type: 'error'; readonly errorCode: Expression }
  | { readonly type: 'escalation'; readonly escalationCode: Expression }
  /** A signal throw event (end or intermediate): broadcasts the signal named so, with the event's input mappings' results, and moves on. */
  | { readonly type: 'signal'; readonly signalName: Expression };

/**
 * The message a catch event or receive task waits for (`bpmn:message`, referenced by `messageRef`). Its subscription
 * opens when the element is activated: both expressions are evaluated then, in the waiting element's scope.
 */
export interface MessageDefinition {
  /** `bpmn:message/@name`: a literal, or (Camunda 8) a FEEL expression `=...` giving the name. */
  readonly name: Expression;
  /**
   * Camunda 8 `zeebe:subscription/@correlationKey`: which message of that name is meant (a string or number). Absent
   * in Camunda 7 models, whose messages are correlated by name, business key or process instance through the API.
   */
  readonly correlationKey?: Expression;
}

export interface MessageEventDefinition {
  readonly type: 'message';
  readonly message: MessageDefinition;
}

/**
 * An intermediate throw event. A none one: the token passes through it. A link one (`link` set): the token jumps to
 * the link catch event of the same name in the same scope, as if a sequence flow led there.
 */
export interface IntermediateThrowEventNode extends FlowNodeBase {
  readonly kind: 'intermediateThrowEvent';
  /** A message throw event: the job of the worker that sends the message (`zeebe:taskDefinition` or a Camunda 7 external topic). */
  readonly job?: JobDefinition;
  readonly link?: LinkEventDefinition;
  /** An escalation intermediate throw event: throws it, then (unless an interrupting boundary event caught it) moves on. */
  readonly thrown?: Extract<ThrowEventDefinition, { type: 'escalation' | 'signal' }>;
  /** A compensation intermediate throw event: compensates, waits for the handlers (unless `waitForCompletion` is false), then moves on. */
  readonly compensation?: CompensationThrow;
}

/**
 * A link (`bpmn:linkEventDefinition`): a throw event and a catch event of one scope sharing the name are joined by a
 * hidden sequence flow, the compiler resolves the name to the catch event's id. A link catch event waits for nothing:
 * it is entered only through its link and passes the token on.
 */
export interface LinkEventDefinition {
  readonly type: 'link';
  readonly name: string;
  /** On a throw event: the id of the catch event it jumps to. */
  readonly catchEventId?: string;
}

export interface IntermediateCatchEventNode extends FlowNodeBase {
  readonly kind: 'intermediateCatchEvent';
  readonly eventDefinition: CatchEventDefinition | LinkEventDefinition;
}

/**
 * An event-based gateway (exclusive, not instantiating): on activation it opens the subscriptions of the catch events
 * its outgoing flows lead to, and waits; the first event to occur wins, the others are closed, and the gateway leaves
 * by the flow to the winner's catch event, which completes at once with the event's variables.
 */
export interface EventBasedGatewayNode extends FlowNodeBase {
  readonly kind: 'eventBasedGateway';
}

/**
 * An event attached to an activity: while the activity runs, the event can occur. An interrupting one
 * (`cancelActivity`, the default) terminates the activity and leaves by its own flows; a non-interrupting one leaves
 * by its flows while the activity goes on.
 */
export interface BoundaryEventNode extends FlowNodeBase {
  readonly kind: 'boundaryEvent';
  readonly attachedToId: string;
  readonly cancelActivity: boolean;
  readonly eventDefinition: CatchEventDefinition;
}

/**
 * A call activity: starts an instance of another process (the child) and waits until it completes. Which variables
 * go in and come out differs by dialect: Camunda 8 copies every visible variable in and every child variable out
 * unless told otherwise (`propagateAllParentVariables`, `propagateAllChildVariables`); Camunda 7 copies only what
 * `camunda:in` / `camunda:out` name (`variables="all"` for everything).
 */
export interface CallActivityNode extends FlowNodeBase {
  readonly kind: 'callActivity';
  /** The id of the process to start (`calledElement` / `zeebe:calledElement/@processId`); may be an expression. */
  readonly calledElement: Expression;
  /** Which version: the latest deployed, the one deployed with the caller, or an exact version (Camunda 7). */
  readonly binding: 'latest' | 'deployment' | 'version';
  readonly version?: Expression;
  /** What the child starts with: every variable visible to the call activity, only its local ones (its input mappings), or none; plus `mappings`. */
  readonly childInputs: { readonly from: 'all' | 'locals' | 'none'; readonly mappings: readonly VariableMapping[] };
  /** What comes back when the child completes: all its process variables or none, plus `mappings` evaluated on them. */
  readonly childOutputs: { readonly all: boolean; readonly mappings: readonly VariableMapping[] };
  /** Camunda 7 `camunda:in businessKey="..."`: the child's business key. */
  readonly businessKey?: Expression;
  readonly dialect: 'zeebe' | 'camunda';
}

/** A receive task: activated, it waits for its message, then completes with the message's variables. */
export interface ReceiveTaskNode extends FlowNodeBase {
  readonly kind: 'receiveTask';
  readonly message: MessageDefinition;
}

export interface StartEventNode extends FlowNodeBase {
  readonly kind: 'startEvent';
  /**
   * A timer start event (process level only): the runtime starts an instance here each time the timer is due, for
   * the latest version of the process. Its expression is evaluated without variables, from the deployment's time.
   */
  readonly timer?: TimerDefinition;
  /**
   * A signal start event (process level only): each broadcast of this signal starts an instance here, of the latest
   * version of the process, with the signal's variables. A static name: it is matched without any instance to evaluate in.
   */
  readonly signalName?: string;
  /** A message start event (process level only): a published message of its name starts an instance here. */
  readonly message?: MessageDefinition;
  /**
   * A conditional start event (process level only): when conditions are evaluated with variables, an instance of the
   * latest version starts here if this condition holds on them.
   */
  readonly condition?: Expression;
  /**
   * The start event of an event sub-process: what it waits for while the enclosing scope (the process instance or a
   * sub-process) runs. Its subscription opens when the scope is activated and closes when the scope ends.
   */
  readonly eventDefinition?: CatchEventDefinition;
  /**
   * `isInterrupting` of an event sub-process's start event (default true): an interrupting one terminates everything
   * else in its scope first; a non-interrupting one runs beside it and may occur again.
   */
  readonly interrupting?: boolean;
}

export interface EndEventNode extends FlowNodeBase {
  readonly kind: 'endEvent';
  /** A message end event: the job of the worker that sends the message; the token ends once it is completed. */
  readonly job?: JobDefinition;
  /**
   * `none`: consumes the token; `terminate`: ends every element instance of its scope; `error` / `escalation`: throws
   * `thrown` first (an error ends the token here; an escalation not caught by an interrupting boundary event lets it end).
   */
  readonly eventDefinition: 'none' | 'terminate' | 'error' | 'escalation' | 'signal' | 'compensation' | 'cancel';
  readonly thrown?: ThrowEventDefinition;
  /** A compensation end event: compensates, waits for the handlers (unless `waitForCompletion` is false), then ends like a none end event. */
  readonly compensation?: CompensationThrow;
}

export interface PassThroughTaskNode extends FlowNodeBase {
  readonly kind: 'task' | 'manualTask';
}

/** A unit of work done outside the engine, by a worker that activates (fetches) and completes it. */
export interface JobDefinition {
  /** Camunda 8 `zeebe:taskDefinition/@type` or Camunda 7 `camunda:topic`. May be an expression. */
  readonly type: Expression;
  /** Retries before an incident; `zeebe:taskDefinition/@retries`, default 3. */
  readonly retries: Expression;
  /** `zeebe:taskHeaders`: static key/value pairs handed to the worker. */
  readonly customHeaders: Readonly<Record<string, string>>;
  /** Camunda 7 `camunda:failedJobRetryTimeCycle` (e.g. `R3/PT5M`), kept for the job executor. */
  readonly retryTimeCycle?: string;
  /**
   * Camunda 7 `camunda:taskPriority`: a whole number or an expression, evaluated when the job is created (default: the
   * process's, else 0). Workers fetching with `usePriority` get higher priorities first.
   */
  readonly priority?: Expression;
  /** Which dialect defined the job: `zeebe` (job worker) or `camunda` (external task). */
  readonly dialect: 'zeebe' | 'camunda';
}

export interface JobTaskNode extends FlowNodeBase {
  readonly kind: 'serviceTask' | 'sendTask' | 'businessRuleTask';
  readonly job: JobDefinition;
  /**
   * A business rule task that calls a DMN decision: its job has the reserved type `io.trellis.decision`
   * (`DECISION_JOB_TYPE`), and the decision service, not a user's worker, answers it.
   */
  readonly decision?: CalledDecision;
}

/**
 * Which version of a decision a task calls: the latest deployed (default), the one deployed together with the
 * process, an exact version (Camunda 7 `version`), or the version carrying a tag.
 */
export type DecisionBinding = 'latest' | 'deployment' | 'version' | 'versionTag';

/**
 * How a Camunda 7 task maps the decision result to its result variable (`camunda:mapDecisionResult`): one output
 * of one rule, the outputs of one rule as a context, one output of every rule as a list, or every rule's outputs.
 */
export type DecisionResultMapping = 'singleEntry' | 'singleResult' | 'collectEntries' | 'resultList';

/** A DMN decision called by a business rule task: `zeebe:calledDecision` or `camunda:decisionRef`. */
export interface CalledDecision {
  /** The id of the decision (`decisionId` / `camunda:decisionRef`); may be an expression. */
  readonly decisionId: Expression;
  /** The variable that receives the result (`resultVariable` / `camunda:resultVariable`). */
  readonly resultVariable?: string;
  readonly binding: DecisionBinding;
  /** With binding `version`: the version number (`camunda:decisionRefVersion`); may be an expression. */
  readonly version?: Expression;
  /** With binding `versionTag`: the tag (`zeebe:calledDecision/@versionTag`). */
  readonly versionTag?: string;
  /** Camunda 7 only; Camunda 7's default is `resultList`. Absent for Camunda 8, which stores the decision's output as it is. */
  readonly mapDecisionResult?: DecisionResultMapping;
  readonly dialect: 'zeebe' | 'camunda';
}

export interface UserTaskAssignment {
  readonly assignee?: Expression;
  /** Evaluates to a list of user ids or a comma-separated string. */
  readonly candidateUsers?: Expression;
  /** Evaluates to a list of group ids or a comma-separated string. */
  readonly candidateGroups?: Expression;
  readonly dueDate?: Expression;
  readonly followUpDate?: Expression;
  readonly priority?: Expression;
}

export interface UserTaskNode extends FlowNodeBase {
  readonly kind: 'userTask';
  readonly assignment: UserTaskAssignment;
  /** Camunda 7 `camunda:formKey`, or Camunda 8 `zeebe:formDefinition` (formKey / formId). */
  readonly formKey?: string;
  readonly formId?: string;
  /** Which version of the form `formId` names; absent: the latest. */
  readonly formBinding?: FormBinding;
  /** Job listeners of the task's lifecycle, in model order (absent: none). */
  readonly taskListeners?: readonly TaskListener[];
}

/**
 * When a task listener runs. This version runs `creating` (after the task is created), `completing` (before a
 * completion takes effect; the listener may deny it) and `timeout` (Camunda 7: when its timer is due while the task is
 * open; nothing waits for it) and `canceling` (when the task is terminated with its element; nothing waits for it,
 * the task is gone when it runs); the compiler refuses the others.
 */
export type TaskListenerEventType = 'creating' | 'completing' | 'timeout' | 'canceling';

/**
 * A task listener run as a job for an external worker (`zeebe:taskListener`, or a Camunda 7 `camunda:taskListener`
 * whose `delegateExpression="${name}"` names the job type). The transition waits until the job is completed.
 */
export interface TaskListener {
  readonly eventType: TaskListenerEventType;
  /** The job type, a literal: workers subscribe to it. */
  readonly type: string;
  readonly retries: number;
  /** A timeout listener's timer, started when the task is created (a cycle fires once per due time). */
  readonly timer?: TimerDefinition;
}

/**
 * The version of a form referenced by id (`zeebe:formDefinition bindingType`, `camunda:formRefBinding`): the one
 * deployed with the process, a version number (Camunda 7 `camunda:formRefVersion`), or the version whose schema has
 * that `versionTag` (Camunda 8).
 */
export type FormBinding =
  | { readonly type: 'deployment' }
  | { readonly type: 'version'; readonly version: number }
  | { readonly type: 'versionTag'; readonly versionTag: string };

export interface ScriptTaskNode extends FlowNodeBase {
  readonly kind: 'scriptTask';
  /** A FEEL expression (`zeebe:script/@expression`, or a `bpmn:script` whose format is feel). */
  readonly script: Expression;
  /** Variable that receives the result (`zeebe:script/@resultVariable` / `camunda:resultVariable`). */
  readonly resultVariable?: string;
}

export interface GatewayNode extends FlowNodeBase {
  readonly kind: 'exclusiveGateway' | 'parallelGateway' | 'inclusiveGateway';
  /** The `default` flow of an exclusive or inclusive gateway. */
  readonly defaultFlowId?: string;
}

/**
 * A complex gateway (BPMN 2.0 §13.4.5). Split: like an inclusive gateway, every outgoing flow whose condition holds,
 * else the default flow. Join (more than one incoming flow): fires once `activationCondition` holds on the tokens
 * arrived (the condition sees their number as `activationCount`), consuming one token per flow that has one; it then
 * waits for the tokens that can still arrive on the other incoming flows and consumes them without firing again
 * (the spec's reset), reachability as for the inclusive join (`inclusiveJoinUpstream` holds its flows too).
 */
export interface ComplexGatewayNode extends FlowNodeBase {
  readonly kind: 'complexGateway';
  readonly defaultFlowId?: string;
  /** Required when the gateway joins (more than one incoming flow); may read `activationCount`. */
  readonly activationCondition?: Expression;
}

/**
 * An ad-hoc sub-process (`bpmn:adHocSubProcess`): its inner activities without incoming flows are started on demand,
 * not by a start event. On entry it starts `activeElements` (Camunda 8 `zeebe:adHoc activeElementsCollection`), or,
 * without it, every startable activity (BPMN 2.0 §10.3.5: a parallel one may run all of them; a sequential one runs
 * them one after another in document order). More can be started through the API while it runs.
 */
export interface AdHocSubProcessNode extends FlowNodeBase {
  readonly kind: 'adHocSubProcess';
  /** Ids of the flow nodes directly inside. */
  readonly childIds: readonly string[];
  /** Ids of the inner activities and intermediate catch events without incoming flows: what can be started. */
  readonly startableIds: readonly string[];
  /** `Parallel` (default): whatever is started runs at once; `Sequential`: one started element's flow at a time, in the order asked. */
  readonly ordering: 'Parallel' | 'Sequential';
  /** Evaluates to a list of startable element ids, in the sub-process's scope, on entry. */
  readonly activeElements?: Expression;
  /** Evaluated each time an inner element completes: when true, the sub-process completes. */
  readonly completionCondition?: Expression;
  /** When the completion condition holds: terminate what still runs inside (default), or let it finish first. */
  readonly cancelRemainingInstances: boolean;
}

export interface SubProcessNode extends FlowNodeBase {
  readonly kind: 'subProcess';
  /** The none start event inside the sub-process; for an event sub-process, the start event that triggers it. */
  readonly startEventId: string;
  /** Ids of the flow nodes directly inside the sub-process. */
  readonly childIds: readonly string[];
  /**
   * An event sub-process (`triggeredByEvent="true"`): never entered by a token, it starts when the event of its start
   * event occurs while its enclosing scope runs.
   */
  readonly triggeredByEvent?: boolean;
  /** The event sub-processes directly inside this sub-process (absent: none). */
  readonly eventSubProcessIds?: readonly string[];
  /**
   * A transaction (`bpmn:transaction`): a cancel end event inside it compensates its completed activities, then leaves
   * it through its cancel boundary event.
   */
  readonly transaction?: boolean;
  /**
   * The compensation event sub-process inside this sub-process (absent: none): when a completed instance of this
   * sub-process is compensated, it runs instead of the inner activities' handlers (and may compensate them itself).
   */
  readonly compensationEventSubProcessId?: string;
}

export type FlowNode =
  | StartEventNode
  | EndEventNode
  | PassThroughTaskNode
  | JobTaskNode
  | ReceiveTaskNode
  | UserTaskNode
  | ScriptTaskNode
  | GatewayNode
  | ComplexGatewayNode
  | EventBasedGatewayNode
  | SubProcessNode
  | AdHocSubProcessNode
  | CallActivityNode
  | IntermediateCatchEventNode
  | IntermediateThrowEventNode
  | BoundaryEventNode;

export interface SequenceFlow {
  readonly id: string;
  readonly name?: string;
  readonly sourceId: string;
  readonly targetId: string;
  /** The condition; absent means unconditional. Ignored on the default flow. */
  readonly condition?: Expression;
}
