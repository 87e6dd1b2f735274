// docs/api.md documents the Kafka contract of the runtime with an example of every command and of both results: each
// must pass the contract's validators, so the examples cannot drift from what the runtime accepts.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import { RUNTIME_COMMAND_TYPES, validateRuntimeCommand, validateRuntimeCommandResult } from '@trellis/contracts';

const api = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
const section = api.slice(api.indexOf('## Runtime commands over Kafka'), api.indexOf('\n## ', api.indexOf('## Runtime commands over Kafka') + 1));
const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!) as Record<string, unknown>);

describe('docs/api.md, runtime commands over Kafka', () => {
  it('shows one valid example of every command type', () => {
    const commands = examples.filter((example) => 'type' in example);
    expect(commands.map((command) => command['type'])).toEqual([...RUNTIME_COMMAND_TYPES]);
    for (const command of commands) expect(validateRuntimeCommand(command)).toEqual({ ok: true, value: command });
  });

  it('shows a valid accepted and a valid rejected result', () => {
    const results = examples.filter((example) => 'outcome' in example);
    expect(results.map((result) => result['outcome'])).toEqual(['accepted', 'rejected']);
    for (const result of results) expect(validateRuntimeCommandResult(result)).toEqual({ ok: true, value: result });
  });
});
