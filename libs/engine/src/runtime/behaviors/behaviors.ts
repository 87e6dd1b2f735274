import type { FlowNode, FlowNodeKind } from '../../model/executable-model.js';
import { adHocSubProcessBehavior } from './ad-hoc-sub-process.behavior.js';
import { complexGatewayBehavior } from './complex-gateway.behavior.js';
import { callActivityBehavior } from './call-activity.behavior.js';
import { boundaryEventBehavior, intermediateCatchEventBehavior } from './catch-event.behavior.js';
import type { ElementBehavior } from './element-behavior.js';
import { endEventBehavior } from './end-event.behavior.js';
import { withMessageJob } from './message-throw.behavior.js';
import { eventBasedGatewayBehavior } from './event-based-gateway.behavior.js';
import { exclusiveGatewayBehavior } from './exclusive-gateway.behavior.js';
import { inclusiveGatewayBehavior } from './inclusive-gateway.behavior.js';
import { jobTaskBehavior } from './job-task.behavior.js';
import { parallelGatewayBehavior } from './parallel-gateway.behavior.js';
import { receiveTaskBehavior } from './receive-task.behavior.js';
import { scriptTaskBehavior } from './script-task.behavior.js';
import { startEventBehavior } from './start-event.behavior.js';
import { subProcessBehavior } from './sub-process.behavior.js';
import { intermediateThrowEventBehavior } from './throw-event.behavior.js';
import { taskBehavior } from './task.behavior.js';
import { userTaskBehavior } from './user-task.behavior.js';

type BehaviorsByKind = { readonly [K in FlowNodeKind]: ElementBehavior<Extract<FlowNode, { kind: K }>> };

/** One behaviour per kind of element. */
const behaviors: BehaviorsByKind = {
  startEvent: startEventBehavior,
  endEvent: withMessageJob(endEventBehavior),
  task: taskBehavior,
  manualTask: taskBehavior,
  userTask: userTaskBehavior,
  serviceTask: jobTaskBehavior,
  sendTask: jobTaskBehavior,
  receiveTask: receiveTaskBehavior,
  businessRuleTask: jobTaskBehavior,
  scriptTask: scriptTaskBehavior,
  exclusiveGateway: exclusiveGatewayBehavior,
  parallelGateway: parallelGatewayBehavior,
  inclusiveGateway: inclusiveGatewayBehavior,
  complexGateway: complexGatewayBehavior,
  eventBasedGateway: eventBasedGatewayBehavior,
  subProcess: subProcessBehavior,
  adHocSubProcess: adHocSubProcessBehavior,
  callActivity: callActivityBehavior,
  intermediateCatchEvent: intermediateCatchEventBehavior,
  intermediateThrowEvent: withMessageJob(intermediateThrowEventBehavior),
  boundaryEvent: boundaryEventBehavior,
};

export function behaviorOf(node: FlowNode): ElementBehavior | undefined {
  return behaviors[node.kind] as ElementBehavior | undefined;
}
