import { readFileSync } from 'node:fs';

import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { deploy, memoryApp } from './testing/e2e.fixture.js';

const example = (file: string) => readFileSync(new URL(`../../../examples/${file}`, import.meta.url), 'utf8');
const expenseBpmn = example('expense-approval.bpmn');
const expenseForm = example('expense-approval.form');

/** A Camunda 7 model whose tasks reference forms by key: a deployed resource, an embedded form, a plain form id. */
const camunda7Bpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="keyed-forms-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="keyed-forms" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="by-resource" />
    <bpmn:userTask id="by-resource" camunda:formKey="camunda-forms:deployment:note.form" />
    <bpmn:sequenceFlow id="f2" sourceRef="by-resource" targetRef="embedded" />
    <bpmn:userTask id="embedded" camunda:formKey="embedded:app:forms/note.html" />
    <bpmn:sequenceFlow id="f3" sourceRef="embedded" targetRef="by-key" />
    <bpmn:userTask id="by-key" camunda:formKey="note-form" />
    <bpmn:sequenceFlow id="f4" sourceRef="by-key" targetRef="no-form" />
    <bpmn:userTask id="no-form" />
    <bpmn:sequenceFlow id="f5" sourceRef="no-form" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;
const noteForm = JSON.stringify({ id: 'note-form', components: [{ type: 'textfield', key: 'note', validate: { required: true, maxLength: 10 } }] });

interface TaskBody {
  readonly id: string;
  readonly state: string;
  readonly elementId: string;
}

