import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

// The saga example (examples/saga-booking.bpmn) run in the engine: which bookings are undone, in which order.
const saga = () => compiledProcess(readFileSync(new URL('../../../../../examples/saga-booking.bpmn', import.meta.url), 'utf8'));

describe('the saga example (examples/saga-booking.bpmn)', () => {
  it('when no car can be had, cancels the flight, then the hotel, and leaves the transaction through its cancel boundary event', async () => {
    const run = scenario(await saga()).start({ traveller: 'Ada' });
    run.completeJob('book-hotel', { hotelReservation: 'H-17' }).completeJob('book-flight', { flightReservation: 'F-42' });
    run.send({ type: 'ThrowError', jobId: run.job('book-car').id, errorCode: 'NO_CAR', errorMessage: 'fully booked' });

    // The cancel end event waits in the transaction while the flight is cancelled; the car was never booked.
    expect(run.active()).toEqual(['book-trip', 'cancel-booking', 'cancel-flight']);
    expect(run.jobs().map((job) => job.type)).toEqual(['cancel-flight']);
    run.completeJob('cancel-flight');
    expect(run.jobs().map((job) => job.type)).toEqual(['cancel-hotel']);
    run.completeJob('cancel-hotel', { hotelReservation: null });

    expect(run.active()).toEqual(['inform-customer']);
    expect(run.completed()).toEqual([
      'trip-requested',
      'booking-started',
      'book-hotel',
      'book-flight',
      'no-car',
      'cancel-flight',
      'cancel-hotel',
      'booking-cancelled',
    ]);
    expect(run.terminated()).toEqual(['book-car', 'cancel-booking', 'book-trip']);
    expect(run.variables).toEqual({ traveller: 'Ada', hotelReservation: null, flightReservation: 'F-42' });
    run.completeUserTask('inform-customer');
    expect(run.state.status).toBe('completed');
    expect(run.jobs()).toEqual([]);
  });

  it('when every booking succeeds, undoes nothing and sends the itinerary', async () => {
    const run = scenario(await saga()).start();
    run.completeJob('book-hotel').completeJob('book-flight').completeJob('book-car').completeJob('send-itinerary');
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['trip-requested', 'booking-started', 'book-hotel', 'book-flight', 'book-car', 'trip-booked', 'book-trip', 'send-itinerary', 'trip-ready']);
    expect(run.eventsOf('CompensationThrown')).toEqual([]);
  });
});

// The refund example (examples/order-refund.bpmn): a compensation throw event that does not wait for its handlers.
const orderRefund = () => compiledProcess(readFileSync(new URL('../../../../../examples/order-refund.bpmn', import.meta.url), 'utf8'));

describe('the refund example (examples/order-refund.bpmn)', () => {
  it('when the order cannot be packed, apologises at once while the stock is released, then the payment refunded', async () => {
    const run = scenario(await orderRefund()).start({ orderId: 'O-1' });
    run.completeJob('charge-payment', { paymentId: 'P-9' }).completeJob('reserve-stock', { reservationId: 'R-3' });
    run.completeJob('pack-order', { packed: false });

    // The throw event went on: the apology waits beside the first handler, the latest booking's.
    expect(run.active()).toEqual(['apologise', 'release-stock']);
    expect(run.jobs().map((job) => job.type)).toEqual(['release-stock']);
    run.completeUserTask('apologise');
    expect(run.state.status).toBe('active');
    run.completeJob('release-stock', { reservationId: null });
    expect(run.jobs().map((job) => job.type)).toEqual(['refund-payment']);
    run.completeJob('refund-payment', { paymentId: null });

    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual([
      'order-received',
      'charge-payment',
      'reserve-stock',
      'pack-order',
      'packed',
      'undo-order',
      'apologise',
      'order-cancelled',
      'release-stock',
      'refund-payment',
    ]);
    expect(run.variables).toEqual({ orderId: 'O-1', paymentId: null, reservationId: null, packed: false });
  });

  it('when the order is packed, refunds nothing and ships it', async () => {
    const run = scenario(await orderRefund()).start();
    run.completeJob('charge-payment').completeJob('reserve-stock').completeJob('pack-order', { packed: true }).completeJob('ship-order');
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['order-received', 'charge-payment', 'reserve-stock', 'pack-order', 'packed', 'ship-order', 'order-shipped']);
    expect(run.eventsOf('CompensationThrown')).toEqual([]);
  });
});
