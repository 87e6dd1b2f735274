// Camunda 7's REST API at /engine-rest on the standalone server, as Camunda's own clients call it: Camunda Modeler's
// multipart deployment (built by hand, byte for byte as Modeler sends it), starting instances with typed variables,
// message correlation and signals, the lists with their filters and paging, deleting, history and incidents. Every
// answer is exactly `application/json`, errors as Camunda's `{ type, message }`.
import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { brokenBpmn, memoryApp, oneTaskBpmn, orderProcessBpmn } from './testing/e2e.fixture.js';

type Http = ReturnType<typeof request>;

/** The multipart body Camunda Modeler (5.x) posts to `/deployment/create`, with its boundary and part order. */
function modelerDeployment(files: readonly (readonly [name: string, content: string])[], fields: Readonly<Record<string, string>> = {}): { body: Buffer; contentType: string } {
  const boundary = '--------------------------412739468823474935381226';
  const parts = Object.entries({ 'deployment-name': 'order', 'deployment-source': 'Camunda Modeler', 'enable-duplicate-filtering': 'true', 'deploy-changed-only': 'true', ...fields }).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  for (const [name, content] of files) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n${content}\r\n`);
  }
  return { body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8'), contentType: `multipart/form-data; boundary=${boundary}` };
}

function deployAsModeler(http: Http, files: readonly (readonly [name: string, content: string])[], fields: Readonly<Record<string, string>> = {}): request.Test {
  const { body, contentType } = modelerDeployment(files, fields);
  return http.post('/engine-rest/deployment/create').set('Content-Type', contentType).set('Authorization', 'Basic ZGVtbzpkZW1v').send(body);
}

/** Camunda 7: start → wait (message `approval`) → end. */
const approvalBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="c7" targetNamespace="http://example.org/c7">
  <bpmn:process id="approval" name="Approval" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="approval-message" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:message id="approval-message" name="approval" />
</bpmn:definitions>`;

/** A message `order-placed` starts an instance, which waits for the signal `all-clear`. */
const intakeBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="intake" targetNamespace="http://example.org/intake">
  <bpmn:process id="order-intake" isExecutable="true">
    <bpmn:startEvent id="order-received"><bpmn:messageEventDefinition messageRef="order-message" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="order-received" targetRef="all-clear" />
    <bpmn:intermediateCatchEvent id="all-clear"><bpmn:signalEventDefinition signalRef="all-clear-signal" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="all-clear" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:message id="order-message" name="order-placed" />
  <bpmn:signal id="all-clear-signal" name="all-clear" />
</bpmn:definitions>`;

const CAMUNDA_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

describe('Camunda 7 REST API (/engine-rest)', () => {
  let app: INestApplication;
  let http: Http;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
  });
  afterEach(async () => {
    await app.close();
  });

  const startApproval = async (businessKey: string, variables: Record<string, unknown> = {}): Promise<string> =>
    (await http.post('/engine-rest/process-definition/key/approval/start').send({ businessKey, variables }).expect(200)).body.id;

  it('tells its version as exactly application/json, and takes Basic authentication (there is none to check)', async () => {
    const response = await http.get('/engine-rest/version').set('Authorization', 'Basic ZGVtbzpkZW1v').expect(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual({ version: '7.23.0' });
    expect((await http.get('/engine-rest/engine').expect(200)).body).toEqual([{ name: 'default' }]);
  });

  it('accepts and ignores any Basic credentials (right, wrong or unreadable) and other schemes: there are no identities yet', async () => {
    await deployAsModeler(http, [['approval.bpmn', approvalBpmn]]).expect(200);
    // demo:demo (Camunda's default), nobody:wrong, a header that is no base64, and a bearer token.
    for (const authorization of ['Basic ZGVtbzpkZW1v', 'Basic bm9ib2R5Ondyb25n', 'Basic ???', 'Bearer some-token']) {
      const version = await http.get('/engine-rest/version').set('Authorization', authorization).expect(200);
      expect(version.body).toEqual({ version: '7.23.0' });
      expect(version.headers['www-authenticate']).toBeUndefined();
      const definitions = await http.get('/engine-rest/process-definition').set('Authorization', authorization).expect(200);
      expect(definitions.body.map((definition: { id: string }) => definition.id)).toEqual(['approval:1']);
      const started = await http
        .post('/engine-rest/process-definition/key/approval/start')
        .set('Authorization', authorization)
        .send({ businessKey: `basic-${authorization.length}` })
        .expect(200);
      expect(started.body).toEqual(expect.objectContaining({ definitionId: 'approval:1', ended: false }));
    }
  });

  it('takes Camunda Modeler\'s deployment and answers with Camunda\'s deployment, its new definitions by id', async () => {
    const response = await deployAsModeler(http, [['order-process.bpmn', orderProcessBpmn]]).expect(200);
    expect(response.headers['content-type']).toBe('application/json');
    const { id } = response.body;
    expect(response.body).toEqual({
      links: [{ method: 'GET', href: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/engine-rest/deployment/${id}$`)), rel: 'self' }],
      id,
      name: 'order',
      source: 'Camunda Modeler',
      deploymentTime: expect.stringMatching(CAMUNDA_DATE),
      tenantId: null,
      deployedProcessDefinitions: {
        'order-process:1': {
          id: 'order-process:1',
          key: 'order-process',
          category: null,
          description: null,
          name: 'Order process',
          version: 1,
          resource: 'order-process.bpmn',
          deploymentId: id,
          diagram: null,
          suspended: false,
          tenantId: null,
          versionTag: null,
          historyTimeToLive: null,
          startableInTasklist: true,
        },
      },
      deployedCaseDefinitions: null,
      deployedDecisionDefinitions: null,
      deployedDecisionRequirementsDefinitions: null,
    });

    // Deployed again unchanged (Modeler's duplicate filtering): a deployment that introduces no definition.
    const again = await deployAsModeler(http, [['order-process.bpmn', orderProcessBpmn]], { 'deployment-name': 'order again' }).expect(200);
    expect(again.body.deployedProcessDefinitions).toBeNull();

    const listed = await http.get('/engine-rest/deployment').query({ sortBy: 'name', sortOrder: 'desc' }).expect(200);
    expect(listed.headers['content-type']).toBe('application/json');
    expect(listed.body).toEqual([
      { links: [], id: again.body.id, name: 'order again', source: null, deploymentTime: expect.stringMatching(CAMUNDA_DATE), tenantId: null },
      { links: [], id, name: 'order', source: null, deploymentTime: response.body.deploymentTime, tenantId: null },
    ]);
    expect((await http.get('/engine-rest/deployment').query({ nameLike: 'order%', maxResults: 1 }).expect(200)).body.map((deployment: { id: string }) => deployment.id)).toEqual([id]);
    expect((await http.get('/engine-rest/deployment/count').expect(200)).body).toEqual({ count: 2 });
  });

  it('answers a broken model with Camunda\'s ParseException, every problem with its line, and deploys nothing', async () => {
    const response = await deployAsModeler(http, [['broken.bpmn', brokenBpmn]]).expect(400);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body.type).toBe('ParseException');
    expect(response.body.message).toMatch(/^ENGINE-09005 Could not parse BPMN process\. Errors: \n\* .+ \| resource broken\.bpmn \| line \d+ \| column \d+/);
    const problems = response.body.details['broken.bpmn'];
    expect(problems.warnings).toEqual([]);
    expect(problems.errors).toEqual(
      expect.arrayContaining([
        { message: expect.any(String), line: 6, column: expect.any(Number), mainElementId: 'dead-end', elementIds: ['dead-end'] },
        expect.objectContaining({ line: 8, mainElementId: 'to-nowhere' }),
      ]),
    );
    expect((await http.get('/engine-rest/deployment').expect(200)).body).toEqual([]);

    const empty = await deployAsModeler(http, []).expect(400);
    expect(empty.body).toEqual({ type: 'InvalidRequestException', message: 'No deployment resources contained in the form upload.' });
    const tenant = await deployAsModeler(http, [['order-process.bpmn', orderProcessBpmn]], { 'tenant-id': 'acme' }).expect(400);
    expect(tenant.body).toEqual({ type: 'InvalidRequestException', message: "Trellis has no tenants: deploy without tenant-id (it was 'acme')" });
  });

  it('lists process definitions with Camunda\'s filters, sorting and paging', async () => {
    await deployAsModeler(http, [['order-process.bpmn', orderProcessBpmn], ['approval.bpmn', approvalBpmn]]).expect(200);
    await deployAsModeler(http, [['approval.bpmn', approvalBpmn.replace('name="Approval"', 'name="Approval v2"')]]).expect(200);
    const ids = async (query: Record<string, string | number | boolean>): Promise<string[]> => {
      const response = await http.get('/engine-rest/process-definition').query(query).expect(200);
      expect(response.headers['content-type']).toBe('application/json');
      return response.body.map((definition: { id: string }) => definition.id);
    };
    expect(await ids({})).toEqual(['approval:1', 'approval:2', 'order-process:1']);
    expect(await ids({ key: 'approval' })).toEqual(['approval:1', 'approval:2']);
    expect(await ids({ keyLike: '%der%' })).toEqual(['order-process:1']);
    expect(await ids({ latestVersion: true })).toEqual(['approval:2', 'order-process:1']);
    expect(await ids({ version: 2 })).toEqual(['approval:2']);
    expect(await ids({ name: 'Approval v2' })).toEqual(['approval:2']);
    expect(await ids({ sortBy: 'version', sortOrder: 'desc', firstResult: 0, maxResults: 1 })).toEqual(['approval:2']);
    expect(await ids({ sortBy: 'key', sortOrder: 'desc', firstResult: 1, maxResults: 5 })).toEqual(['approval:1', 'approval:2']);
    expect((await http.get('/engine-rest/process-definition/count').query({ key: 'approval' }).expect(200)).body).toEqual({ count: 2 });
    expect((await http.get('/engine-rest/process-definition/key/approval').expect(200)).body).toEqual(expect.objectContaining({ id: 'approval:2', name: 'Approval v2' }));

    const badSort = await http.get('/engine-rest/process-definition').query({ sortBy: 'colour', sortOrder: 'asc' }).expect(400);
    expect(badSort.headers['content-type']).toBe('application/json');
    expect(badSort.body).toEqual({ type: 'InvalidRequestException', message: "Cannot set query parameter 'sortBy' to value 'colour'" });
  });

  it('starts instances by key and by id with typed variables, and returns them when asked', async () => {
    await deployAsModeler(http, [['approval.bpmn', approvalBpmn]]).expect(200);
    const response = await http
      .post('/engine-rest/process-definition/key/approval/start')
      .send({
        businessKey: 'order-42',
        withVariablesInReturn: true,
        variables: {
          customer: { value: 'ACME', type: 'String' },
          amount: { value: 120, type: 'integer' },
          express: { value: true, type: 'Boolean' },
          ratio: { value: 0.5, type: 'Double' },
          items: { value: '["bolt","nut"]', type: 'Json' },
          address: { value: '{"city":"Berlin"}', type: 'Object', valueInfo: { objectTypeName: 'com.acme.Address', serializationDataFormat: 'application/json' } },
          note: { value: null, type: 'Null' },
          due: { value: '2026-05-01T12:00:00.000+0200', type: 'Date' },
        },
      })
      .expect(200);
    expect(response.headers['content-type']).toBe('application/json');
    const { id } = response.body;
    expect(response.body).toEqual({
      links: [{ method: 'GET', href: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/engine-rest/process-instance/${id}$`)), rel: 'self' }],
      id,
      definitionId: 'approval:1',
      businessKey: 'order-42',
      caseInstanceId: null,
      ended: false,
      suspended: false,
      tenantId: null,
      variables: {
        customer: { type: 'String', value: 'ACME', valueInfo: {} },
        amount: { type: 'Integer', value: 120, valueInfo: {} },
        express: { type: 'Boolean', value: true, valueInfo: {} },
        ratio: { type: 'Double', value: 0.5, valueInfo: {} },
        items: { type: 'Json', value: '["bolt","nut"]', valueInfo: {} },
        address: { type: 'Json', value: '{"city":"Berlin"}', valueInfo: {} },
        note: { type: 'Null', value: null, valueInfo: {} },
        due: { type: 'String', value: '2026-05-01T10:00:00.000Z', valueInfo: {} },
      },
    });
    // The same instance over Trellis's own API: the variables are plain JSON values there.
    expect((await http.get(`/api/process-instances/${id}`).expect(200)).body.variables).toEqual(
      expect.objectContaining({ amount: 120, items: ['bolt', 'nut'], address: { city: 'Berlin' }, due: '2026-05-01T10:00:00.000Z' }),
    );

    const byId = await http.post('/engine-rest/process-definition/approval:1/start').send({}).expect(200);
    expect(byId.body).toEqual(expect.objectContaining({ definitionId: 'approval:1', businessKey: null, ended: false }));
    expect(byId.body.variables).toBeUndefined();

    const unknown = await http.post('/engine-rest/process-definition/key/nothing/start').send({}).expect(404);
    expect(unknown.headers['content-type']).toBe('application/json');
    expect(unknown.body).toEqual({ type: 'InvalidRequestException', message: 'No matching process definition with key: nothing and no tenant-id' });
    const badValue = await http.post('/engine-rest/process-definition/key/approval/start').send({ variables: { amount: { value: 'lots', type: 'Integer' } } }).expect(400);
    expect(badValue.body).toEqual({
      type: 'InvalidRequestException',
      message: "Cannot instantiate process definition approval:1: Cannot convert value 'lots' of type 'Integer' to java type java.lang.Integer",
    });
  });

  it('correlates messages by business key and process variables, answers the result when asked, and refuses what matches nothing or too much', async () => {
    await deployAsModeler(http, [['approval.bpmn', approvalBpmn]]).expect(200);
    const first = await startApproval('order-1', { region: { value: 'north', type: 'String' } });
    const second = await startApproval('order-2', { region: { value: 'south', type: 'String' } });
    const third = await startApproval('order-3', { region: { value: 'south', type: 'String' } });

    const result = await http
      .post('/engine-rest/message')
      .send({ messageName: 'approval', businessKey: 'order-1', processVariables: { approved: { value: true, type: 'Boolean' } }, resultEnabled: true, variablesInResultEnabled: true })
      .expect(200);
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.body).toEqual([
      {
        resultType: 'Execution',
        execution: { id: expect.any(String), processInstanceId: first, ended: false, tenantId: null },
        processInstance: null,
        variables: { region: { type: 'String', value: 'north', valueInfo: {} }, approved: { type: 'Boolean', value: true, valueInfo: {} } },
      },
    ]);
    const history = (await http.get('/engine-rest/history/process-instance').query({ processInstanceId: first }).expect(200)).body;
    expect(history[0].state).toBe('COMPLETED');

    const nothing = await http.post('/engine-rest/message').send({ messageName: 'approval', businessKey: 'order-1' }).expect(400);
    expect(nothing.headers['content-type']).toBe('application/json');
    expect(nothing.body).toEqual({ type: 'RestException', message: "Cannot correlate message 'approval': No process definition or execution matches the parameters" });

    const several = await http.post('/engine-rest/message').send({ messageName: 'approval', correlationKeys: { region: { value: 'south', type: 'String' } } }).expect(400);
    expect(several.body.type).toBe('RestException');
    expect(several.body.message).toMatch(/^Cannot correlate message 'approval': Cannot correlate a message with name 'approval' to a single execution\. 2 executions match/);

    const all = await http.post('/engine-rest/message').send({ messageName: 'approval', correlationKeys: { region: { value: 'south', type: 'String' } }, all: true }).expect(204);
    expect(all.text).toBe('');
    for (const id of [second, third]) await http.get(`/engine-rest/process-instance/${id}`).expect(404);
  });

  it('correlates by the waiting element\'s local variables and sets local variables on it, not on the process', async () => {
    await deployAsModeler(http, [['approval.bpmn', approvalBpmn]]).expect(200);
    const [first, second] = [await startApproval('local-1'), await startApproval('local-2')];
    const waitingElement = async (id: string): Promise<string> =>
      ((await http.get(`/api/process-instances/${id}`).expect(200)).body.activeElementInstances as { id: string; elementId: string }[]).find((element) => element.elementId === 'wait')!.id;
    await http.put(`/api/process-instances/${second}/variables`).send({ variables: { slot: 'b' }, local: true, scopeInstanceId: await waitingElement(second) }).expect(200);

    const result = await http
      .post('/engine-rest/message')
      .send({
        messageName: 'approval',
        localCorrelationKeys: { slot: { value: 'b', type: 'String' } },
        processVariables: { approved: { value: true, type: 'Boolean' } },
        processVariablesLocal: { reviewer: { value: 'ops', type: 'String' } },
        resultEnabled: true,
        variablesInResultEnabled: true,
      })
      .expect(200);
    expect(result.body).toEqual([expect.objectContaining({ resultType: 'Execution', execution: expect.objectContaining({ processInstanceId: second }) })]);
    // The local variables lived on the catch event, which has completed: only the process variables remain.
    expect(result.body[0].variables).toEqual({ approved: { type: 'Boolean', value: true, valueInfo: {} } });
    expect((await http.get('/engine-rest/history/process-instance').query({ processInstanceIds: `${first},${second}`, sortBy: 'businessKey', sortOrder: 'asc' }).expect(200)).body.map((instance: { state: string }) => instance.state)).toEqual(['ACTIVE', 'COMPLETED']);
  });

  it('starts an instance at a message start event, then broadcasts a signal to it', async () => {
    await deployAsModeler(http, [['intake.bpmn', intakeBpmn]]).expect(200);
    const started = await http
      .post('/engine-rest/message')
      .send({ messageName: 'order-placed', businessKey: 'order-7', processVariables: { total: { value: 30, type: 'Long' } }, resultEnabled: true })
      .expect(200);
    expect(started.body).toEqual([
      {
        resultType: 'ProcessDefinition',
        execution: null,
        processInstance: { links: [], id: expect.any(String), definitionId: 'order-intake:1', businessKey: 'order-7', caseInstanceId: null, ended: false, suspended: false, tenantId: null },
      },
    ]);
    const instanceId = started.body[0].processInstance.id;
    expect((await http.get(`/engine-rest/process-instance/${instanceId}/variables`).expect(200)).body).toEqual({ total: { type: 'Integer', value: 30, valueInfo: {} } });

    const signal = await http.post('/engine-rest/signal').send({ name: 'all-clear', variables: { clearedBy: { value: 'ops', type: 'String' } } }).expect(204);
    expect(signal.text).toBe('');
    await http.get(`/engine-rest/process-instance/${instanceId}`).expect(404);
    const [ended] = (await http.get('/engine-rest/history/process-instance').query({ processDefinitionKey: 'order-intake' }).expect(200)).body;
    expect(ended).toEqual(expect.objectContaining({ id: instanceId, state: 'COMPLETED', businessKey: 'order-7', endTime: expect.stringMatching(CAMUNDA_DATE) }));

    expect((await http.post('/engine-rest/signal').send({}).expect(400)).body).toEqual({ type: 'InvalidRequestException', message: 'No signal name given' });
  });

  it('lists, counts, reads and deletes running process instances, and keeps them in the history', async () => {
    await deployAsModeler(http, [['approval.bpmn', approvalBpmn]]).expect(200);
    const ids = [await startApproval('a-1'), await startApproval('a-2'), await startApproval('b-1')];
    const list = await http.get('/engine-rest/process-instance').query({ processDefinitionKey: 'approval', sortBy: 'businessKey', sortOrder: 'desc' }).expect(200);
    expect(list.headers['content-type']).toBe('application/json');
    expect(list.body.map((instance: { businessKey: string }) => instance.businessKey)).toEqual(['b-1', 'a-2', 'a-1']);
    expect(list.body[0]).toEqual({ links: [], id: ids[2], definitionId: 'approval:1', businessKey: 'b-1', caseInstanceId: null, ended: false, suspended: false, tenantId: null });
    const keys = async (query: Record<string, string | number | boolean>): Promise<string[]> =>
      (await http.get('/engine-rest/process-instance').query(query).expect(200)).body.map((instance: { businessKey: string }) => instance.businessKey);
    expect(await keys({ businessKeyLike: 'a-%' })).toEqual(['a-1', 'a-2']);
    expect(await keys({ processInstanceIds: `${ids[0]},${ids[2]}` })).toEqual(['a-1', 'b-1']);
    expect(await keys({ firstResult: 1, maxResults: 1 })).toEqual(['a-2']);
    expect(await keys({ active: true })).toEqual(['a-1', 'a-2', 'b-1']);
    expect(await keys({ suspended: true })).toEqual([]);
    expect(await keys({ withIncident: true })).toEqual([]);
    expect((await http.get('/engine-rest/process-instance/count').query({ businessKey: 'a-2' }).expect(200)).body).toEqual({ count: 1 });
    expect((await http.get(`/engine-rest/process-instance/${ids[1]}`).expect(200)).body).toEqual(expect.objectContaining({ id: ids[1], businessKey: 'a-2' }));

    const deleted = await http.delete(`/engine-rest/process-instance/${ids[1]}`).expect(204);
    expect(deleted.text).toBe('');
    const gone = await http.delete(`/engine-rest/process-instance/${ids[1]}`).expect(404);
    expect(gone.headers['content-type']).toBe('application/json');
    expect(gone.body).toEqual({ type: 'InvalidRequestException', message: `Process instance with id ${ids[1]} does not exist` });
    expect((await http.get(`/engine-rest/process-instance/${ids[1]}`).expect(404)).body.type).toBe('InvalidRequestException');
    expect((await http.get('/engine-rest/process-instance/count').expect(200)).body).toEqual({ count: 2 });

    const history = await http.get('/engine-rest/history/process-instance').query({ sortBy: 'businessKey', sortOrder: 'asc' }).expect(200);
    expect(history.headers['content-type']).toBe('application/json');
    expect(history.body.map((instance: { businessKey: string; state: string }) => [instance.businessKey, instance.state])).toEqual([
      ['a-1', 'ACTIVE'],
      ['a-2', 'EXTERNALLY_TERMINATED'],
      ['b-1', 'ACTIVE'],
    ]);
    expect(history.body[1]).toEqual({
      id: ids[1],
      rootProcessInstanceId: ids[1],
      superProcessInstanceId: null,
      superCaseInstanceId: null,
      caseInstanceId: null,
      processDefinitionName: 'Approval',
      processDefinitionKey: 'approval',
      processDefinitionVersion: 1,
      processDefinitionId: 'approval:1',
      businessKey: 'a-2',
      startTime: expect.stringMatching(CAMUNDA_DATE),
      endTime: expect.stringMatching(CAMUNDA_DATE),
      removalTime: null,
      durationInMillis: expect.any(Number),
      startUserId: null,
      startActivityId: null,
      deleteReason: 'Cancelled',
      tenantId: null,
      state: 'EXTERNALLY_TERMINATED',
    });
    const finished = await http.get('/engine-rest/history/process-instance').query({ finished: true }).expect(200);
    expect(finished.body.map((instance: { id: string }) => instance.id)).toEqual([ids[1]]);
    expect((await http.get('/engine-rest/history/process-instance/count').query({ unfinished: true }).expect(200)).body).toEqual({ count: 2 });
    expect((await http.get('/engine-rest/history/process-instance').query({ sortBy: 'startTime', sortOrder: 'desc', maxResults: 1 }).expect(200)).body).toHaveLength(1);
  });

  it('lists open incidents as Camunda\'s failedJob incidents, and finds their instances withIncident', async () => {
    await deployAsModeler(http, [['one-task.bpmn', oneTaskBpmn]]).expect(200);
    const instanceId = (await http.post('/engine-rest/process-definition/key/one-task/start').send({}).expect(200)).body.id;
    await http.post('/engine-rest/process-definition/key/one-task/start').send({}).expect(200);
    const [job] = (await http.get('/api/jobs').query({ processInstanceId: instanceId }).expect(200)).body;
    await http.post(`/api/jobs/${job.id}/fail`).send({ retries: 0, errorMessage: 'payment service down' }).expect(200);

    const incidents = await http.get('/engine-rest/incident').expect(200);
    expect(incidents.headers['content-type']).toBe('application/json');
    expect(incidents.body).toEqual([
      {
        id: expect.any(String),
        processDefinitionId: 'one-task:1',
        processInstanceId: instanceId,
        executionId: job.elementInstanceId,
        incidentTimestamp: expect.stringMatching(CAMUNDA_DATE),
        incidentType: 'failedJob',
        activityId: 'work',
        failedActivityId: 'work',
        causeIncidentId: incidents.body[0].id,
        rootCauseIncidentId: incidents.body[0].id,
        configuration: job.id,
        tenantId: null,
        incidentMessage: 'payment service down',
        jobDefinitionId: null,
        annotation: null,
      },
    ]);
    expect((await http.get('/engine-rest/incident').query({ incidentType: 'failedExternalTask' }).expect(200)).body).toEqual([]);
    expect((await http.get('/engine-rest/incident/count').query({ processInstanceId: instanceId, activityId: 'work' }).expect(200)).body).toEqual({ count: 1 });
    expect((await http.get('/engine-rest/process-instance').query({ withIncident: true }).expect(200)).body.map((instance: { id: string }) => instance.id)).toEqual([instanceId]);
    expect((await http.get('/engine-rest/history/process-instance/count').query({ withIncidents: true }).expect(200)).body).toEqual({ count: 1 });
  });

  it('answers a path it does not serve in Camunda\'s error shape, and keeps problem+json for /api', async () => {
    const missing = await http.get('/engine-rest/task').expect(404);
    expect(missing.headers['content-type']).toBe('application/json');
    expect(missing.body).toEqual({ type: 'InvalidRequestException', message: 'Cannot GET /engine-rest/task' });
    const api = await http.get('/api/process-instances/nothing').expect(404);
    expect(api.headers['content-type']).toBe('application/problem+json');
  });
});
