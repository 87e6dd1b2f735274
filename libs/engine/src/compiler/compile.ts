import type { ExecutableModel, ExecutableProcess } from '../model/executable-model.js';
import type { ModelError } from '../model/model-error.js';
import { err, ok, type Result } from '../result.js';
import { compileProcess } from './compile-process.js';
import { ModelErrorCollector } from './model-error-collector.js';
import { booleanProperty, elementsProperty, idOf, textProperty } from './moddle-element.js';
import { parseBpmn } from './parse-bpmn.js';
import { SourcePositions } from './source-positions.js';
import { feelLanguage } from './validate-flows.js';

export interface CompileOptions {
  /**
   * Which processes to compile: `executable` (the default) compiles those with `isExecutable="true"`, as an engine
   * deploys them; `all` checks descriptive models too, as if every process were executable.
   */
  readonly processes?: 'executable' | 'all';
}

/**
 * Turns BPMN 2.0 XML into the executable model, or reports every problem of the resource at once: the XML, the
 * BPMN structure, both extension dialects (Camunda 7 `camunda:` and Camunda 8 `zeebe:`), expressions, and every
 * element or attribute this version does not execute. Nothing with execution semantics is silently ignored.
 */
export async function compile(xml: string, options: CompileOptions = {}): Promise<Result<ExecutableModel, ModelError[]>> {
  const positions = new SourcePositions(xml);
  const errors = new ModelErrorCollector(positions);
  const parsed = await parseBpmn(xml, positions, errors);
  if (parsed === undefined) return err(errors.list());

  const definitions = parsed.definitions;
  const candidates = elementsProperty(definitions, 'rootElements').filter((root) => root.$type === 'bpmn:Process');
  const selected =
    options.processes === 'all' ? candidates : candidates.filter((process) => booleanProperty(process, 'isExecutable') === true);
  if (selected.length === 0) {
    errors.add({
      code: 'NO_EXECUTABLE_PROCESS',
      message:
        candidates.length === 0
          ? 'the resource has no bpmn:process'
          : `no process is executable: mark the process to run with isExecutable="true" (found ${candidates.map((process) => `'${idOf(process) ?? '?'}'`).join(', ')})`,
      ...(idOf(definitions) === undefined ? {} : { elementId: idOf(definitions) }),
    });
    return err(errors.list());
  }

  const expressionLanguage = textProperty(definitions, 'expressionLanguage');
  const defaults = { feel: expressionLanguage !== undefined && feelLanguage.test(expressionLanguage) };
  const processes: ExecutableProcess[] = [];
  for (const process of selected) {
    const compiled = compileProcess(process, errors, defaults);
    if (compiled !== undefined) processes.push(compiled);
  }
  return errors.count > 0 ? err(errors.list()) : ok({ processes });
}
