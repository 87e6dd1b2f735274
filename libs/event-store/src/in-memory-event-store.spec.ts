import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from './in-memory-event-store.js';
import { eventStoreContract, newEvents } from './testing.js';

eventStoreContract('in-memory', async () => new InMemoryEventStore());

describe('InMemoryEventStore', () => {
  it('stamps events with the clock it is given', async () => {
    const store = new InMemoryEventStore({ clock: () => new Date('2030-01-02T03:04:05.678Z') });
    await store.appendToStream('s', newEvents(1), { expectedRevision: 'no_stream' });

    expect((await store.readStream('s'))[0]?.recordedAt).toBe('2030-01-02T03:04:05.678Z');
  });

  it('refuses to work once closed', async () => {
    const store = new InMemoryEventStore();
    await store.close();

    await expect(store.appendToStream('s', newEvents(1), { expectedRevision: 'any' })).rejects.toThrow('closed');
    await expect(store.readAll()).rejects.toThrow('closed');
  });
});
