import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

const job = (type: string) => `<bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements>`;

/** A service task `id` with a compensation boundary event associated with its handler `undo-<id>` (a service task too). */
const compensable = (id: string, extra = '', inner = '') => `
    <bpmn:serviceTask id="${id}" ${extra}>${job(id)}${inner}</bpmn:serviceTask>
    <bpmn:boundaryEvent id="${id}-compensation" attachedToRef="${id}"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
    <bpmn:serviceTask id="undo-${id}" isForCompensation="true">${job(`undo-${id}`)}</bpmn:serviceTask>
    <bpmn:association id="${id}-association" sourceRef="${id}-compensation" targetRef="undo-${id}" />`;

const flow = (id: string, source: string, target: string) => `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}" />`;

/** The saga: book hotel, flight and car, each compensable; an error of the car booking compensates what was booked. */
const saga = () =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'book-hotel')}
    ${compensable('book-hotel')}
    ${flow('f2', 'book-hotel', 'book-flight')}
    ${compensable('book-flight')}
    ${flow('f3', 'book-flight', 'book-car')}
    ${compensable('book-car')}
    ${flow('f4', 'book-car', 'booked')}
    <bpmn:endEvent id="booked" />
    <bpmn:boundaryEvent id="car-failed" attachedToRef="book-car"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>
    ${flow('f5', 'car-failed', 'undo-all')}
    <bpmn:intermediateThrowEvent id="undo-all"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    ${flow('f6', 'undo-all', 'cancelled')}
    <bpmn:endEvent id="cancelled" />`),
  );

describe('compensation throw event', () => {
  it('runs the handlers of the completed activities one after the other, in reverse order of completion, then moves on', async () => {
    const run = scenario(await saga()).start();
    run.completeJob('book-hotel', { hotel: 'H-1' }).completeJob('book-flight', { flight: 'F-7' });
    run.send({ type: 'ThrowError', jobId: run.job('book-car').id, errorCode: 'NO_CAR' });

    // The car was never booked: only the flight is undone first, and the throw event waits.
    expect(run.active()).toEqual(['undo-all', 'undo-book-flight']);
    expect(run.jobs().map((found) => found.type)).toEqual(['undo-book-flight']);
    run.completeJob('undo-book-flight');
    expect(run.active()).toEqual(['undo-all', 'undo-book-hotel']);
    run.completeJob('undo-book-hotel');

    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual([
      'start',
      'book-hotel',
      'book-flight',
      'car-failed',
      'undo-book-flight',
      'undo-book-hotel',
      'undo-all',
      'cancelled',
    ]);
    expect(run.terminated()).toEqual(['book-car']);
    expect(run.variables).toEqual({ hotel: 'H-1', flight: 'F-7' });
  });

  it('compensates nothing when nothing compensable completed, and moves on at once', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'undo')}
    <bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    ${flow('f2', 'undo', 'a')}
    ${compensable('a')}
    ${flow('f3', 'a', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    expect(run.completed()).toEqual(['start', 'undo']);
    expect(run.active()).toEqual(['a']);
    run.completeJob('a');
    expect(run.state.status).toBe('completed');
    expect(run.jobs()).toEqual([]);
  });

  it('with activityRef, compensates that activity only', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'a')}
    ${compensable('a')}
    ${flow('f2', 'a', 'b')}
    ${compensable('b')}
    ${flow('f3', 'b', 'compensate-a')}
    <bpmn:intermediateThrowEvent id="compensate-a"><bpmn:compensateEventDefinition activityRef="a" /></bpmn:intermediateThrowEvent>
    ${flow('f4', 'compensate-a', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    run.completeJob('a').completeJob('b');
    expect(run.active()).toEqual(['compensate-a', 'undo-a']);
    run.completeJob('undo-a');
    expect(run.state.status).toBe('completed');
    expect(run.completed().filter((id) => id.startsWith('undo-'))).toEqual(['undo-a']);
  });

  it('compensates each completed iteration of a multi-instance activity, latest first, with its item', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'book')}
    ${compensable(
      'book',
      '',
      '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=rooms" inputElement="room" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>',
    )}
    ${flow('f2', 'book', 'undo')}
    <bpmn:endEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:endEvent>`),
      ),
    ).start({ rooms: ['r1', 'r2', 'r3'] });
    run.completeJob('book').completeJob('book').completeJob('book');

    const undone: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      undone.push(run.locals('undo-book')['room']);
      run.completeJob('undo-book');
    }
    expect(undone).toEqual(['r3', 'r2', 'r1']);
    expect(run.state.status).toBe('completed');
  });

  it('compensates a completed sub-process by compensating what completed inside it, in reverse order, seeing its variables', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'first')}
    ${compensable('first')}
    ${flow('f2', 'first', 'trip')}
    <bpmn:subProcess id="trip">
      <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=&quot;T-1&quot;" target="tripId" /></zeebe:ioMapping></bpmn:extensionElements>
      <bpmn:startEvent id="trip-start" />
      ${flow('t1', 'trip-start', 'inner-a')}
      ${compensable('inner-a')}
      ${flow('t2', 'inner-a', 'inner-b')}
      ${compensable('inner-b')}
      ${flow('t3', 'inner-b', 'trip-end')}
      <bpmn:endEvent id="trip-end" />
    </bpmn:subProcess>
    ${flow('f3', 'trip', 'undo')}
    <bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    ${flow('f4', 'undo', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    run.completeJob('first').completeJob('inner-a').completeJob('inner-b');

    expect(run.locals('undo-inner-b')).toEqual({ tripId: 'T-1' });
    run.completeJob('undo-inner-b').completeJob('undo-inner-a').completeJob('undo-first');
    expect(run.completed().filter((id) => id.startsWith('undo'))).toEqual(['undo-inner-b', 'undo-inner-a', 'undo-first', 'undo']);
    expect(run.state.status).toBe('completed');
  });

  it('runs the compensation event sub-process of a completed sub-process instead of the inner handlers, and it may compensate them itself', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'trip')}
    <bpmn:subProcess id="trip">
      <bpmn:startEvent id="trip-start" />
      ${flow('t1', 'trip-start', 'inner-a')}
      ${compensable('inner-a')}
      ${flow('t2', 'inner-a', 'trip-end')}
      <bpmn:endEvent id="trip-end" />
      <bpmn:subProcess id="on-compensation" triggeredByEvent="true">
        <bpmn:startEvent id="compensation-start"><bpmn:compensateEventDefinition /></bpmn:startEvent>
        ${flow('c1', 'compensation-start', 'apologise')}
        <bpmn:userTask id="apologise" />
        ${flow('c2', 'apologise', 'undo-inner')}
        <bpmn:endEvent id="undo-inner"><bpmn:compensateEventDefinition /></bpmn:endEvent>
      </bpmn:subProcess>
    </bpmn:subProcess>
    ${flow('f2', 'trip', 'undo')}
    <bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    ${flow('f3', 'undo', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    run.completeJob('inner-a');

    expect(run.active()).toEqual(['apologise', 'on-compensation', 'undo']);
    run.completeUserTask('apologise');
    expect(run.active()).toEqual(['on-compensation', 'undo', 'undo-inner', 'undo-inner-a']);
    run.completeJob('undo-inner-a');
    expect(run.state.status).toBe('completed');
    expect(run.completed().slice(-5)).toEqual(['undo-inner-a', 'undo-inner', 'on-compensation', 'undo', 'end']);
  });

  it('compensates the iterations of a parallel multi-instance activity in reverse order of their completion, not of their index', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'book')}
    ${compensable(
      'book',
      '',
      '<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=rooms" inputElement="room" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>',
    )}
    ${flow('f2', 'book', 'undo')}
    <bpmn:endEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:endEvent>`),
      ),
    ).start({ rooms: ['r1', 'r2', 'r3'] });
    const byRoom = (room: string) => {
      const job = run.jobs('book').find((candidate) => run.state.variables[candidate.elementInstanceId]?.['room'] === room);
      if (job === undefined) throw new Error(`no job for ${room}`);
      return job.id;
    };
    for (const room of ['r2', 'r3', 'r1']) run.send({ type: 'CompleteJob', jobId: byRoom(room) });

    const undone: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      undone.push(run.locals('undo-book')['room']);
      run.completeJob('undo-book');
    }
    expect(undone).toEqual(['r1', 'r3', 'r2']);
  });

  it('compensates each iteration of a standard loop, latest first, with its loopCounter', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'retry')}
    ${compensable('retry', '', '<bpmn:standardLoopCharacteristics loopMaximum="2" />')}
    ${flow('f2', 'retry', 'undo')}
    <bpmn:endEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:endEvent>`),
      ),
    ).start();
    run.completeJob('retry').completeJob('retry');

    expect(run.locals('undo-retry')).toEqual({ loopCounter: 2 });
    run.completeJob('undo-retry');
    expect(run.locals('undo-retry')).toEqual({ loopCounter: 1 });
    run.completeJob('undo-retry');
    expect(run.state.status).toBe('completed');
  });

  it('compensates each completed instance once: a second throw event finds nothing left', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'a')}
    ${compensable('a')}
    ${flow('f2', 'a', 'first-undo')}
    <bpmn:intermediateThrowEvent id="first-undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    ${flow('f3', 'first-undo', 'second-undo')}
    <bpmn:intermediateThrowEvent id="second-undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    ${flow('f4', 'second-undo', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    run.completeJob('a').completeJob('undo-a');
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['start', 'a', 'undo-a', 'first-undo', 'second-undo', 'end']);
  });

  it('a compensation end event in a sub-process compensates what completed in it, then the sub-process completes', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'outer')}
    ${compensable('outer')}
    ${flow('f2', 'outer', 'trip')}
    <bpmn:subProcess id="trip">
      <bpmn:startEvent id="trip-start" />
      ${flow('t1', 'trip-start', 'inner')}
      ${compensable('inner')}
      ${flow('t2', 'inner', 'trip-undo')}
      <bpmn:endEvent id="trip-undo"><bpmn:compensateEventDefinition /></bpmn:endEvent>
    </bpmn:subProcess>
    ${flow('f3', 'trip', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    run.completeJob('outer').completeJob('inner');
    // Only the sub-process's own activities: the outer one is in another scope.
    expect(run.active()).toEqual(['trip', 'trip-undo', 'undo-inner']);
    run.completeJob('undo-inner');
    expect(run.state.status).toBe('completed');
    expect(run.jobs()).toEqual([]);
    expect(run.completed().slice(-4)).toEqual(['undo-inner', 'trip-undo', 'trip', 'end']);
  });

  it('a compensation throw event in an error event sub-process compensates the scope around it', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'a')}
    ${compensable('a')}
    ${flow('f2', 'a', 'b')}
    <bpmn:serviceTask id="b">${job('b')}</bpmn:serviceTask>
    ${flow('f3', 'b', 'end')}
    <bpmn:endEvent id="end" />
    <bpmn:subProcess id="on-error" triggeredByEvent="true">
      <bpmn:startEvent id="error-start"><bpmn:errorEventDefinition /></bpmn:startEvent>
      ${flow('e1', 'error-start', 'undo')}
      <bpmn:endEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:endEvent>
    </bpmn:subProcess>`),
      ),
    ).start();
    run.completeJob('a');
    run.send({ type: 'ThrowError', jobId: run.job('b').id, errorCode: 'FAILED' });
    expect(run.active()).toEqual(['on-error', 'undo', 'undo-a']);
    run.completeJob('undo-a');
    expect(run.state.status).toBe('completed');
  });

  it('compensates a completed call activity by its own handler only: nothing inside the called process is compensated', async () => {
    const call = (id: string) => `<bpmn:callActivity id="${id}"><bpmn:extensionElements><zeebe:calledElement processId="${id}-process" /></bpmn:extensionElements></bpmn:callActivity>`;
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'ship')}
    ${call('ship')}
    <bpmn:boundaryEvent id="ship-compensation" attachedToRef="ship"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
    <bpmn:serviceTask id="undo-ship" isForCompensation="true">${job('undo-ship')}</bpmn:serviceTask>
    <bpmn:association id="ship-association" sourceRef="ship-compensation" targetRef="undo-ship" />
    ${flow('f2', 'ship', 'notify')}
    ${call('notify')}
    ${flow('f3', 'notify', 'undo')}
    <bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    ${flow('f4', 'undo', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    // Each child process completes in turn (the shipping one, then the notification).
    for (const index of [0, 1]) {
      const { elementInstanceId, childProcessInstanceId } = run.eventsOf('ChildProcessInstanceRequested')[index].data;
      run.send({ type: 'CompleteCallActivity', elementInstanceId, childProcessInstanceId, variables: {} });
    }

    // The shipping call activity's own handler runs; the notification (no handler) is not compensated, and neither
    // child process is asked anything.
    expect(run.active()).toEqual(['undo', 'undo-ship']);
    const asked = run.events.length;
    run.completeJob('undo-ship');
    expect(run.state.status).toBe('completed');
    expect(run.events.slice(asked).filter((event) => event.type.startsWith('ChildProcessInstance'))).toEqual([]);
    expect(run.completed().slice(-4)).toEqual(['notify', 'undo-ship', 'undo', 'end']);
  });

  it('cancelling the instance during compensation ends the handler and the throw event, leaving nothing behind', async () => {
    const run = scenario(await saga()).start();
    run.completeJob('book-hotel').completeJob('book-flight');
    run.send({ type: 'ThrowError', jobId: run.job('book-car').id, errorCode: 'NO_CAR' });
    run.cancel();
    expect(run.state.status).toBe('terminated');
    expect(run.terminated().slice(-2).sort()).toEqual(['undo-all', 'undo-book-flight']);
    expect(run.state.compensations).toEqual({});
    expect(run.jobs()).toEqual([]);
  });
});

/**
 * Hotel and flight are booked, then a compensation throw event that does not wait (`waitForCompletion="false"`)
 * undoes both while the flow goes on to `notify`, a user task; `tail` follows it (an end event unless given).
 */
const refundWithoutWaiting = (tail = '<bpmn:endEvent id="end" />') =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'book-hotel')}
    ${compensable('book-hotel')}
    ${flow('f2', 'book-hotel', 'book-flight')}
    ${compensable('book-flight')}
    ${flow('f3', 'book-flight', 'undo-all')}
    <bpmn:intermediateThrowEvent id="undo-all"><bpmn:compensateEventDefinition waitForCompletion="false" /></bpmn:intermediateThrowEvent>
    ${flow('f4', 'undo-all', 'notify')}
    <bpmn:userTask id="notify" />
    ${flow('f5', 'notify', 'end')}
    ${tail}`),
  );

