import { expect } from '@jest/globals';
import type { ExecutableModel, ExecutableProcess } from '../../model/executable-model.js';
import type { ModelError } from '../../model/model-error.js';
import { compile } from '../compile.js';

export { definitions, bpmnProcess as executableProcess } from '../../testing/bpmn.js';
import { bpmnProcess as executableProcess } from '../../testing/bpmn.js';

/** An executable process with `start -> <task element> -> end` around one element with id `task`. */
export function oneElement(element: string): string {
  return executableProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-task" sourceRef="start" targetRef="task" />
    ${element}
    <bpmn:sequenceFlow id="to-end" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />`);
}

export async function compiled(xml: string): Promise<ExecutableModel> {
  const result = await compile(xml);
  if (!result.ok) throw new Error(`expected the model to compile, got:\n${JSON.stringify(result.error, null, 2)}`);
  return result.value;
}

export async function compiledProcess(xml: string): Promise<ExecutableProcess> {
  const model = await compiled(xml);
  expect(model.processes).toHaveLength(1);
  return model.processes[0];
}

export async function problems(xml: string): Promise<ModelError[]> {
  const result = await compile(xml);
  if (result.ok) throw new Error('expected the model to be refused, but it compiled');
  return result.error;
}

/** Line (1-based) of the first line of `xml` containing `text`. */
export function lineOf(xml: string, text: string): number {
  const index = xml.indexOf(text);
  if (index === -1) throw new Error(`'${text}' is not in the document`);
  return xml.slice(0, index).split('\n').length;
}
