import { describe, expect, it } from '@jest/globals';
import { TOPICS } from '@trellis/contracts';

import { TASK_SERVICE_GROUP, topicNamesOf } from './tasks.options.js';

describe('the task-service’s Kafka names', () => {
  it('are the contract’s topics and the trellis.task-service group unless a test gives its own', () => {
    expect(topicNamesOf({})).toEqual({
      processInstanceEvents: 'trellis.process-instance-events.v1',
      runtimeCommands: 'trellis.runtime-commands.v1',
      runtimeCommandResults: 'trellis.runtime-command-results.v1',
      deadLetter: 'trellis.dead-letter.v1',
    });
    expect(topicNamesOf({})).toMatchObject({ processInstanceEvents: TOPICS.processInstanceEvents, runtimeCommands: TOPICS.runtimeCommands });
    expect(TASK_SERVICE_GROUP).toBe('trellis.task-service');
    expect(topicNamesOf({ topics: { runtimeCommands: 'test.commands' } })).toMatchObject({ runtimeCommands: 'test.commands', processInstanceEvents: TOPICS.processInstanceEvents });
  });
});
