// Compensation over the API (examples/saga-booking.bpmn): a worker's BPMN error cancels the booking transaction, what
// was booked is undone latest first, and the transaction is left through its cancel boundary event; a restart in the
// middle of the compensation loses nothing. A compensation throw event that does not wait (examples/order-refund.bpmn)
// lets the flow go on while its handlers run, across restarts too. Wrong uses of compensation are refused at
// deployment, all at once.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const sagaBpmn = readFileSync(new URL('../../../examples/saga-booking.bpmn', import.meta.url), 'utf8');
const orderRefundBpmn = readFileSync(new URL('../../../examples/order-refund.bpmn', import.meta.url), 'utf8');

interface InstanceView {
  readonly state: string;
  readonly activeElementInstances: readonly { readonly elementId: string }[];
  readonly variables: Record<string, unknown>;
}

type Http = ReturnType<typeof request>;

const activeElements = (instance: InstanceView): string[] => instance.activeElementInstances.map((element) => element.elementId).sort();

async function instance(http: Http, id: string): Promise<InstanceView> {
  return (await http.get(`/api/process-instances/${id}`).expect(200)).body as InstanceView;
}

/** The types of the instance's open jobs: what the workers are asked to do now. */
async function jobTypes(http: Http, processInstanceId: string): Promise<string[]> {
  const jobs = (await http.get('/api/jobs').query({ processInstanceId }).expect(200)).body as { type: string }[];
  return jobs.map((job) => job.type).sort();
}

async function jobOf(http: Http, processInstanceId: string, type: string): Promise<{ id: string; variables: Record<string, unknown> }> {
  const jobs = (await http.get('/api/jobs').query({ processInstanceId, type }).expect(200)).body as { id: string; variables: Record<string, unknown> }[];
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

const complete = async (http: Http, processInstanceId: string, type: string, variables: Record<string, unknown> = {}): Promise<void> => {
  await http.post(`/api/jobs/${(await jobOf(http, processInstanceId, type)).id}/complete`).send({ variables }).expect(200);
};

const start = async (http: Http): Promise<string> =>
  (await http.post('/api/process-instances').send({ processId: 'saga-booking', variables: { traveller: 'Ada' } }).expect(201)).body.id;

/** Books hotel and flight, then the car worker reports that no car is left. */
async function failCarBooking(http: Http, id: string): Promise<void> {
  await complete(http, id, 'book-hotel', { hotelReservation: 'H-17' });
  await complete(http, id, 'book-flight', { flightReservation: 'F-42' });
  const car = await jobOf(http, id, 'book-car');
  await http.post(`/api/jobs/${car.id}/error`).send({ errorCode: 'NO_CAR', errorMessage: 'fully booked' }).expect(200);
}

describe('compensation over the API (examples/saga-booking.bpmn)', () => {
  let app: INestApplication;
  let http: Http;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['saga-booking.bpmn', sagaBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  it('a failed car booking cancels the flight, then the hotel, and the customer is told', async () => {
    const id = await start(http);
    await failCarBooking(http, id);

    expect(activeElements(await instance(http, id))).toEqual(['book-trip', 'cancel-booking', 'cancel-flight']);
    expect(await jobTypes(http, id)).toEqual(['cancel-flight']);
    // The handler's worker sees what the booking left.
    expect((await jobOf(http, id, 'cancel-flight')).variables).toEqual({ traveller: 'Ada', hotelReservation: 'H-17', flightReservation: 'F-42' });
    await complete(http, id, 'cancel-flight', { flightReservation: null });
    expect(activeElements(await instance(http, id))).toEqual(['book-trip', 'cancel-booking', 'cancel-hotel']);
    expect(await jobTypes(http, id)).toEqual(['cancel-hotel']);
    await complete(http, id, 'cancel-hotel', { hotelReservation: null });

    const cancelled = await instance(http, id);
    expect(activeElements(cancelled)).toEqual(['inform-customer']);
    expect(cancelled.variables).toEqual({ traveller: 'Ada', hotelReservation: null, flightReservation: null });
    expect(await jobTypes(http, id)).toEqual([]);
    const task = (await http.get('/api/user-tasks').query({ processInstanceId: id, state: 'CREATED' }).expect(200)).body as { id: string }[];
    await http.post(`/api/user-tasks/${task[0].id}/complete`).send({}).expect(200);
    expect((await instance(http, id)).state).toBe('COMPLETED');
  });

  it('when every booking succeeds, nothing is undone and the itinerary is sent', async () => {
    const id = await start(http);
    for (const type of ['book-hotel', 'book-flight', 'book-car', 'send-itinerary']) await complete(http, id, type);
    const done = await instance(http, id);
    expect(done.state).toBe('COMPLETED');
  });
});

describe('compensation across a restart (embedded store)', () => {
  it('a compensation cut short by a restart goes on with the next handler after it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-compensation-'));
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });
    try {
      const first = await open();
      let id: string;
      try {
        await deploy(first, ['saga-booking.bpmn', sagaBpmn]).expect(201);
        const http = request(first.getHttpServer());
        id = await start(http);
        await failCarBooking(http, id);
        expect(await jobTypes(http, id)).toEqual(['cancel-flight']);
      } finally {
        await first.close();
      }

      const second = await open();
      try {
        const http = request(second.getHttpServer());
        expect(activeElements(await instance(http, id))).toEqual(['book-trip', 'cancel-booking', 'cancel-flight']);
        await complete(http, id, 'cancel-flight');
        expect(await jobTypes(http, id)).toEqual(['cancel-hotel']);
      } finally {
        await second.close();
      }

      const third = await open();
      try {
        const http = request(third.getHttpServer());
        await complete(http, id, 'cancel-hotel');
        expect(activeElements(await instance(http, id))).toEqual(['inform-customer']);
      } finally {
        await third.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // The embedded store is opened three times: slow on a busy machine.
  }, 90_000);
});

