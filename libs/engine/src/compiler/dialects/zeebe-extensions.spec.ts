import { describe, expect, it } from '@jest/globals';
import { compiledProcess, lineOf, oneElement, problems } from '../__fixtures__/bpmn-documents.js';

describe('Camunda 8 (zeebe:) dialect', () => {
  it('makes a service task a job with its type, retries and headers', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:serviceTask id="task">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="payment" retries="5" />
        <zeebe:taskHeaders><zeebe:header key="currency" value="EUR" /><zeebe:header key="mode" value="test" /></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>`),
    );
    expect(process.elements.task).toMatchObject({
      kind: 'serviceTask',
      job: {
        type: { language: 'static', source: 'payment' },
        retries: { language: 'static', source: '5' },
        customHeaders: { currency: 'EUR', mode: 'test' },
        dialect: 'zeebe',
      },
    });
  });

  it('takes job types and retries as FEEL expressions, with 3 retries by default', async () => {
    const process = await compiledProcess(
      oneElement('<bpmn:sendTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="=&quot;notify-&quot; + channel" /></bpmn:extensionElements></bpmn:sendTask>'),
    );
    expect(process.elements.task).toMatchObject({
      kind: 'sendTask',
      job: { type: { language: 'feel', source: '"notify-" + channel' }, retries: { language: 'static', source: '3' } },
    });
  });

  it('runs a business rule task with a job type as a job', async () => {
    const process = await compiledProcess(
      oneElement('<bpmn:businessRuleTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="rules" /></bpmn:extensionElements></bpmn:businessRuleTask>'),
    );
    expect(process.elements.task).toMatchObject({ kind: 'businessRuleTask', job: { type: { source: 'rules' } } });
  });

  it('makes a business rule task that calls a decision a job of the reserved decision type', async () => {
    const process = await compiledProcess(
      oneElement('<bpmn:businessRuleTask id="task"><bpmn:extensionElements><zeebe:calledDecision decisionId="risk" resultVariable="risk" /></bpmn:extensionElements></bpmn:businessRuleTask>'),
    );
    expect(process.elements.task).toMatchObject({
      kind: 'businessRuleTask',
      job: { type: { language: 'static', source: 'io.trellis.decision' }, dialect: 'zeebe' },
      decision: { decisionId: { language: 'static', source: 'risk' }, resultVariable: 'risk', binding: 'latest', dialect: 'zeebe' },
    });
  });

  it.each(['serviceTask', 'sendTask', 'businessRuleTask'])('asks for the job of a %s without one', async (kind) => {
    const xml = oneElement(`<bpmn:${kind} id="task" />`);
    const found = await problems(xml);
    expect(found).toEqual([
      expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'zeebe:taskDefinition', line: lineOf(xml, 'id="task"') }),
    ]);
    expect(found[0].message).toContain('camunda:topic');
  });

  it('asks for the type of a task definition and refuses retries that are not a number', async () => {
    const found = await problems(
      oneElement('<bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition retries="many" /></bpmn:extensionElements></bpmn:serviceTask>'),
    );
    expect(found.map((problem) => [problem.code, problem.field])).toEqual([
      ['MISSING_ATTRIBUTE', 'zeebe:taskDefinition/@type'],
      ['INVALID_EXPRESSION', 'zeebe:taskDefinition/@retries'],
    ]);
  });

  it('maps inputs and outputs of zeebe:ioMapping', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:serviceTask id="task">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="payment" />
        <zeebe:ioMapping>
          <zeebe:input source="=order.total" target="amount" />
          <zeebe:input source="EUR" target="payment.currency" />
          <zeebe:output source="=transactionId" target="order.transaction" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>`),
    );
    expect(process.elements.task.inputMappings).toEqual([
      { source: { language: 'feel', source: 'order.total' }, target: 'amount' },
      { source: { language: 'static', source: 'EUR' }, target: 'payment.currency' },
    ]);
    expect(process.elements.task.outputMappings).toEqual([{ source: { language: 'feel', source: 'transactionId' }, target: 'order.transaction' }]);
  });

  it('reports a mapping whose expression does not parse or that has no target', async () => {
    const found = await problems(
      oneElement(`<bpmn:task id="task"><bpmn:extensionElements><zeebe:ioMapping>
      <zeebe:input source="=amount &gt;" target="x" />
      <zeebe:output source="=y" />
    </zeebe:ioMapping></bpmn:extensionElements></bpmn:task>`),
    );
    expect(found.map((problem) => [problem.code, problem.field])).toEqual([
      ['INVALID_EXPRESSION', "zeebe:input 'x'"],
      ['MISSING_ATTRIBUTE', 'zeebe:output/@target'],
    ]);
  });

  it('reads the user task: assignment, schedule, priority and form', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:userTask id="task">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition assignee="=initiator" candidateGroups="sales, support" candidateUsers="=[&quot;ann&quot;]" />
        <zeebe:taskSchedule dueDate="=now() + duration(&quot;P1D&quot;)" followUpDate="2026-02-01T10:00:00Z" />
        <zeebe:priorityDefinition priority="80" />
        <zeebe:formDefinition formId="approve-order" />
      </bpmn:extensionElements>
    </bpmn:userTask>`),
    );
    expect(process.elements.task).toEqual(
      expect.objectContaining({
        kind: 'userTask',
        assignment: {
          assignee: { language: 'feel', source: 'initiator' },
          candidateGroups: { language: 'static', source: 'sales, support' },
          candidateUsers: { language: 'feel', source: '["ann"]' },
          dueDate: { language: 'feel', source: 'now() + duration("P1D")' },
          followUpDate: { language: 'static', source: '2026-02-01T10:00:00Z' },
          priority: { language: 'static', source: '80' },
        },
        formId: 'approve-order',
      }),
    );
  });

  it('reads the binding of a form: deployment, or the version with a versionTag', async () => {
    const form = (attributes: string) => oneElement(`<bpmn:userTask id="task"><bpmn:extensionElements><zeebe:formDefinition formId="approve" ${attributes} /></bpmn:extensionElements></bpmn:userTask>`);
    expect((await compiledProcess(form('bindingType="deployment"'))).elements.task).toMatchObject({ formId: 'approve', formBinding: { type: 'deployment' } });
    expect((await compiledProcess(form('bindingType="versionTag" versionTag="v2"'))).elements.task).toMatchObject({ formBinding: { type: 'versionTag', versionTag: 'v2' } });
    expect((await compiledProcess(form('bindingType="latest"'))).elements.task).not.toHaveProperty('formBinding');
    expect(await problems(form('bindingType="newest"'))).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'zeebe:formDefinition/@bindingType' })]);
    expect(await problems(form('bindingType="versionTag"'))).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'zeebe:formDefinition/@versionTag' })]);
  });

  it('reads a form by key or by external reference', async () => {
    const byKey = await compiledProcess(
      oneElement('<bpmn:userTask id="task"><bpmn:extensionElements><zeebe:formDefinition formKey="camunda-forms:bpmn:form-1" /></bpmn:extensionElements></bpmn:userTask>'),
    );
    expect(byKey.elements.task).toMatchObject({ formKey: 'camunda-forms:bpmn:form-1' });
    const external = await compiledProcess(
      oneElement('<bpmn:userTask id="task"><bpmn:extensionElements><zeebe:formDefinition externalReference="https://forms.example.org/approve" /></bpmn:extensionElements></bpmn:userTask>'),
    );
    expect(external.elements.task).toMatchObject({ formKey: 'https://forms.example.org/approve' });
  });

  it('runs a script task with a FEEL zeebe:script and its result variable', async () => {
    const process = await compiledProcess(
      oneElement('<bpmn:scriptTask id="task"><bpmn:extensionElements><zeebe:script expression="=sum(prices)" resultVariable="total" /></bpmn:extensionElements></bpmn:scriptTask>'),
    );
    expect(process.elements.task).toMatchObject({ kind: 'scriptTask', script: { language: 'feel', source: 'sum(prices)' }, resultVariable: 'total' });
  });

  it('refuses a script that is not FEEL, that does not parse, or that is missing', async () => {
    const notFeel = await problems(
      oneElement('<bpmn:scriptTask id="task"><bpmn:extensionElements><zeebe:script expression="sum(prices)" resultVariable="t" /></bpmn:extensionElements></bpmn:scriptTask>'),
    );
    expect(notFeel).toEqual([expect.objectContaining({ code: 'INVALID_EXPRESSION', field: 'zeebe:script/@expression' })]);
    const broken = await problems(
      oneElement('<bpmn:scriptTask id="task"><bpmn:extensionElements><zeebe:script expression="=sum(" resultVariable="t" /></bpmn:extensionElements></bpmn:scriptTask>'),
    );
    expect(broken).toEqual([expect.objectContaining({ code: 'INVALID_EXPRESSION', field: 'zeebe:script/@expression' })]);
    const missing = await problems(oneElement('<bpmn:scriptTask id="task" />'));
    expect(missing).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'zeebe:script' })]);
  });

  it('refuses a script task run by a job worker', async () => {
    const found = await problems(
      oneElement('<bpmn:scriptTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="script" /></bpmn:extensionElements></bpmn:scriptTask>'),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task', field: 'zeebe:taskDefinition' })]);
  });

  it('reads the collections of a multi-instance from zeebe:loopCharacteristics', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:subProcess id="task">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=result" />
        </bpmn:extensionElements>
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=count(results) &gt;= 3</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="inner" />
    </bpmn:subProcess>`),
    );
    expect(process.elements.task.multiInstance).toEqual({
      isSequential: true,
      inputCollection: { language: 'feel', source: 'items' },
      inputElement: 'item',
      outputCollection: 'results',
      outputElement: { language: 'feel', source: 'result' },
      completionCondition: { language: 'feel', source: 'count(results) >= 3' },
    });
  });

  it.each([
    ['zeebe:executionListeners', '<zeebe:executionListeners><zeebe:executionListener eventType="start" type="audit" /></zeebe:executionListeners>'],
  ])('refuses %s as not supported yet', async (field, extension) => {
    const found = await problems(oneElement(`<bpmn:userTask id="task"><bpmn:extensionElements>${extension}</bpmn:extensionElements></bpmn:userTask>`));
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task', field })]);
  });

  it('accepts zeebe:properties as metadata', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:task id="task"><bpmn:extensionElements>
      <zeebe:properties><zeebe:property name="team" value="billing" /></zeebe:properties>
    </bpmn:extensionElements></bpmn:task>`),
    );
    expect(process.elements.task.kind).toBe('task');
  });

  it('refuses a dialect extension that means nothing where it is written', async () => {
    const found = await problems(
      oneElement('<bpmn:userTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:userTask>'),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'zeebe:taskDefinition' })]);
  });

  it('ignores extension elements of other vendors, which have no execution semantics here', async () => {
    const xml = oneElement(`<bpmn:task id="task"><bpmn:extensionElements>
      <signavio:signavioMetaData xmlns:signavio="http://www.signavio.com" metaKey="bgcolor" metaValue="#ffffcc" />
    </bpmn:extensionElements></bpmn:task>`);
    expect((await compiledProcess(xml)).elements.task.kind).toBe('task');
  });
});
