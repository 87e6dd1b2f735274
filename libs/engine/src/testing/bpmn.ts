import { compile } from '../compiler/compile.js';
import type { ExecutableProcess } from '../model/executable-model.js';

/** Compiles BPMN XML holding one executable process, failing the test with every problem the compiler found. */
export async function compiledProcess(xml: string): Promise<ExecutableProcess> {
  const compiled = await compile(xml);
  if (!compiled.ok) throw new Error(`The model does not compile:\n${compiled.error.map((problem) => `- ${problem.elementId ?? ''}: ${problem.message}`).join('\n')}`);
  const [process] = compiled.value.processes;
  return process;
}

/** A BPMN document with the BPMN, XSI, Camunda 7 and Camunda 8 namespaces declared, around the given content. */
export function definitions(content: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.org/test">
${content}
</bpmn:definitions>`;
}

/** A BPMN document whose executable process `id` holds the given flow elements. */
export function bpmnProcess(content: string, id = 'process'): string {
  return definitions(`  <bpmn:process id="${id}" isExecutable="true">\n${content}\n  </bpmn:process>`);
}
