import { describe, expect, it } from '@jest/globals';
import { BpmnModdle } from 'bpmn-moddle';
import { compiledProcess, definitions, oneElement, problems } from './__fixtures__/bpmn-documents.js';
import { camundaDescriptor, createBpmnReader, deriveZeebeDescriptor, zeebeDescriptor, zeebeDescriptorForBothDialects } from './moddle-descriptors.js';

// The bench models one-task.bpmn and user-task.bpmn write each task in both dialects; so does this one.
const bothDialects = definitions(`  <bpmn:process id="both" isExecutable="true" camunda:versionTag="1" camunda:modelerTemplate="c7-template" zeebe:modelerTemplate="c8-template">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-work" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="work" camunda:asyncBefore="true" zeebe:modelerTemplateIcon="data:,">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="work" retries="4" />
        <zeebe:taskHeaders><zeebe:header key="region" value="eu" /></zeebe:taskHeaders>
        <camunda:failedJobRetryTimeCycle>R4/PT1M</camunda:failedJobRetryTimeCycle>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to-approve" sourceRef="work" targetRef="approve" />
    <bpmn:userTask id="approve" camunda:candidateGroups="approvers" camunda:dueDate="\${due}">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition candidateGroups="approvers" assignee="=lead" />
        <zeebe:ioMapping><zeebe:input source="=order.id" target="orderId" /></zeebe:ioMapping>
        <camunda:inputOutput><camunda:inputParameter name="note">urgent</camunda:inputParameter></camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

describe('both dialects in one reader', () => {
  it('fails without the derived descriptor: moddle drops the whole process with a warning', async () => {
    const naive = new BpmnModdle({ camunda: camundaDescriptor, zeebe: zeebeDescriptor });
    const result = await naive.fromXML(bothDialects);
    expect(result.warnings.map((warning) => warning.message).join()).toContain('property <modelerTemplate> already defined');
    expect(result.rootElement.get('rootElements')).toEqual([]);
  });

  it('reads a model written in both dialects at once, taking what each one says', async () => {
    const process = await compiledProcess(bothDialects);
    expect(process.elements.work).toMatchObject({
      kind: 'serviceTask',
      asyncBefore: true,
      job: {
        type: { language: 'static', source: 'work' },
        retries: { language: 'static', source: '4' },
        customHeaders: { region: 'eu' },
        retryTimeCycle: 'R4/PT1M',
        dialect: 'zeebe',
      },
    });
    expect(process.elements.approve).toMatchObject({
      assignment: {
        assignee: { language: 'feel', source: 'lead' },
        candidateGroups: { language: 'static', source: 'approvers' },
        dueDate: { language: 'juel', source: '${due}' },
      },
      inputMappings: [
        { target: 'note', source: { language: 'static', source: 'urgent' } },
        { target: 'orderId', source: { language: 'feel', source: 'order.id' } },
      ],
    });
  });

  it('refuses a task whose two dialects disagree', async () => {
    const found = await problems(
      oneElement(`<bpmn:serviceTask id="task" camunda:type="external" camunda:topic="emailService">
      <bpmn:extensionElements><zeebe:taskDefinition type="email" /></bpmn:extensionElements>
    </bpmn:serviceTask>`),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'zeebe:taskDefinition/@type' })]);
    expect(found[0].message).toContain("'email'");
    expect(found[0].message).toContain("'emailService'");
  });

  it('counts =name, ${name} and name as the same variable in the two notations', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:task id="task">
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${items}" camunda:elementVariable="item">
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" /></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:task>`),
    );
    expect(process.elements.task.multiInstance?.inputCollection).toEqual({ language: 'feel', source: 'items' });
  });

  it('resolves every BPMN, Camunda 7 and Camunda 8 type without a clash', () => {
    const reader = createBpmnReader();
    // Types that extend others (traits) are not types of their own: their properties land on the BPMN types.
    const typeNames = [
      ...(reader.getPackage('bpmn')?.types ?? []).map((type) => `bpmn:${type.name}`),
      ...camundaDescriptor.types.filter((type) => type.extends === undefined).map((type) => `camunda:${type.name}`),
      ...zeebeDescriptor.types.filter((type) => type.extends === undefined).map((type) => `zeebe:${type.name}`),
    ];
    expect(typeNames.length).toBeGreaterThan(150);
    for (const name of typeNames) expect(() => reader.getType(name)).not.toThrow();
  });

  it('keeps every type and property of the Camunda 8 descriptor, redefining only the clashing ones', () => {
    const derived = zeebeDescriptorForBothDialects;
    expect(derived.types.map((type) => type.name)).toEqual(zeebeDescriptor.types.map((type) => type.name));
    const redefined = derived.types.flatMap((type) =>
      (type.properties ?? []).filter((property) => property.redefines !== undefined).map((property) => `${type.name}#${property.name}:${property.redefines}`),
    );
    expect(redefined).toEqual([
      'TemplateSupported#zeebe:modelerTemplate:camunda:TemplateSupported#modelerTemplate',
      'TemplateSupported#zeebe:modelerTemplateVersion:camunda:TemplateSupported#modelerTemplateVersion',
    ]);
    for (const [index, type] of derived.types.entries()) {
      expect((type.properties ?? []).map((property) => property.name)).toEqual((zeebeDescriptor.types[index].properties ?? []).map((property) => property.name));
    }
  });

  it('fails loudly on a clash it does not know how to resolve', () => {
    const clashing = {
      ...zeebeDescriptor,
      types: [...zeebeDescriptor.types, { name: 'Odd', extends: ['bpmn:Process', 'bpmn:Task'], properties: [{ name: 'modelerTemplate', type: 'String' }] }],
    };
    expect(() => deriveZeebeDescriptor(camundaDescriptor, clashing)).toThrow(/clashes with camunda:TemplateSupported/);
  });
});
