import { describe, expect, it } from '@jest/globals';
import { compiled, compiledProcess, definitions, executableProcess, lineOf, oneElement, problems } from './__fixtures__/bpmn-documents.js';

describe('compile: the executable model', () => {
  it('lists every flow node and sequence flow of the process with its kind, name and links', async () => {
    const process = await compiledProcess(
      definitions(`  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:startEvent id="received" name="Order received" />
    <bpmn:sequenceFlow id="to-check" sourceRef="received" targetRef="check" />
    <bpmn:task id="check" name="Check order" />
    <bpmn:sequenceFlow id="to-done" name="checked" sourceRef="check" targetRef="done" />
    <bpmn:manualTask id="done" name="Pack" />
    <bpmn:sequenceFlow id="to-end" sourceRef="done" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`),
    );
    expect(process.id).toBe('order');
    expect(process.name).toBe('Order');
    expect(process.startEventIds).toEqual(['received']);
    expect(Object.keys(process.elements)).toEqual(['received', 'check', 'done', 'end']);
    expect(process.elements.check).toEqual({
      id: 'check',
      name: 'Check order',
      kind: 'task',
      parentId: 'order',
      incoming: ['to-check'],
      outgoing: ['to-done'],
      inputMappings: [],
      outputMappings: [],
    });
    expect(process.elements.done.kind).toBe('manualTask');
    expect(process.elements.end).toMatchObject({ kind: 'endEvent', eventDefinition: 'none', incoming: ['to-end'], outgoing: [] });
    expect(process.flows['to-done']).toEqual({ id: 'to-done', name: 'checked', sourceId: 'check', targetId: 'done' });
  });

  it('orders incoming and outgoing flows as the sequence flows appear in the document', async () => {
    const process = await compiledProcess(
      executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-fork" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork">
      <bpmn:outgoing>c</bpmn:outgoing>
      <bpmn:outgoing>a</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:sequenceFlow id="b" sourceRef="fork" targetRef="join" />
    <bpmn:sequenceFlow id="a" sourceRef="fork" targetRef="join" />
    <bpmn:sequenceFlow id="c" sourceRef="fork" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="to-end" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    expect(process.elements.fork.outgoing).toEqual(['b', 'a', 'c']);
    expect(process.elements.join.incoming).toEqual(['b', 'a', 'c']);
  });

  it('keeps conditions and default flows of gateways and of activities', async () => {
    const process = await compiledProcess(
      executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-check" sourceRef="start" targetRef="check" />
    <bpmn:task id="check" default="normal" />
    <bpmn:sequenceFlow id="urgent" sourceRef="check" targetRef="route">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${priority == 'high'}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="normal" sourceRef="check" targetRef="route" />
    <bpmn:exclusiveGateway id="route" default="small" />
    <bpmn:sequenceFlow id="large" sourceRef="route" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="route" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    expect(process.flows.urgent.condition).toEqual({ language: 'juel', source: "${priority == 'high'}" });
    expect(process.flows.large.condition).toEqual({ language: 'feel', source: 'amount > 100' });
    expect(process.flows.small.condition).toBeUndefined();
    expect(process.elements.route).toMatchObject({ kind: 'exclusiveGateway', defaultFlowId: 'small' });
    expect(process.elements.check).toMatchObject({ kind: 'task', defaultFlowId: 'normal' });
  });

  it('reads a condition whose language is FEEL without the leading =', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:exclusiveGateway id="task" />
    <bpmn:sequenceFlow id="other" sourceRef="task" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="feel">amount &lt; 10</bpmn:conditionExpression>
    </bpmn:sequenceFlow>`),
    );
    expect(process.flows.other.condition).toEqual({ language: 'feel', source: 'amount < 10' });
  });

  it('compiles terminate end events and parallel and inclusive gateways', async () => {
    const process = await compiledProcess(
      executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:inclusiveGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="stop" />
    <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition /></bpmn:endEvent>`),
    );
    expect(process.elements.stop).toMatchObject({ kind: 'endEvent', eventDefinition: 'terminate' });
    expect(process.elements.split.kind).toBe('inclusiveGateway');
  });

  it('compiles an embedded sub-process with its own start event, children and flows', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:subProcess id="task" name="Handle">
      <bpmn:startEvent id="inner-start" />
      <bpmn:sequenceFlow id="inner-flow" sourceRef="inner-start" targetRef="inner-work" />
      <bpmn:task id="inner-work" />
      <bpmn:sequenceFlow id="inner-done" sourceRef="inner-work" targetRef="inner-end" />
      <bpmn:endEvent id="inner-end" />
    </bpmn:subProcess>`),
    );
    expect(process.elements.task).toMatchObject({
      kind: 'subProcess',
      parentId: 'process',
      startEventId: 'inner-start',
      childIds: ['inner-start', 'inner-work', 'inner-end'],
      incoming: ['to-task'],
      outgoing: ['to-end'],
    });
    expect(process.elements['inner-work']).toMatchObject({ parentId: 'task', incoming: ['inner-flow'], outgoing: ['inner-done'] });
    expect(process.flows['inner-flow']).toMatchObject({ sourceId: 'inner-start', targetId: 'inner-work' });
    expect(process.startEventIds).toEqual(['start']);
  });

  it('compiles each executable process of a collaboration and leaves the others out', async () => {
    const model = await compiled(
      definitions(`  <bpmn:collaboration id="collaboration">
    <bpmn:participant id="customer" processRef="ordering" />
    <bpmn:participant id="shop" processRef="selling" />
    <bpmn:participant id="bank" processRef="paying" />
    <bpmn:messageFlow id="order-message" sourceRef="customer" targetRef="shop" />
  </bpmn:collaboration>
  <bpmn:process id="ordering" isExecutable="true"><bpmn:startEvent id="s1" /></bpmn:process>
  <bpmn:process id="selling" isExecutable="true"><bpmn:startEvent id="s2" /></bpmn:process>
  <bpmn:process id="paying" isExecutable="false"><bpmn:intermediateCatchEvent id="c3" /></bpmn:process>`),
    );
    expect(model.processes.map((process) => process.id)).toEqual(['ordering', 'selling']);
  });

  it('skips what has no execution semantics: lanes, artifacts, data objects, data associations, diagrams', async () => {
    const process = await compiledProcess(
      executableProcess(`    <bpmn:laneSet id="lanes"><bpmn:lane id="lane" name="Clerk"><bpmn:flowNodeRef>work</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:dataObject id="invoice-data" />
    <bpmn:dataObjectReference id="invoice" dataObjectRef="invoice-data" />
    <bpmn:dataStoreReference id="archive" />
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:task id="work">
      <bpmn:documentation>Do it well</bpmn:documentation>
      <bpmn:dataOutputAssociation id="writes"><bpmn:targetRef>invoice</bpmn:targetRef></bpmn:dataOutputAssociation>
    </bpmn:task>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:textAnnotation id="note"><bpmn:text>Checked daily</bpmn:text></bpmn:textAnnotation>
    <bpmn:association id="note-link" sourceRef="work" targetRef="note" />
    <bpmn:group id="group" />`),
    );
    expect(Object.keys(process.elements)).toEqual(['start', 'work', 'end']);
    expect(Object.keys(process.flows)).toEqual(['f1', 'f2']);
  });

  it('produces plain data that survives JSON serialisation', async () => {
    const model = await compiled(
      oneElement(`<bpmn:userTask id="task" camunda:assignee="\${owner}">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>`),
    );
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('lists every none start event of the process level', async () => {
    const process = await compiledProcess(
      executableProcess(`    <bpmn:startEvent id="web" />
    <bpmn:startEvent id="phone" />
    <bpmn:sequenceFlow id="f1" sourceRef="web" targetRef="end" />
    <bpmn:sequenceFlow id="f2" sourceRef="phone" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    expect(process.startEventIds).toEqual(['web', 'phone']);
  });
});