describe('compensation throw event with waitForCompletion="false"', () => {
  it('moves on at once while the handlers run one after the other, latest first, and the process completes after the last', async () => {
    const run = scenario(await refundWithoutWaiting()).start();
    run.completeJob('book-hotel', { hotel: 'H-1' }).completeJob('book-flight', { flight: 'F-7' });

    // The throw event is done; the flight is undone beside the user task.
    expect(run.active()).toEqual(['notify', 'undo-book-flight']);
    expect(run.completed()).toEqual(['start', 'book-hotel', 'book-flight', 'undo-all']);
    expect(run.eventsOf('CompensationThrown')[0].data).toEqual(
      expect.objectContaining({ elementId: 'undo-all', waitForCompletion: false, handlerScopeInstanceId: run.state.processInstanceId }),
    );

    run.completeUserTask('notify');
    // The token reached the end event, but the process waits for the handlers still to run.
    expect(run.state.status).toBe('active');
    expect(run.active()).toEqual(['undo-book-flight']);
    run.completeJob('undo-book-flight');
    expect(run.active()).toEqual(['undo-book-hotel']);
    run.completeJob('undo-book-hotel');

    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['start', 'book-hotel', 'book-flight', 'undo-all', 'notify', 'end', 'undo-book-flight', 'undo-book-hotel']);
    expect(run.eventsOf('CompensationCompleted')).toHaveLength(1);
    expect(run.state.compensations).toEqual({});
  });

  it('the flow may overtake the handlers: the user task completes first or last, the order of the handlers stays', async () => {
    const run = scenario(await refundWithoutWaiting()).start();
    run.completeJob('book-hotel').completeJob('book-flight');
    run.completeJob('undo-book-flight').completeJob('undo-book-hotel');
    // Every handler is done; the process is still at its user task.
    expect(run.active()).toEqual(['notify']);
    expect(run.state.compensations).toEqual({});
    run.completeUserTask('notify');
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['start', 'book-hotel', 'book-flight', 'undo-all', 'undo-book-flight', 'undo-book-hotel', 'notify', 'end']);
  });

  it('compensates nothing when nothing compensable completed, and moves on at once', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'undo')}
    <bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition waitForCompletion="false" /></bpmn:intermediateThrowEvent>
    ${flow('f2', 'undo', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['start', 'undo', 'end']);
    expect(run.eventsOf('CompensationCompleted')).toHaveLength(1);
    expect(run.state.compensations).toEqual({});
  });

  it('in a sub-process, the handlers run in it: the sub-process completes only after them, then the flow after it goes on', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'order')}
    <bpmn:subProcess id="order">
      <bpmn:startEvent id="order-start" />
      ${flow('o1', 'order-start', 'charge')}
      ${compensable('charge')}
      ${flow('o2', 'charge', 'refund')}
      <bpmn:intermediateThrowEvent id="refund"><bpmn:compensateEventDefinition activityRef="charge" waitForCompletion="false" /></bpmn:intermediateThrowEvent>
      ${flow('o3', 'refund', 'order-end')}
      <bpmn:endEvent id="order-end" />
    </bpmn:subProcess>
    ${flow('f2', 'order', 'after')}
    <bpmn:userTask id="after" />
    ${flow('f3', 'after', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    run.completeJob('charge');
    // The sub-process's token ended; its handler still runs in it.
    expect(run.active()).toEqual(['order', 'undo-charge']);
    expect(run.completed().slice(-2)).toEqual(['refund', 'order-end']);
    expect(run.instance('undo-charge').flowScopeInstanceId).toBe(run.instance('order').id);
    run.completeJob('undo-charge');
    expect(run.active()).toEqual(['after']);
    expect(run.completed().slice(-2)).toEqual(['undo-charge', 'order']);
  });

  it('a compensation end event that does not wait ends at once; its scope completes after the handlers', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'a')}
    ${compensable('a')}
    ${flow('f2', 'a', 'b')}
    ${compensable('b')}
    ${flow('f3', 'b', 'undo')}
    <bpmn:endEvent id="undo"><bpmn:compensateEventDefinition waitForCompletion="false" /></bpmn:endEvent>`),
      ),
    ).start();
    run.completeJob('a').completeJob('b');
    expect(run.active()).toEqual(['undo-b']);
    expect(run.completed()).toEqual(['start', 'a', 'b', 'undo']);
    run.completeJob('undo-b');
    expect(run.state.status).toBe('active');
    run.completeJob('undo-a');
    expect(run.state.status).toBe('completed');
    expect(run.completed().slice(-2)).toEqual(['undo-b', 'undo-a']);
  });

  it('a sub-process interrupted while its handlers run ends them with it, and the flow of the boundary event goes on', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'order')}
    <bpmn:subProcess id="order">
      <bpmn:startEvent id="order-start" />
      ${flow('o1', 'order-start', 'charge')}
      ${compensable('charge')}
      ${flow('o2', 'charge', 'reserve')}
      ${compensable('reserve')}
      ${flow('o3', 'reserve', 'refund')}
      <bpmn:intermediateThrowEvent id="refund"><bpmn:compensateEventDefinition waitForCompletion="false" /></bpmn:intermediateThrowEvent>
      ${flow('o4', 'refund', 'order-end')}
      <bpmn:endEvent id="order-end" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="too-late" attachedToRef="order"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    ${flow('f2', 'too-late', 'escalate')}
    <bpmn:userTask id="escalate" />
    ${flow('f3', 'order', 'end')}
    <bpmn:endEvent id="end" />`),
      ),
    ).start();
    run.completeJob('charge').completeJob('reserve');
    expect(run.active()).toEqual(['order', 'undo-reserve']);
    run.triggerTimer('too-late');

    expect(run.active()).toEqual(['escalate']);
    expect(run.terminated()).toEqual(['undo-reserve', 'order']);
    expect(run.state.compensations).toEqual({});
    expect(run.state.compensableActivities).toEqual({});
    expect(run.jobs()).toEqual([]);
  });

  it('a terminate end event reached while a handler runs ends the handler, and the handlers after it never run', async () => {
    const run = scenario(await refundWithoutWaiting('<bpmn:endEvent id="end"><bpmn:terminateEventDefinition /></bpmn:endEvent>')).start();
    run.completeJob('book-hotel').completeJob('book-flight');
    run.completeUserTask('notify');
    expect(run.state.status).toBe('completed');
    expect(run.terminated()).toEqual(['undo-book-flight']);
    expect(run.state.compensations).toEqual({});
    expect(run.state.compensableActivities).toEqual({});
    expect(run.jobs()).toEqual([]);
  });

  it('cancelling the instance while a handler runs ends it, leaving nothing behind', async () => {
    const run = scenario(await refundWithoutWaiting()).start();
    run.completeJob('book-hotel').completeJob('book-flight').completeJob('undo-book-flight');
    run.cancel();
    expect(run.state.status).toBe('terminated');
    expect(run.terminated().sort()).toEqual(['notify', 'undo-book-hotel']);
    expect(run.state.compensations).toEqual({});
    expect(run.jobs()).toEqual([]);
  });
});