describe('user task forms in the standalone server', () => {
  let app: INestApplication;
  beforeEach(async () => {
    app = await memoryApp();
  });
  afterEach(async () => {
    await app.close();
  });

  async function openTask(processInstanceId: string): Promise<TaskBody> {
    const tasks = await request(app.getHttpServer()).get('/api/user-tasks').query({ processInstanceId, state: 'CREATED' }).expect(200);
    const list = (Array.isArray(tasks.body) ? tasks.body : tasks.body.items) as TaskBody[];
    expect(list).toHaveLength(1);
    return list[0];
  }

  async function startExpense(variables: Record<string, unknown>): Promise<{ processInstanceId: string; task: TaskBody }> {
    await deploy(app, ['expense-approval.bpmn', expenseBpmn], ['expense-approval.form', expenseForm]).expect(201);
    const started = await request(app.getHttpServer()).post('/api/process-instances').send({ processId: 'expense-approval', variables }).expect(201);
    return { processInstanceId: started.body.id, task: await openTask(started.body.id) };
  }

  it('serves the form of a task with the current values of its fields', async () => {
    const { task } = await startExpense({ employee: 'Ada', amount: 120.5, unrelated: 'not shown' });
    const form = await request(app.getHttpServer()).get(`/api/user-tasks/${task.id}/form`).expect(200);
    expect(form.body).toEqual({
      userTaskId: task.id,
      formDefinitionId: 'expense-review:1',
      formId: 'expense-review',
      version: 1,
      resourceName: 'expense-approval.form',
      schema: JSON.parse(expenseForm),
      variables: { employee: 'Ada', amount: 120.5 },
    });
  });

  it('refuses a completion that breaks the form, listing each field and rule, and leaves the task open', async () => {
    const { processInstanceId, task } = await startExpense({ employee: 'Ada', amount: 120.5 });
    const http = request(app.getHttpServer());
    const refused = await http
      .post(`/api/user-tasks/${task.id}/complete`)
      .send({ variables: { amount: 9000, category: 'fun', costCenter: 'fi-12', contactEmail: 'ada@', approved: false } })
      .expect(400);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ type: 'urn:trellis:problem:form-validation-failed', status: 400, details: { userTaskId: task.id, formDefinitionId: 'expense-review:1' } });
    expect(refused.body.violations).toEqual([
      { field: 'amount', rule: 'max', message: 'must be at most 5000' },
      { field: 'category', rule: 'options', message: '"fun" is not one of the options "travel", "meals", "equipment"' },
      { field: 'costCenter', rule: 'pattern', message: 'must match the pattern ^[A-Z]{2}-\\d{4}$' },
      { field: 'contactEmail', rule: 'email', message: 'must be an email address' },
      { field: 'spentOn', rule: 'required', message: 'is required' },
      { field: 'rejectionReason', rule: 'required', message: 'is required' },
    ]);
    expect(refused.body.errors).toContainEqual({ field: 'variables.amount', code: 'max', message: 'must be at most 5000' });

    // Nothing was recorded: the task is open, the instance waits, the variables are as they were.
    expect((await http.get(`/api/user-tasks/${task.id}`).expect(200)).body).toMatchObject({ state: 'CREATED' });
    const instance = await http.get(`/api/process-instances/${processInstanceId}`).expect(200);
    expect(instance.body).toMatchObject({ state: 'ACTIVE', variables: { employee: 'Ada', amount: 120.5 } });
    expect(instance.body.variables).not.toHaveProperty('category');
  });

  it('completes with valid variables, counting the values the process already holds, and the process continues', async () => {
    const { processInstanceId, task } = await startExpense({ employee: 'Ada', amount: 120.5 });
    const http = request(app.getHttpServer());
    // amount is required and already set; rejectionReason is hidden (not required) once approved.
    const completed = await http
      .post(`/api/user-tasks/${task.id}/complete`)
      .send({ variables: { category: 'travel', costCenter: 'FI-1200', spentOn: '2026-12-01', approved: true } })
      .expect(200);
    expect(completed.body).toMatchObject({ id: processInstanceId, state: 'COMPLETED', variables: { category: 'travel', approved: true } });
    expect((await http.get(`/api/user-tasks/${task.id}`).expect(200)).body).toMatchObject({ state: 'COMPLETED' });
  });

  it('resolves Camunda 7 form keys: a deployed resource or form id is served and validated, an embedded form is neither', async () => {
    const http = request(app.getHttpServer());
    await deploy(app, ['keyed-forms.bpmn', camunda7Bpmn], ['note.form', noteForm]).expect(201);
    const started = await http.post('/api/process-instances').send({ processId: 'keyed-forms' }).expect(201);
    const processInstanceId = started.body.id as string;

    const byResource = await openTask(processInstanceId);
    expect((await http.get(`/api/user-tasks/${byResource.id}/form`).expect(200)).body).toMatchObject({ formId: 'note-form', variables: {} });
    const refused = await http.post(`/api/user-tasks/${byResource.id}/complete`).send({ variables: { note: 'far too long a note' } }).expect(400);
    expect(refused.body.violations).toEqual([{ field: 'note', rule: 'maxLength', message: 'must be at most 10 characters long' }]);
    await http.post(`/api/user-tasks/${byResource.id}/complete`).send({ variables: { note: 'short' } }).expect(200);

    const embedded = await openTask(processInstanceId);
    expect(embedded.elementId).toBe('embedded');
    const external = await http.get(`/api/user-tasks/${embedded.id}/form`).expect(404);
    expect(external.body).toMatchObject({ status: 404, details: { userTaskId: embedded.id, formKey: 'embedded:app:forms/note.html' } });
    // Not validated: the task list that holds the form validates it.
    await http.post(`/api/user-tasks/${embedded.id}/complete`).send({ variables: { note: '' } }).expect(200);

    const byKey = await openTask(processInstanceId);
    expect(byKey.elementId).toBe('by-key');
    expect((await http.get(`/api/user-tasks/${byKey.id}/form`).expect(200)).body).toMatchObject({ formId: 'note-form' });
    // The process holds the empty note the embedded form's completion set: completing without one breaks `required`.
    const missing = await http.post(`/api/user-tasks/${byKey.id}/complete`).send({}).expect(400);
    expect(missing.body.violations).toEqual([{ field: 'note', rule: 'required', message: 'is required' }]);
    await http.post(`/api/user-tasks/${byKey.id}/complete`).send({ variables: { note: 'done' } }).expect(200);

    const noForm = await openTask(processInstanceId);
    const none = await http.get(`/api/user-tasks/${noForm.id}/form`).expect(404);
    expect(none.body).toMatchObject({ type: 'urn:trellis:problem:not-found', detail: `User task ${noForm.id} has no form`, details: { userTaskId: noForm.id } });
  });

  it('documents the form route and the form in OpenAPI', async () => {
    const document = await request(app.getHttpServer()).get('/docs-json').expect(200);
    const route = document.body.paths['/api/user-tasks/{id}/form'].get;
    expect(route.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/UserTaskFormDto' });
    expect(route.responses['404']).toBeDefined();
    expect(Object.keys(document.body.components.schemas.UserTaskFormDto.properties)).toEqual(
      expect.arrayContaining(['formId', 'version', 'schema', 'variables']),
    );
  });

  it('refuses to deploy a form whose rules cannot be checked, naming the resource and the rule', async () => {
    const broken = JSON.stringify({ id: 'broken', components: [{ type: 'textfield', key: 'code', validate: { pattern: '[A-Z' } }] });
    const refused = await deploy(app, ['broken.form', broken]).expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ resource: 'broken.form', code: 'INVALID_FORM', field: '$.components[0].validate.pattern' })]);
  });

  it('binds a form by version: the latest by default, the one deployed with the process, or the one with a version tag', async () => {
    const http = request(app.getHttpServer());
    const bound = (id: string, binding: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="${id}-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:formDefinition formId="note-form" ${binding} /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;
    await deploy(app, ['pinned.bpmn', bound('pinned', 'bindingType="deployment"')], ['latest.bpmn', bound('latest', '')], ['note.form', noteForm]).expect(201);
    // A second version of the form alone, tagged: its note may be longer. Then a third, untagged.
    const longer = JSON.stringify({ id: 'note-form', versionTag: 'wide', components: [{ type: 'textfield', key: 'note', validate: { required: true, maxLength: 30 } }] });
    await deploy(app, ['note.form', longer], ['tagged.bpmn', bound('tagged', 'bindingType="versionTag" versionTag="wide"')]).expect(201);
    await deploy(app, ['note.form', JSON.stringify({ id: 'note-form', components: [{ type: 'textfield', key: 'note', validate: { maxLength: 40 } }] })]).expect(201);

    const taskOf = async (processId: string) => openTask((await http.post('/api/process-instances').send({ processId }).expect(201)).body.id);
    const pinned = await taskOf('pinned');
    const latest = await taskOf('latest');
    expect((await http.get(`/api/user-tasks/${pinned.id}/form`).expect(200)).body).toMatchObject({ formDefinitionId: 'note-form:1' });
    expect((await http.get(`/api/user-tasks/${latest.id}/form`).expect(200)).body).toMatchObject({ formDefinitionId: 'note-form:3' });
    const tagged = await taskOf('tagged');
    expect((await http.get(`/api/user-tasks/${tagged.id}/form`).expect(200)).body).toMatchObject({ formDefinitionId: 'note-form:2' });
    const note = { variables: { note: 'longer than ten characters' } };
    expect((await http.post(`/api/user-tasks/${pinned.id}/complete`).send(note).expect(400)).body.violations).toMatchObject([{ field: 'note', rule: 'maxLength' }]);
    await http.post(`/api/user-tasks/${latest.id}/complete`).send(note).expect(200);
  });
});
