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
