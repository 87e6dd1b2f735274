import { describe, expect, it } from '@jest/globals';
import { compiledProcess, oneElement, problems } from './__fixtures__/bpmn-documents.js';

describe('loop characteristics', () => {
  it('reads a parallel multi-instance with a cardinality and a completion condition', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:task id="task">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">3</bpmn:loopCardinality>
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=nrOfCompletedInstances = 2</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:task>`),
    );
    expect(process.elements.task.multiInstance).toEqual({
      isSequential: false,
      loopCardinality: { language: 'static', source: '3' },
      completionCondition: { language: 'feel', source: 'nrOfCompletedInstances = 2' },
    });
    expect(process.elements.task.standardLoop).toBeUndefined();
  });

  it('reads a sequential multi-instance whose cardinality is an expression', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:task id="task">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>\${count}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:task>`),
    );
    expect(process.elements.task.multiInstance).toEqual({ isSequential: true, loopCardinality: { language: 'juel', source: '${count}' } });
  });

  it('asks for a cardinality or a collection, and refuses both at once', async () => {
    const neither = await problems(oneElement('<bpmn:task id="task"><bpmn:multiInstanceLoopCharacteristics /></bpmn:task>'));
    expect(neither).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'loopCardinality' })]);
    const both = await problems(
      oneElement(`<bpmn:task id="task"><bpmn:multiInstanceLoopCharacteristics camunda:collection="items">
      <bpmn:loopCardinality>2</bpmn:loopCardinality>
    </bpmn:multiInstanceLoopCharacteristics></bpmn:task>`),
    );
    expect(both).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'loopCardinality' })]);
  });

  it('refuses a cardinality that is not a whole number and a completion condition that is not an expression', async () => {
    const found = await problems(
      oneElement(`<bpmn:task id="task"><bpmn:multiInstanceLoopCharacteristics>
      <bpmn:loopCardinality>three</bpmn:loopCardinality>
      <bpmn:completionCondition>done</bpmn:completionCondition>
    </bpmn:multiInstanceLoopCharacteristics></bpmn:task>`),
    );
    expect(found.map((problem) => [problem.code, problem.field])).toEqual([
      ['INVALID_EXPRESSION', 'loopCardinality'],
      ['INVALID_EXPRESSION', 'completionCondition'],
    ]);
  });

  it('needs the output element with the output collection', async () => {
    const found = await problems(
      oneElement(`<bpmn:task id="task"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
      <zeebe:loopCharacteristics inputCollection="=items" outputCollection="results" />
    </bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`),
    );
    expect(found).toEqual([
      expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'zeebe:loopCharacteristics/@outputElement' }),
    ]);
  });

  it('refuses the data inputs and outputs of BPMN multi-instance, pointing to the dialects', async () => {
    const found = await problems(
      oneElement(`<bpmn:task id="task"><bpmn:multiInstanceLoopCharacteristics>
      <bpmn:loopCardinality>2</bpmn:loopCardinality>
      <bpmn:inputDataItem id="item" />
    </bpmn:multiInstanceLoopCharacteristics></bpmn:task>`),
    );
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'task', field: 'inputDataItem' })]);
    expect(found[0].message).toContain('zeebe:loopCharacteristics');
  });

  it('reads a standard loop: condition, test before, maximum', async () => {
    const process = await compiledProcess(
      oneElement(`<bpmn:task id="task">
      <bpmn:standardLoopCharacteristics testBefore="true" loopMaximum="5">
        <bpmn:loopCondition xsi:type="bpmn:tFormalExpression">=attempts &lt; 3</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>
    </bpmn:task>`),
    );
    expect(process.elements.task.standardLoop).toEqual({
      testBefore: true,
      loopMaximum: 5,
      loopCondition: { language: 'feel', source: 'attempts < 3' },
    });
    const doWhile = await compiledProcess(
      oneElement('<bpmn:task id="task"><bpmn:standardLoopCharacteristics loopMaximum="2" /></bpmn:task>'),
    );
    expect(doWhile.elements.task.standardLoop).toEqual({ testBefore: false, loopMaximum: 2 });
  });

  it('refuses a standard loop that could never end', async () => {
    const found = await problems(oneElement('<bpmn:task id="task"><bpmn:standardLoopCharacteristics /></bpmn:task>'));
    expect(found).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'loopCondition' })]);
  });
});