/** Starts an order, pays it and reserves its stock, then the packing worker cannot pack it. */
async function failPacking(http: Http): Promise<string> {
  const id = (await http.post('/api/process-instances').send({ processId: 'order-refund', variables: { orderId: 'O-1' } }).expect(201)).body.id as string;
  await complete(http, id, 'charge-payment', { paymentId: 'P-9' });
  await complete(http, id, 'reserve-stock', { reservationId: 'R-3' });
  await complete(http, id, 'pack-order', { packed: false });
  return id;
}

async function apologise(http: Http, processInstanceId: string): Promise<void> {
  const tasks = (await http.get('/api/user-tasks').query({ processInstanceId, state: 'CREATED' }).expect(200)).body as { id: string; elementId: string }[];
  expect(tasks.map((task) => task.elementId)).toEqual(['apologise']);
  await http.post(`/api/user-tasks/${tasks[0].id}/complete`).send({}).expect(200);
}

describe('compensation that does not wait, over the API (examples/order-refund.bpmn)', () => {
  let app: INestApplication;
  let http: Http;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['order-refund.bpmn', orderRefundBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  it('an order that cannot be packed is apologised for at once, while the stock is released, then the payment refunded', async () => {
    const id = await failPacking(http);

    // The throw event did not wait: the apology is open beside the first handler, the latest booking's.
    expect(activeElements(await instance(http, id))).toEqual(['apologise', 'release-stock']);
    expect(await jobTypes(http, id)).toEqual(['release-stock']);
    expect((await jobOf(http, id, 'release-stock')).variables).toEqual({ orderId: 'O-1', paymentId: 'P-9', reservationId: 'R-3', packed: false });

    await apologise(http, id);
    // The token ended, but the instance waits for the handlers still to run.
    const apologised = await instance(http, id);
    expect(apologised.state).toBe('ACTIVE');
    expect(activeElements(apologised)).toEqual(['release-stock']);

    await complete(http, id, 'release-stock', { reservationId: null });
    expect(activeElements(await instance(http, id))).toEqual(['refund-payment']);
    expect(await jobTypes(http, id)).toEqual(['refund-payment']);
    await complete(http, id, 'refund-payment', { paymentId: null });

    const done = await instance(http, id);
    expect(done.state).toBe('COMPLETED');
    expect(done.variables).toEqual({ orderId: 'O-1', paymentId: null, reservationId: null, packed: false });
    expect(await jobTypes(http, id)).toEqual([]);
  });

  it('a packed order is shipped and nothing is refunded', async () => {
    const id = (await http.post('/api/process-instances').send({ processId: 'order-refund' }).expect(201)).body.id as string;
    await complete(http, id, 'charge-payment');
    await complete(http, id, 'reserve-stock');
    await complete(http, id, 'pack-order', { packed: true });
    expect(await jobTypes(http, id)).toEqual(['ship-order']);
    await complete(http, id, 'ship-order');
    expect((await instance(http, id)).state).toBe('COMPLETED');
  });
});

describe('compensation that does not wait, across restarts (embedded store)', () => {
  it('the handlers still to run and the flow that went on both survive each restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-order-refund-'));
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });
    try {
      const first = await open();
      let id: string;
      try {
        await deploy(first, ['order-refund.bpmn', orderRefundBpmn]).expect(201);
        const http = request(first.getHttpServer());
        id = await failPacking(http);
        expect(await jobTypes(http, id)).toEqual(['release-stock']);
      } finally {
        await first.close();
      }

      const second = await open();
      try {
        const http = request(second.getHttpServer());
        expect(activeElements(await instance(http, id))).toEqual(['apologise', 'release-stock']);
        await complete(http, id, 'release-stock');
        expect(await jobTypes(http, id)).toEqual(['refund-payment']);
      } finally {
        await second.close();
      }

      const third = await open();
      try {
        const http = request(third.getHttpServer());
        expect(activeElements(await instance(http, id))).toEqual(['apologise', 'refund-payment']);
        await apologise(http, id);
        expect((await instance(http, id)).state).toBe('ACTIVE');
        await complete(http, id, 'refund-payment');
        const done = await instance(http, id);
        expect(done.state).toBe('COMPLETED');
        expect(activeElements(done)).toEqual([]);
      } finally {
        await third.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // The embedded store is opened three times: slow on a busy machine.
  }, 90_000);
});

