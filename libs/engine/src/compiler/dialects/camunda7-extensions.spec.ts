import { describe, expect, it } from '@jest/globals';
import { compiledProcess, definitions, lineOf, oneElement, problems } from '../__fixtures__/bpmn-documents.js';

describe('Camunda 7 (camunda:) dialect', () => {
  it('makes an external task a job with its topic and retry cycle', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:serviceTask id="task" camunda:type="external" camunda:topic="invoice-creation">
      <bpmn:extensionElements><camunda:failedJobRetryTimeCycle>R5/PT10M</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>
    </bpmn:serviceTask>`),
    );
    expect(process.elements.task).toMatchObject({
      kind: 'serviceTask',
      job: {
        type: { language: 'static', source: 'invoice-creation' },
        retries: { language: 'static', source: '3' },
        customHeaders: {},
        retryTimeCycle: 'R5/PT10M',
        dialect: 'camunda',
      },
    });
  });

  it('runs send and business rule tasks as external tasks too, with topics that may be expressions', async () => {
    const send = await compiledProcess(oneElement('<bpmn:sendTask id="task" camunda:type="external" camunda:topic="${channel}" />'));
    expect(send.elements.task).toMatchObject({ kind: 'sendTask', job: { type: { language: 'juel', source: '${channel}' }, dialect: 'camunda' } });
    const rule = await compiledProcess(oneElement('<bpmn:businessRuleTask id="task" camunda:type="external" camunda:topic="score" />'));
    expect(rule.elements.task).toMatchObject({ kind: 'businessRuleTask', job: { type: { source: 'score' } } });
  });

  it('asks for the topic of an external task without one', async () => {
    const xml = oneElement('<bpmn:serviceTask id="task" camunda:type="external" />');
    expect(await problems(xml)).toEqual([
      expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'camunda:topic', line: lineOf(xml, 'id="task"') }),
    ]);
  });

  it.each(['camunda:class="org.example.Archive"', 'camunda:delegateExpression="${archive}"', 'camunda:expression="${archive.run()}"'])(
    'refuses a Java delegate (%s) and points to external tasks',
    async (attribute) => {
      const found = await problems(oneElement(`<bpmn:serviceTask id="task" ${attribute} />`));
      expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task', field: attribute.split('=')[0] })]);
      expect(found[0].message).toMatch(/^not supported yet: /);
      expect(found[0].message).toContain('camunda:type="external" camunda:topic');
    },
  );

  it('refuses other camunda:type implementations such as connectors', async () => {
    const found = await problems(oneElement('<bpmn:sendTask id="task" camunda:type="mail" />'));
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task', field: 'camunda:type' })]);
  });

  it('makes a business rule task with camunda:decisionRef a job of the reserved decision type', async () => {
    const process = await compiledProcess(oneElement('<bpmn:businessRuleTask id="task" camunda:decisionRef="approve-invoice" />'));
    expect(process.elements.task).toMatchObject({
      kind: 'businessRuleTask',
      job: { type: { language: 'static', source: 'io.trellis.decision' }, dialect: 'camunda' },
      decision: { decisionId: { source: 'approve-invoice' }, binding: 'latest', mapDecisionResult: 'resultList', dialect: 'camunda' },
    });
  });

  it('reads the assignment, dates, priority and form of a user task, keeping comma lists and expressions as written', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:userTask id="task" camunda:assignee="\${initiator}" camunda:candidateUsers="mary, peter"
      camunda:candidateGroups="accounting,sales" camunda:dueDate="\${dueDate}" camunda:followUpDate="2026-01-01T00:00:00Z"
      camunda:priority="70" camunda:formKey="embedded:app:forms/approve.html" />`),
    );
    expect(process.elements.task).toMatchObject({
      kind: 'userTask',
      assignment: {
        assignee: { language: 'juel', source: '${initiator}' },
        candidateUsers: { language: 'static', source: 'mary, peter' },
        candidateGroups: { language: 'static', source: 'accounting,sales' },
        dueDate: { language: 'juel', source: '${dueDate}' },
        followUpDate: { language: 'static', source: '2026-01-01T00:00:00Z' },
        priority: { language: 'static', source: '70' },
      },
      formKey: 'embedded:app:forms/approve.html',
    });
  });

  it('reads camunda:formRef as the id of a form', async () => {
    const process = await compiledProcess(oneElement('<bpmn:userTask id="task" camunda:formRef="approve-form" />'));
    expect(process.elements.task).toMatchObject({ formId: 'approve-form' });
  });

  it('reads the version binding of a form: deployment, or a version number', async () => {
    const deployment = await compiledProcess(oneElement('<bpmn:userTask id="task" camunda:formRef="approve-form" camunda:formRefBinding="deployment" />'));
    expect(deployment.elements.task).toMatchObject({ formId: 'approve-form', formBinding: { type: 'deployment' } });
    const version = await compiledProcess(oneElement('<bpmn:userTask id="task" camunda:formRef="approve-form" camunda:formRefBinding="version" camunda:formRefVersion="3" />'));
    expect(version.elements.task).toMatchObject({ formBinding: { type: 'version', version: 3 } });
    const latest = await compiledProcess(oneElement('<bpmn:userTask id="task" camunda:formRef="approve-form" />'));
    expect(latest.elements.task).not.toHaveProperty('formBinding');
  });

  it('refuses a form binding it cannot follow', async () => {
    expect(await problems(oneElement('<bpmn:userTask id="task" camunda:formRef="f" camunda:formRefBinding="newest" />'))).toEqual([
      expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'camunda:formRefBinding' }),
    ]);
    expect(await problems(oneElement('<bpmn:userTask id="task" camunda:formRef="f" camunda:formRefBinding="version" />'))).toEqual([
      expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'camunda:formRefVersion' }),
    ]);
    expect(await problems(oneElement('<bpmn:userTask id="task" camunda:formRef="f" camunda:formRefBinding="version" camunda:formRefVersion="${v}" />'))).toEqual([
      expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'camunda:formRefVersion' }),
    ]);
  });

  it('refuses a priority that is neither a number nor an expression', async () => {
    const found = await problems(oneElement('<bpmn:userTask id="task" camunda:priority="high" />'));
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_EXPRESSION', elementId: 'task', field: 'camunda:priority' })]);
  });

  it('maps input and output parameters: text, expressions, empty values, and literal lists and maps as FEEL', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:task id="task">
      <bpmn:extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="greeting">hello</camunda:inputParameter>
          <camunda:inputParameter name="customer">\${order.customer}</camunda:inputParameter>
          <camunda:inputParameter name="nothing" />
          <camunda:inputParameter name="tags"><camunda:list><camunda:value>a</camunda:value><camunda:value>b</camunda:value></camunda:list></camunda:inputParameter>
          <camunda:inputParameter name="address">
            <camunda:map><camunda:entry key="city">Berlin</camunda:entry><camunda:entry key="lines"><camunda:list><camunda:value>Main St 1</camunda:value></camunda:list></camunda:entry></camunda:map>
          </camunda:inputParameter>
          <camunda:outputParameter name="total">\${sum}</camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:task>`),
    );
    expect(process.elements.task.inputMappings).toEqual([
      { target: 'greeting', source: { language: 'static', source: 'hello' } },
      { target: 'customer', source: { language: 'juel', source: '${order.customer}' } },
      { target: 'nothing', source: { language: 'feel', source: 'null' } },
      { target: 'tags', source: { language: 'feel', source: '["a", "b"]' } },
      { target: 'address', source: { language: 'feel', source: '{"city": "Berlin", "lines": ["Main St 1"]}' } },
    ]);
    expect(process.elements.task.outputMappings).toEqual([{ target: 'total', source: { language: 'juel', source: '${sum}' } }]);
  });

  it('refuses scripts and expressions inside variable mappings', async () => {
    const found = await problems(
      oneElement(`<bpmn:task id="task">
      <bpmn:extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="computed"><camunda:script scriptFormat="groovy">1 + 1</camunda:script></camunda:inputParameter>
          <camunda:inputParameter name="mixed"><camunda:list><camunda:value>\${a}</camunda:value></camunda:list></camunda:inputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:task>`),
    );
    expect(found.map((problem) => [problem.code, problem.field])).toEqual([
      ['NOT_SUPPORTED', "camunda:inputParameter 'computed'"],
      ['NOT_SUPPORTED', "camunda:inputParameter 'mixed'"],
    ]);
    expect(found[0].message).toContain('not supported yet: camunda:script');
  });

  it('keeps asyncBefore and asyncAfter (and the old camunda:async)', async () => {
    const process = await compiledProcess(
      oneElement('<bpmn:task id="task" camunda:asyncBefore="true" camunda:asyncAfter="true" />').replace(
        '<bpmn:endEvent id="end" />',
        '<bpmn:endEvent id="end" camunda:async="true" />',
      ),
    );
    expect(process.elements.task).toMatchObject({ asyncBefore: true, asyncAfter: true });
    expect(process.elements.end).toMatchObject({ asyncBefore: true });
    expect(process.elements.start.asyncBefore).toBeUndefined();
  });

  it.each([
    ['camunda:executionListener', '<camunda:executionListener event="start" class="org.example.Audit" />'],
    ['camunda:formData', '<camunda:formData><camunda:formField id="amount" type="long" /></camunda:formData>'],
    ['camunda:connector', '<camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>'],
  ])('refuses %s as not supported yet', async (field, extension) => {
    const found = await problems(oneElement(`<bpmn:userTask id="task"><bpmn:extensionElements>${extension}</bpmn:extensionElements></bpmn:userTask>`));
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task', field })]);
    expect(found[0].message).toMatch(/^not supported yet: /);
  });

  it('refuses execution listeners on sequence flows and processes too', async () => {
    const found = await problems(
      definitions(`  <bpmn:process id="process" isExecutable="true">
    <bpmn:extensionElements><camunda:executionListener event="end" expression="\${done}" /></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="flow" sourceRef="start" targetRef="end">
      <bpmn:extensionElements><camunda:executionListener event="take" expression="\${taken}" /></bpmn:extensionElements>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end" />
  </bpmn:process>`),
    );
    expect(found.map((problem) => [problem.code, problem.elementId])).toEqual([
      ['NOT_SUPPORTED', 'process'],
      ['NOT_SUPPORTED', 'flow'],
    ]);
  });

  it('accepts properties and field injection without a delegate as metadata', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:task id="task"><bpmn:extensionElements>
      <camunda:properties><camunda:property name="owner" value="finance" /></camunda:properties>
    </bpmn:extensionElements></bpmn:task>`),
    );
    expect(process.elements.task.kind).toBe('task');
  });

  it('reads camunda:collection and camunda:elementVariable of a multi-instance, a bare name as that variable', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:userTask id="task" camunda:assignee="\${reviewer}">
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="reviewers" camunda:elementVariable="reviewer">
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">\${nrOfCompletedInstances >= 2}</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>`),
    );
    expect(process.elements.task.multiInstance).toEqual({
      isSequential: false,
      inputCollection: { language: 'juel', source: '${reviewers}' },
      inputElement: 'reviewer',
      completionCondition: { language: 'juel', source: '${nrOfCompletedInstances >= 2}' },
    });
  });

  it('runs a script task whose script is FEEL, with camunda:resultVariable', async () => {
    const process = await compiledProcess(
      oneElement('<bpmn:scriptTask id="task" scriptFormat="feel" camunda:resultVariable="total"><bpmn:script>price * quantity</bpmn:script></bpmn:scriptTask>'),
    );
    expect(process.elements.task).toMatchObject({ kind: 'scriptTask', script: { language: 'feel', source: 'price * quantity' }, resultVariable: 'total' });
  });

  it.each(['groovy', 'javascript', 'python'])('refuses a %s script at deployment with a clear message', async (format) => {
    const found = await problems(oneElement(`<bpmn:scriptTask id="task" scriptFormat="${format}"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>`));
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task', field: 'scriptFormat' })]);
    expect(found[0].message).toContain(`not supported yet: scriptFormat '${format}'`);
    expect(found[0].message).toContain('only FEEL scripts run');
  });

  it('refuses camunda:initiator, which needs an authenticated user', async () => {
    const found = await problems(oneElement('<bpmn:task id="task" />').replace('<bpmn:startEvent id="start" />', '<bpmn:startEvent id="start" camunda:initiator="starter" />'));
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'start', field: 'camunda:initiator' })]);
  });

  it('reads the Activiti namespace as Camunda 7, as Camunda 7 does', async () => {
    const xml = `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn" id="d">
  <bpmn:process id="process" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" activiti:assignee="demo" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="archive" />
    <bpmn:serviceTask id="archive" activiti:class="org.example.Archive" />
  </bpmn:process>
</bpmn:definitions>`;
    const found = await problems(xml);
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'archive', field: 'camunda:class', line: 7 })]);
  });
});