/** A transaction booking hotel and flight, then waiting for payment; a cancel end event when payment fails. */
const transaction = () =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'booking')}
    <bpmn:transaction id="booking">
      <bpmn:startEvent id="booking-start" />
      ${flow('b1', 'booking-start', 'split')}
      <bpmn:parallelGateway id="split" />
      ${flow('b2', 'split', 'book-hotel')}
      ${flow('b3', 'split', 'wait')}
      <bpmn:userTask id="wait" />
      ${compensable('book-hotel')}
      ${flow('b4', 'book-hotel', 'book-flight')}
      ${compensable('book-flight')}
      ${flow('b5', 'book-flight', 'paid')}
      <bpmn:exclusiveGateway id="paid" default="b7" />
      <bpmn:sequenceFlow id="b6" sourceRef="paid" targetRef="booking-end"><bpmn:conditionExpression>=paid</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="booking-end" />
      ${flow('b7', 'paid', 'cancel')}
      <bpmn:endEvent id="cancel"><bpmn:cancelEventDefinition /></bpmn:endEvent>
    </bpmn:transaction>
    ${flow('f2', 'booking', 'done')}
    <bpmn:endEvent id="done" />
    <bpmn:boundaryEvent id="cancelled" attachedToRef="booking"><bpmn:cancelEventDefinition /></bpmn:boundaryEvent>
    ${flow('f3', 'cancelled', 'tell-customer')}
    <bpmn:userTask id="tell-customer" />`),
  );

describe('transaction sub-process', () => {
  it('cancel end event: terminates the rest of the transaction, compensates what completed in it, then leaves by the cancel boundary event', async () => {
    const run = scenario(await transaction()).start();
    run.completeJob('book-hotel').completeJob('book-flight', { paid: false });

    expect(run.terminated()).toEqual(['wait']);
    expect(run.active()).toEqual(['booking', 'cancel', 'undo-book-flight']);
    run.completeJob('undo-book-flight').completeJob('undo-book-hotel');

    expect(run.terminated()).toEqual(['wait', 'cancel', 'booking']);
    expect(run.active()).toEqual(['tell-customer']);
    expect(run.completed().slice(-3)).toEqual(['undo-book-flight', 'undo-book-hotel', 'cancelled']);
    expect(run.state.compensableActivities).toEqual({});
  });

  it('completes like a sub-process when it is not cancelled', async () => {
    const run = scenario(await transaction()).start();
    run.completeJob('book-hotel').completeJob('book-flight', { paid: true }).completeUserTask('wait');
    expect(run.state.status).toBe('completed');
    expect(run.completed().slice(-2)).toEqual(['booking', 'done']);
  });
});

describe('compensation at deployment', () => {
  it('lists every wrong use of compensation and transactions', async () => {
    const compiled = await compile(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    ${flow('f1', 'start', 'a')}
    <bpmn:serviceTask id="a">${job('a')}</bpmn:serviceTask>
    <bpmn:boundaryEvent id="a-compensation" attachedToRef="a"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
    ${flow('f2', 'a', 'handler')}
    <bpmn:serviceTask id="handler" isForCompensation="true">${job('h')}</bpmn:serviceTask>
    ${flow('f3', 'handler', 'throw')}
    <bpmn:intermediateThrowEvent id="throw"><bpmn:compensateEventDefinition activityRef="nowhere" /></bpmn:intermediateThrowEvent>
    ${flow('f4', 'throw', 'cancel')}
    <bpmn:endEvent id="cancel"><bpmn:cancelEventDefinition /></bpmn:endEvent>
    <bpmn:boundaryEvent id="a-cancel" attachedToRef="a"><bpmn:cancelEventDefinition /></bpmn:boundaryEvent>`),
    );
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.error.map((problem) => [problem.elementId, problem.field])).toEqual(
      expect.arrayContaining([
        ['a-compensation', 'association'],
        ['handler', 'incoming'],
        ['handler', 'outgoing'],
        ['handler', 'isForCompensation'],
        ['throw', 'activityRef'],
        ['cancel', 'eventDefinitions'],
        ['a-cancel', 'attachedToRef'],
      ]),
    );
    expect(compiled.error.find((problem) => problem.elementId === 'cancel')?.message).toBe(
      "cancel end event 'cancel' is in 'process', which is not a transaction: a cancel end event cancels the transaction (bpmn:transaction) it is directly in",
    );
  });
});