describe('compensation used wrongly', () => {
  it('a deployment is refused with every problem listed, by element, field and line, and nothing is stored', async () => {
    const app = await memoryApp();
    try {
      const broken = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://example.org/broken-compensation">
  <bpmn:process id="broken-compensation" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pay" />
    <bpmn:task id="pay" />
    <bpmn:boundaryEvent id="pay-compensation" attachedToRef="pay"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="pay" targetRef="refund" />
    <bpmn:task id="refund" isForCompensation="true" />
    <bpmn:sequenceFlow id="f3" sourceRef="refund" targetRef="undo" />
    <bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition activityRef="ship" /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="undo" targetRef="cancel" />
    <bpmn:endEvent id="cancel"><bpmn:cancelEventDefinition /></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;
      const refused = await deploy(app, ['broken-compensation.bpmn', broken]).expect(400);
      expect(refused.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ resource: 'broken-compensation.bpmn', elementId: 'pay-compensation', code: 'MISSING_ATTRIBUTE', field: 'association', line: 7 }),
          expect.objectContaining({ resource: 'broken-compensation.bpmn', elementId: 'refund', code: 'INVALID_ATTRIBUTE', field: 'incoming', line: 9 }),
          expect.objectContaining({ resource: 'broken-compensation.bpmn', elementId: 'refund', code: 'INVALID_ATTRIBUTE', field: 'outgoing', line: 9 }),
          expect.objectContaining({ resource: 'broken-compensation.bpmn', elementId: 'undo', code: 'INVALID_ATTRIBUTE', field: 'activityRef', line: 11 }),
          expect.objectContaining({ resource: 'broken-compensation.bpmn', elementId: 'cancel', code: 'INVALID_ATTRIBUTE', field: 'eventDefinitions', line: 13 }),
        ]),
      );
      expect((await request(app.getHttpServer()).get('/api/process-definitions').expect(200)).body).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
