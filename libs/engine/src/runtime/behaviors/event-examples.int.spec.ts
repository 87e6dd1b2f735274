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

describe('the event sub-processes example (examples/event-sub-processes.bpmn)', () => {
  const cancellation = (run: ReturnType<typeof scenario>) => {
    const subscription = Object.values(run.state.messageSubscriptions ?? {}).find(({ elementId }) => elementId === 'cancel-requested');
    if (subscription === undefined) throw new Error('the cancellation does not wait');
    return subscription;
  };

  it('out of stock: the back-order runs inside the fulfilment, which then ends normally; the order is invoiced', async () => {
    const run = scenario(await example('event-sub-processes.bpmn')).start({ orderId: 'O-1' });
    run.send({ type: 'ThrowError', jobId: run.job('pick-items').id, errorCode: 'OUT_OF_STOCK', errorMessage: '3 of 5 items missing' });
    expect(run.terminated()).toEqual(['pick-items']);
    expect(run.active()).toEqual(['back-order', 'back-order-items', 'fulfil']);
    // The error start event's output mapping took the message.
    expect(run.variables).toEqual({ orderId: 'O-1', stockProblem: '3 of 5 items missing' });
    run.completeUserTask('back-order-items');
    expect(run.active()).toEqual(['send-invoice']);
    run.completeUserTask('send-invoice');
    expect(run.state.status).toBe('completed');
    expect(run.timers()).toEqual([]);
    expect(run.state.messageSubscriptions).toEqual({});
  });

  it('canceled: the fulfilment is ended wherever it is, the payment refunded, and the instance completes', async () => {
    const run = scenario(await example('event-sub-processes.bpmn')).start({ orderId: 'O-2' });
    run.completeJob('pick-items');
    expect(cancellation(run)).toMatchObject({ messageName: 'order-canceled', correlationKey: 'O-2' });
    run.send({ type: 'CorrelateMessage', subscriptionId: cancellation(run).id, variables: { reason: 'changed my mind' } });
    expect(run.terminated()).toEqual(['ship-items', 'fulfil']);
    expect(run.active()).toEqual(['cancellation', 'refund-payment']);
    // Interrupted: the delay notice's timer is canceled with the rest.
    expect(run.timers()).toEqual([]);
    run.completeJob('refund-payment');
    expect(run.completed().slice(-4)).toEqual(['cancel-requested', 'refund-payment', 'order-canceled-end', 'cancellation']);
    expect(run.state.status).toBe('completed');
  });

  it('two hours in: the customer is told about the delay while the picking goes on', async () => {
    const run = scenario(await example('event-sub-processes.bpmn')).start({ orderId: 'O-3' });
    run.triggerTimer('two-hours-passed');
    expect(run.active()).toEqual(['delay-notice', 'fulfil', 'notify-customer', 'pick-items']);
    run.completeJob('pick-items').completeJob('ship-items');
    expect(run.active()).toEqual(['delay-notice', 'notify-customer', 'send-invoice']);
  });
});

describe('the asynchronous continuation example (examples/async-continuation.bpmn)', () => {
  const continuationAt = (run: ReturnType<typeof scenario>, elementId: string) => {
    const found = Object.values(run.state.asyncContinuations ?? {}).filter((continuation) => continuation.elementId === elementId);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const runContinuation = (run: ReturnType<typeof scenario>, elementId: string) => {
    const { id, dueAt } = continuationAt(run, elementId);
    return run.advanceTo(dueAt).send({ type: 'RunAsyncContinuation', continuationId: id });
  };

  it('prices the order in the background, charges the card, and stops again before confirming', async () => {
    const run = scenario(await example('async-continuation.bpmn')).start({ unitPrice: 12.5, quantity: 4, priority: 50 });
    expect(run.completed()).toEqual(['order-received']);
    expect(continuationAt(run, 'price-order')).toMatchObject({ phase: 'before', priority: 50, retries: 3, retryTimeCycle: 'R3/PT10S' });

    runContinuation(run, 'price-order');
    expect(run.variables).toMatchObject({ total: 50 });
    run.completeJob('charge-card', { receipt: 'R-1' });
    expect(continuationAt(run, 'charge-card')).toMatchObject({ phase: 'after', priority: 10, exclusive: false });
    expect(run.active()).toEqual(['charge-card']);

    runContinuation(run, 'charge-card');
    expect(run.active()).toEqual(['confirm-order']);
    expect(run.completed()).toEqual(['order-received', 'price-order', 'charge-card']);
  });

  it('an order without a priority gets 5; a unit price that is no number is tried 3 times, 10 s apart, then waits for its incident', async () => {
    const run = scenario(await example('async-continuation.bpmn')).start({ unitPrice: 'twelve', quantity: 4 });
    expect(continuationAt(run, 'price-order').priority).toBe(5);
    runContinuation(run, 'price-order');
    runContinuation(run, 'price-order');
    runContinuation(run, 'price-order');
    const failures = run.eventsOf('AsyncContinuationFailed');
    expect(failures.map((failure) => failure.data.retries)).toEqual([2, 1, 0]);
    expect(Date.parse(failures[1]!.data.dueAt) - Date.parse(failures[0]!.data.dueAt)).toBeGreaterThanOrEqual(10_000);
    expect(run.incident('price-order')).toMatchObject({ type: 'JOB_NO_RETRIES' });
    expect(run.completed()).toEqual(['order-received']);

    run.setVariables({ unitPrice: 12 }).resolveIncident('price-order', 1);
    runContinuation(run, 'price-order');
    expect(run.variables).toMatchObject({ total: 48 });
    expect(run.jobs('charge-card')).toHaveLength(1);
  });
});
