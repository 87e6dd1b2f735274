/**
 * Test helpers of the task-service: BPMN models with user tasks and the runtime's answer to a rejected command.
 * Process instances run by the REAL engine are `EngineInstance` of `@trellis/runtime/testing`;
 * the Kafka test kit is `@trellis/messaging/testing`.
 */
import type { RuntimeCommandRejection } from '@trellis/contracts';
import type { ExecutableProcess, Failure } from '@trellis/engine';
import { compileProcesses as compileProcessesOf } from '@trellis/runtime/testing';

import { USER_TASK_MODELS } from './user-task-models.fixture.js';

export { USER_TASK_MODELS } from './user-task-models.fixture.js';

/** The executable processes of a BPMN document (the user task models unless told), by process id. */
export const compileProcesses = (xml: string = USER_TASK_MODELS): Promise<Record<string, ExecutableProcess>> => compileProcessesOf(xml);

/** The contract's word for an engine failure, as the runtime answers a rejected command. */
export function rejectionOf(failure: Failure): RuntimeCommandRejection {
  switch (failure.code) {
    case 'NOT_FOUND':
      return 'not-found';
    case 'INVALID_ARGUMENT':
      return 'invalid-argument';
    default:
      return 'invalid-state';
  }
}

// The consumer's spec still imports these from here.
export { EngineInstance } from '@trellis/runtime/testing';
export { kafkaBrokers, testTopics } from '@trellis/messaging/testing';
