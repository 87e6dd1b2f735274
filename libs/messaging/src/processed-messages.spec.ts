import { describe, expect, it } from '@jest/globals';
import { InMemoryProcessedMessages, idempotent } from './processed-messages.js';
import type { ReceivedMessage } from './message-bus.port.js';

const message: ReceivedMessage = { topic: 't', partition: 0, offset: '0', key: null, value: null, headers: {}, timestamp: '2024-05-01T12:00:00.000Z' };

describe('in-memory processed messages', () => {
  it('remembers the last ids up to its capacity, forgetting the least recently seen first', async () => {
    const processed = new InMemoryProcessedMessages(3);
    for (const id of ['a', 'b', 'c']) await processed.mark(id);

    expect(await processed.seen('a')).toBe(true);
    await processed.mark('d');

    expect(await processed.seen('b')).toBe(false);
    expect([await processed.seen('a'), await processed.seen('c'), await processed.seen('d')]).toEqual([true, true, true]);
    expect(processed.size).toBe(3);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new InMemoryProcessedMessages(0)).toThrow(RangeError);
  });
});

describe('idempotent handler', () => {
  it('skips an id handled before, and handles again one whose handler failed', async () => {
    const applied: string[] = [];
    let fail = true;
    const handler = idempotent<string>(
      async (id) => {
        if (id === 'b' && fail) {
          fail = false;
          throw new Error('database unavailable');
        }
        applied.push(id);
      },
      { processed: new InMemoryProcessedMessages(), idOf: (id) => id },
    );

    await handler('a', message);
    await handler('a', message);
    await expect(handler('b', message)).rejects.toThrow('database unavailable');
    await handler('b', message);
    await handler('b', message);

    expect(applied).toEqual(['a', 'b']);
  });
});