describe('compile: problems, all reported at once with element, line and column', () => {
  it('reports XML that is not well-formed with its line and column', async () => {
    const xml = executableProcess(`    <bpmn:startEvent id="start">
    <bpmn:endEvent id="end" />`);
    const [problem, ...others] = await problems(xml);
    expect(others).toEqual([]);
    expect(problem).toMatchObject({ code: 'NOT_WELL_FORMED', line: lineOf(xml, '</bpmn:process>'), column: 3 });
    expect(problem.message).toContain('closing tag mismatch');
  });

  it.each([
    ['a truncated document', '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n<bpmn:process id="p">'],
    ['an attribute without quotes', '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id=d></bpmn:definitions>'],
    ['text that is not XML', 'process: order'],
    ['an empty resource', ''],
  ])('reports %s as not well-formed', async (_, xml) => {
    const found = await problems(xml);
    expect(found).toHaveLength(1);
    expect(found[0].code).toBe('NOT_WELL_FORMED');
    expect(found[0].line).toBeGreaterThanOrEqual(1);
  });

  it('refuses a document whose root is not bpmn:definitions', async () => {
    const found = await problems('<dmn:definitions xmlns:dmn="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" />');
    expect(found.map((problem) => problem.code)).toContain('PARSE_WARNING');
    expect(found.some((problem) => problem.message.includes('bpmn:definitions'))).toBe(true);
  });

  it('treats content moddle skips with a warning as an error, with the element and its line', async () => {
    const xml = oneElement('<bpmn:taks id="task" />');
    const found = await problems(xml);
    expect(found).toContainEqual(
      expect.objectContaining({ code: 'PARSE_WARNING', elementId: 'task', line: lineOf(xml, '<bpmn:taks'), column: 5 }),
    );
  });

  it('reports a resource without an executable process', async () => {
    const found = await problems(definitions('  <bpmn:process id="draft" isExecutable="false"><bpmn:startEvent id="s" /></bpmn:process>'));
    expect(found).toEqual([expect.objectContaining({ code: 'NO_EXECUTABLE_PROCESS', elementId: 'definitions' })]);
    expect(found[0].message).toContain('isExecutable="true"');
    const none = await problems(definitions(''));
    expect(none).toEqual([expect.objectContaining({ code: 'NO_EXECUTABLE_PROCESS' })]);
  });

  it('reports a process without a none start event', async () => {
    const xml = executableProcess('    <bpmn:task id="work" />');
    expect(await problems(xml)).toEqual([
      expect.objectContaining({ code: 'NO_START_EVENT', elementId: 'process', line: lineOf(xml, '<bpmn:process'), column: 3 }),
    ]);
  });

  it('reports a sequence flow whose target or source names no element', async () => {
    const xml = executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="lost" sourceRef="start" targetRef="nowhere" />
    <bpmn:sequenceFlow id="orphan" sourceRef="nobody" targetRef="end" />
    <bpmn:sequenceFlow id="loose" targetRef="end" />
    <bpmn:endEvent id="end" />`);
    const found = await problems(xml);
    expect(found).toContainEqual(
      expect.objectContaining({ code: 'MISSING_FLOW_TARGET', elementId: 'lost', field: 'targetRef', line: lineOf(xml, 'id="lost"') }),
    );
    expect(found).toContainEqual(expect.objectContaining({ code: 'MISSING_FLOW_SOURCE', elementId: 'orphan', field: 'sourceRef' }));
    expect(found).toContainEqual(expect.objectContaining({ code: 'MISSING_FLOW_SOURCE', elementId: 'loose', field: 'sourceRef' }));
    expect(found.find((problem) => problem.elementId === 'lost')?.message).toContain('nowhere');
    expect(found).toHaveLength(3);
  });

  it('reports a sequence flow that leaves its sub-process or ends at something that is not a flow node', async () => {
    const found = await problems(
      executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="into" sourceRef="start" targetRef="inner-end" />
    <bpmn:sequenceFlow id="to-data" sourceRef="start" targetRef="data" />
    <bpmn:dataObject id="data" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="inner-start" />
      <bpmn:sequenceFlow id="inner" sourceRef="inner-start" targetRef="inner-end" />
      <bpmn:endEvent id="inner-end" />
    </bpmn:subProcess>`),
    );
    expect(found).toContainEqual(expect.objectContaining({ code: 'MISSING_FLOW_TARGET', elementId: 'into' }));
    expect(found).toContainEqual(expect.objectContaining({ code: 'MISSING_FLOW_TARGET', elementId: 'to-data' }));
  });

  it('reports duplicate ids at the line of the second one', async () => {
    const xml = executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="work" />
    <bpmn:task id="work" />
    <bpmn:task id="work" name="again" />`);
    const found = await problems(xml);
    expect(found).toContainEqual(
      expect.objectContaining({ code: 'DUPLICATE_ID', elementId: 'work', line: lineOf(xml, 'name="again"'), column: 5 }),
    );
  });

  it('reports a gateway with no outgoing sequence flow', async () => {
    const xml = executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="choice" />
    <bpmn:exclusiveGateway id="choice" />`);
    expect(await problems(xml)).toEqual([
      expect.objectContaining({ code: 'GATEWAY_WITHOUT_OUTGOING', elementId: 'choice', line: lineOf(xml, 'id="choice"') }),
    ]);
  });

  it('reports a condition that does not parse, naming the flow and the field', async () => {
    const xml = oneElement(`<bpmn:exclusiveGateway id="task" />
    <bpmn:sequenceFlow id="broken" sourceRef="task" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt;</bpmn:conditionExpression>
    </bpmn:sequenceFlow>`);
    expect(await problems(xml)).toEqual([
      expect.objectContaining({
        code: 'INVALID_EXPRESSION',
        elementId: 'broken',
        field: 'conditionExpression',
        line: lineOf(xml, 'id="broken"'),
      }),
    ]);
  });

  it('refuses a condition that is plain text, since text is neither true nor false', async () => {
    const found = await problems(
      oneElement(`<bpmn:exclusiveGateway id="task" />
    <bpmn:sequenceFlow id="text" sourceRef="task" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">amount &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>`),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_EXPRESSION', elementId: 'text', field: 'conditionExpression' })]);
    expect(found[0].message).toContain('=expression');
  });

  it('refuses conditions written in a script language', async () => {
    const found = await problems(
      oneElement(`<bpmn:exclusiveGateway id="task" />
    <bpmn:sequenceFlow id="scripted" sourceRef="task" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="groovy">amount &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>`),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'scripted', field: 'conditionExpression' })]);
  });

  it('refuses a condition that would never be evaluated', async () => {
    const found = await problems(
      oneElement(`<bpmn:parallelGateway id="task" />
    <bpmn:sequenceFlow id="ignored" sourceRef="task" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>`),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'ignored', field: 'conditionExpression' })]);
  });

  it('refuses a default flow that does not leave the element', async () => {
    const found = await problems(
      executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="in" sourceRef="start" targetRef="choice" />
    <bpmn:exclusiveGateway id="choice" default="in" />
    <bpmn:sequenceFlow id="out" sourceRef="choice" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'choice', field: 'default' })]);
  });

  it('refuses a reference to an element that does not exist', async () => {
    const found = await problems(
      oneElement(`<bpmn:exclusiveGateway id="task" default="missing" />`),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'default' })]);
  });

  it.each([
    [
      'a parallel event-based gateway',
      '<bpmn:eventBasedGateway id="task" eventGatewayType="Parallel" />',
      'not supported yet: parallel event-based gateways',
    ],
  ])('refuses %s as not supported yet', async (_, element, message) => {
    const xml = oneElement(element);
    const found = await problems(xml);
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task', line: lineOf(xml, 'id="task"') })]);
    expect(found[0].message).toContain(message);
  });

  it.each([
    ['error', '<bpmn:errorEventDefinition />'],
    ['escalation', '<bpmn:escalationEventDefinition />'],
  ])('refuses a %s start event of a process: only event sub-processes start at one', async (kind, definition) => {
    const found = await problems(
      executableProcess(`    <bpmn:startEvent id="start">${definition}</bpmn:startEvent>
    <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    expect(found).toEqual([
      expect.objectContaining({
        code: 'INVALID_ATTRIBUTE',
        elementId: 'start',
        field: 'eventDefinitions',
        message: `${kind} start event 'start' is in process 'process': ${kind} start events start event sub-processes (triggeredByEvent="true") only`,
      }),
    ]);
  });

  it('compiles a compensation end event, and refuses a cancel end event outside a transaction', async () => {
    const withEnd = (definition: string) => oneElement(`<bpmn:task id="task" />`).replace('<bpmn:endEvent id="end" />', `<bpmn:endEvent id="end">${definition}</bpmn:endEvent>`);
    expect((await compiledProcess(withEnd('<bpmn:compensateEventDefinition />'))).elements['end']).toEqual(
      expect.objectContaining({ kind: 'endEvent', eventDefinition: 'compensation', compensation: {} }),
    );
    expect(await problems(withEnd('<bpmn:cancelEventDefinition />'))).toEqual([
      expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'end', field: 'eventDefinitions' }),
    ]);
  });

  it('reads waitForCompletion="false" on compensation throw and end events: they do not wait for the handlers', async () => {
    const xml = oneElement(`<bpmn:intermediateThrowEvent id="task"><bpmn:compensateEventDefinition waitForCompletion="false" /></bpmn:intermediateThrowEvent>`).replace(
      '<bpmn:endEvent id="end" />',
      '<bpmn:endEvent id="end"><bpmn:compensateEventDefinition waitForCompletion="false" /></bpmn:endEvent>',
    );
    const compiled = await compiledProcess(xml);
    expect(compiled.elements['task']).toEqual(expect.objectContaining({ kind: 'intermediateThrowEvent', compensation: { waitForCompletion: false } }));
    expect(compiled.elements['end']).toEqual(expect.objectContaining({ kind: 'endEvent', compensation: { waitForCompletion: false } }));
    // The default (and an explicit "true") waits.
    expect((await compiledProcess(oneElement(`<bpmn:intermediateThrowEvent id="task"><bpmn:compensateEventDefinition waitForCompletion="true" /></bpmn:intermediateThrowEvent>`))).elements['task']).toEqual(
      expect.objectContaining({ compensation: {} }),
    );
  });

  it('refuses a compensation boundary event associated with no handler', async () => {
    const found = await problems(
      oneElement(`<bpmn:task id="task" />
    <bpmn:boundaryEvent id="undo" attachedToRef="task"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>`),
    );
    expect(found).toEqual([
      expect.objectContaining({
        code: 'MISSING_ATTRIBUTE',
        elementId: 'undo',
        field: 'association',
        message: `compensation boundary event 'undo' is associated with no compensation handler: associate it with an activity isForCompensation="true"`,
      }),
    ]);
  });

  it('refuses compensation handlers entered by a flow, multiple tokens and human performers', async () => {
    const found = await problems(
      oneElement(`<bpmn:userTask id="task" isForCompensation="true" startQuantity="2">
      <bpmn:potentialOwner><bpmn:resourceAssignmentExpression><bpmn:formalExpression>user(kermit)</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:potentialOwner>
    </bpmn:userTask>`),
    );
    expect(found.map((problem) => [problem.code, problem.elementId, problem.field])).toEqual([
      ['NOT_SUPPORTED', 'task', 'startQuantity'],
      ['NOT_SUPPORTED', 'task', 'bpmn:potentialOwner'],
      ['INVALID_ATTRIBUTE', 'task', 'incoming'],
      ['INVALID_ATTRIBUTE', 'task', 'outgoing'],
      ['INVALID_ATTRIBUTE', 'task', 'isForCompensation'],
    ]);
  });

  it('reports a sub-process without exactly one none start event', async () => {
    const empty = await problems(oneElement('<bpmn:subProcess id="task"><bpmn:task id="inner" /></bpmn:subProcess>'));
    expect(empty).toEqual([expect.objectContaining({ code: 'NO_START_EVENT', elementId: 'task' })]);
    const twice = await problems(
      oneElement('<bpmn:subProcess id="task"><bpmn:startEvent id="a" /><bpmn:startEvent id="b" /></bpmn:subProcess>'),
    );
    expect(twice).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task' })]);
  });

  it('refuses flows into a start event or out of an end event', async () => {
    const found = await problems(
      executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="back" sourceRef="end" targetRef="start" />`),
    );
    expect(found.map((problem) => [problem.elementId, problem.field])).toEqual([
      ['start', 'incoming'],
      ['end', 'outgoing'],
    ]);
  });

  it('refuses attributes of a dialect namespace that the dialect does not define', async () => {
    const found = await problems(oneElement('<bpmn:userTask id="task" camunda:asignee="demo" />'));
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'camunda:asignee' })]);
  });

  it('reports every problem of a model in one answer', async () => {
    const found = await problems(
      executableProcess(`    <bpmn:task id="lonely" />
    <bpmn:eventBasedGateway id="complex" eventGatewayType="Parallel" />
    <bpmn:sequenceFlow id="dangling" sourceRef="lonely" targetRef="ghost" />
    <bpmn:inclusiveGateway id="stuck" />
    <bpmn:sequenceFlow id="to-stuck" sourceRef="lonely" targetRef="stuck">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=(</bpmn:conditionExpression>
    </bpmn:sequenceFlow>`),
    );
    expect(found.map((problem) => `${problem.code} ${problem.elementId}`).sort()).toEqual(
      [
        'MISSING_FLOW_TARGET dangling',
        'NOT_SUPPORTED complex',
        'INVALID_EXPRESSION to-stuck',
        'GATEWAY_WITHOUT_OUTGOING stuck',
        'NO_START_EVENT process',
      ].sort(),
    );
    for (const problem of found) {
      expect(problem.line).toBeGreaterThan(0);
      expect(problem.column).toBeGreaterThan(0);
    }
  });
});
