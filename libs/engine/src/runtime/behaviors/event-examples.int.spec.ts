import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

// The example models of link events and the event-based gateway (examples/), run in the engine: the paths they show,
// the variables their events carry, and the subscriptions the gateway opens and closes.
const example = (file: string) => compiledProcess(readFileSync(new URL(`../../../../../examples/${file}`, import.meta.url), 'utf8'));

describe('the event-based gateway example (examples/event-based-gateway.bpmn)', () => {
  const subscriptions = (run: ReturnType<typeof scenario>) =>
    Object.values(run.state.messageSubscriptions ?? {}).map(({ elementId, elementInstanceId, messageName, correlationKey }) => ({ elementId, elementInstanceId, messageName, correlationKey }));

  it('a week without an answer: sales calls, and the wait starts again; then the customer accepts, with the price', async () => {
    const run = scenario(await example('event-based-gateway.bpmn')).start({ quoteId: 'Q-7' });
    run.completeJob('send-quote');
    const gateway = run.instance('await-answer').id;
    expect(subscriptions(run)).toEqual([
      { elementId: 'quote-accepted', elementInstanceId: gateway, messageName: 'quote-accepted', correlationKey: 'Q-7' },
      { elementId: 'quote-declined', elementInstanceId: gateway, messageName: 'quote-declined', correlationKey: 'Q-7' },
    ]);
    expect(run.timer('a-week-passed').elementInstanceId).toBe(gateway);

    run.triggerTimer('a-week-passed');
    expect(run.active()).toEqual(['call-customer']);
    expect(subscriptions(run)).toEqual([]);
    expect(run.eventsOf('MessageSubscriptionClosed')).toHaveLength(2);

    run.completeUserTask('call-customer');
    expect(run.active()).toEqual(['await-answer']);
    const accepted = Object.values(run.state.messageSubscriptions ?? {}).find(({ elementId }) => elementId === 'quote-accepted');
    run.send({ type: 'CorrelateMessage', subscriptionId: accepted?.id ?? '', variables: { price: 1200 } });

    expect(run.active()).toEqual(['prepare-order']);
    expect(run.timers()).toEqual([]);
    expect(subscriptions(run)).toEqual([]);
    // The catch event's output mapping took the price from the message.
    expect(run.variables).toEqual({ quoteId: 'Q-7', agreedPrice: 1200 });
    expect(run.completed()).toEqual(['quote-requested', 'send-quote', 'await-answer', 'a-week-passed', 'call-customer', 'await-answer', 'quote-accepted']);
    expect(run.taken()).toEqual(['to-send', 'to-wait', 'to-week', 'to-call', 'wait-again', 'to-accepted', 'to-prepare']);
  });

  it('a decline ends the quote; the timer is canceled', async () => {
    const run = scenario(await example('event-based-gateway.bpmn')).start({ quoteId: 'Q-8' });
    run.completeJob('send-quote');
    const declined = Object.values(run.state.messageSubscriptions ?? {}).find(({ elementId }) => elementId === 'quote-declined');
    const week = run.timer('a-week-passed').id;
    run.send({ type: 'CorrelateMessage', subscriptionId: declined?.id ?? '', variables: { reason: 'too expensive' } });
    expect(run.lastEvents).toContainEqual({ type: 'TimerCanceled', data: { timerId: week } });
    expect(run.completed().slice(-3)).toEqual(['await-answer', 'quote-declined', 'lost']);
    // Without output mappings the message's variables land in the process, as at any message catch event.
    expect(run.variables).toEqual({ quoteId: 'Q-8', reason: 'too expensive' });
    expect(run.state.status).toBe('completed');
  });
});

describe('the link events example (examples/link-events.bpmn)', () => {
  it('a rejected draft goes to rework through one link, an approved one to publishing through the other', async () => {
    const process = await example('link-events.bpmn');
    const run = scenario(process).start({ author: 'ada' });
    run.completeUserTask('review-draft', { approved: false });
    expect(run.active()).toEqual(['revise-draft']);
    expect(run.userTask('revise-draft').assignee).toBe('ada');
    run.completeUserTask('revise-draft').completeUserTask('review-draft', { approved: true });
    expect(run.active()).toEqual(['publish-article']);
    run.completeJob('publish-article');
    expect(run.completed()).toEqual([
      'draft-submitted', 'review-draft', 'approved', 'go-rework', 'rework', 'revise-draft',
      'review-draft', 'approved', 'go-publish', 'publishing', 'publish-article', 'published',
    ]);
    expect(run.state.status).toBe('completed');
  });
});
