import { readFileSync } from 'node:fs';

import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { createStandaloneApp, type StandaloneAppOptions } from '../create-standalone-app.js';

/** The README's example model, read from the repository. */
export const orderProcessBpmn = readFileSync(new URL('../../../../examples/order-process.bpmn', import.meta.url), 'utf8');

/** One service task done by a worker: job type (Camunda 8) and topic (Camunda 7) `work`; the shared bench model. */
export const oneTaskBpmn = readFileSync(new URL('../../../../../shared/bench/one-task.bpmn', import.meta.url), 'utf8');

/**
 * Two problems at known places: the gateway on line 6 has no outgoing flow, and the flow on line 8
 * points at an element that does not exist.
 */
export const brokenBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="broken-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="broken" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-gateway" sourceRef="start" targetRef="dead-end" />
    <bpmn:exclusiveGateway id="dead-end" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="to-nowhere" sourceRef="start" targetRef="missing-task" />
  </bpmn:process>
</bpmn:definitions>
`;

export function memoryApp(options: Partial<StandaloneAppOptions> = {}): Promise<INestApplication> {
  return createStandaloneApp({ eventStore: 'memory', logger: false, ...options });
}

export function deploy(app: INestApplication, ...resources: readonly (readonly [name: string, content: string])[]): request.Test {
  let test = request(app.getHttpServer()).post('/api/deployments');
  for (const [name, content] of resources) test = test.attach('resources', Buffer.from(content, 'utf8'), name);
  return test;
}
