import { Injectable } from '@nestjs/common';
import { DefinitionRegistry, type FormDefinition } from '@trellis/deployment';
import type { FormBinding, JsonObject } from '@trellis/engine';
import { type FormSchema, type FormViolation, formValues, parseFormSchema, validateFormSubmission } from '@trellis/forms';
import { ProblemError, type ProblemDetails } from '@trellis/platform';

import { notFound } from '../process-instance-command-rejected.error.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { UserTaskView } from '../runtime.views.js';

/** What a user task's form reference points to. */
export type UserTaskFormResolution =
  /** A form deployed with the engine: the engine serves it and validates completions against it. */
  | { readonly kind: 'deployed'; readonly definition: FormDefinition; readonly schema: FormSchema }
  /** A form the engine does not hold (an embedded or app form of a task list, a URL): not served, not validated. */
  | { readonly kind: 'external'; readonly formKey: string }
  /** A deployed form is referenced, but none is deployed under that id or resource name. */
  | { readonly kind: 'missing'; readonly reference: string }
  | { readonly kind: 'none' };

/** `GET /api/user-tasks/{id}/form`: the form's schema, and the current values of its fields. */
export interface UserTaskFormView {
  readonly userTaskId: string;
  /** `${formId}:${version}` */
  readonly formDefinitionId: string;
  readonly formId: string;
  readonly version: number;
  readonly resourceName: string;
  /** The form-js schema as deployed. */
  readonly schema: FormSchema;
  /** The task's variables the form's fields show (nested as the form's paths nest them); absent ones left out. */
  readonly variables: JsonObject;
}

/** The problem type of a completion whose variables break the rules of the task's form. */
export const FORM_VALIDATION_FAILED = 'urn:trellis:problem:form-validation-failed';

const DEPLOYMENT_FORM = 'camunda-forms:deployment:';
const APP_FORM = 'camunda-forms:app:';

/**
 * Resolves the forms of user tasks, serves them with the task's current values, and validates completions against
 * them. A task references a deployed form by id (`zeebe:formDefinition formId`, `camunda:formRef`: the latest version
 * deployed, or as its binding says: the version deployed with the process, a version number, a `versionTag`), by resource (`camunda:formKey="camunda-forms:deployment:approve.form"`: that resource of the process's
 * deployment, else the latest form deployed from a resource of that name; `camunda-forms:app:<path>` likewise when a
 * form was deployed under that name), or by a plain key equal to a deployed form's id. Any other key (`embedded:`,
 * `app:`, a URL, `camunda-forms:bpmn:`) is a form the task list holds: the engine neither serves nor validates it.
 */
@Injectable()
export class UserTaskForms {
  /** Parsed schemas by form definition id: a deployed version never changes. */
  private readonly schemas = new Map<string, FormSchema>();

  constructor(
    private readonly registry: DefinitionRegistry,
    private readonly projection: RuntimeProjection,
  ) {}

  async resolve(task: Pick<UserTaskView, 'formId' | 'formKey' | 'processDefinitionId' | 'elementId'>): Promise<UserTaskFormResolution> {
    const lookup = () => this.lookup(task);
    let found = lookup();
    // A form deployed a moment ago by another replica: read the deployments once more before calling it missing.
    if (found.kind === 'missing') found = await this.registry.catchUp().then(lookup);
    return found;
  }

  /** The task's form with its current values; a 404 problem naming the task when it has no form the engine serves. */
  async formOf(task: UserTaskView): Promise<UserTaskFormView> {
    const form = await this.resolve(task);
    switch (form.kind) {
      case 'none':
        throw notFound(`User task ${task.id} has no form`, { userTaskId: task.id });
      case 'external':
        throw notFound(`The form of user task ${task.id} is not deployed with the engine (form key ${form.formKey}): the task list holds it`, {
          userTaskId: task.id,
          formKey: form.formKey,
        });
      case 'missing':
        throw notFound(`The form ${form.reference} of user task ${task.id} is not deployed`, { userTaskId: task.id, form: form.reference });
      case 'deployed':
        return {
          userTaskId: task.id,
          formDefinitionId: form.definition.id,
          formId: form.definition.formId,
          version: form.definition.version,
          resourceName: form.definition.resourceName,
          schema: form.schema,
          variables: formValues(form.schema, task.variables ?? {}) as JsonObject,
        };
    }
  }

  /**
   * What a completion of the open task would break in its deployed form, checking the task's variables with the
   * submitted ones over them (a required field the process already holds needs no resubmitting). Undefined when
   * nothing is broken, and for a task that is unknown, no longer open (the engine refuses its completion anyway) or
   * without a deployed form.
   */
  async completionViolations(
    userTaskId: string,
    submitted: JsonObject | undefined,
  ): Promise<{ readonly task: UserTaskView; readonly form: FormDefinition; readonly violations: readonly FormViolation[] } | undefined> {
    const task = this.projection.userTask(userTaskId);
    if (task?.state !== 'CREATED') return undefined;
    const form = await this.resolve(task);
    if (form.kind !== 'deployed') return undefined;
    const violations = validateFormSubmission(form.schema, { ...(task.variables ?? {}), ...(submitted ?? {}) });
    return violations.length > 0 ? { task, form: form.definition, violations } : undefined;
  }

  /** Throws the 400 problem `form-validation-failed` listing each violation, when a completion would break the form. */
  async validateCompletion(userTaskId: string, submitted: JsonObject | undefined): Promise<void> {
    const broken = await this.completionViolations(userTaskId, submitted);
    if (broken !== undefined) throw formValidationFailed(broken.task, broken.form, broken.violations);
  }

  private lookup(task: Pick<UserTaskView, 'formId' | 'formKey' | 'processDefinitionId' | 'elementId'>): UserTaskFormResolution {
    if (task.formId !== undefined) return this.byId(task.formId, this.bindingOf(task), task.processDefinitionId);
    const key = task.formKey;
    if (key === undefined) return { kind: 'none' };
    if (key.startsWith(DEPLOYMENT_FORM)) {
      const resourceName = key.slice(DEPLOYMENT_FORM.length);
      return this.deployed(this.byResourceName(resourceName, task.processDefinitionId), key);
    }
    if (key.startsWith(APP_FORM)) {
      const found = this.byResourceName(key.slice(APP_FORM.length), undefined);
      return found === undefined ? { kind: 'external', formKey: key } : this.deployed(found, key);
    }
    if (!key.includes(':')) {
      const found = this.registry.latestForm(key);
      if (found !== undefined) return this.deployed(found, key);
    }
    return { kind: 'external', formKey: key };
  }

  /** The binding the task's model gives its form (`bindingType`, `camunda:formRefBinding`); undefined: the latest. */
  private bindingOf(task: Pick<UserTaskView, 'processDefinitionId' | 'elementId'>): FormBinding | undefined {
    const executable = this.registry.executableProcess(task.processDefinitionId);
    if (executable === undefined || !('process' in executable)) return undefined;
    const node = executable.process.elements[task.elementId];
    return node?.kind === 'userTask' ? node.formBinding : undefined;
  }

  private byId(formId: string, binding: FormBinding | undefined, processDefinitionId: string): UserTaskFormResolution {
    switch (binding?.type) {
      case undefined:
        return this.deployed(this.registry.latestForm(formId), formId);
      case 'version':
        return this.deployed(this.registry.getForm(`${formId}:${binding.version}`), `${formId}:${binding.version}`);
      case 'deployment':
        return this.deployed(this.asDeployedWith(this.registry.listForms({ formId }), processDefinitionId), `${formId} (deployed with ${processDefinitionId})`);
      case 'versionTag': {
        const tagged = this.registry.listForms({ formId }).filter((form) => this.schemaOf(form)?.['versionTag'] === binding.versionTag);
        return this.deployed(tagged.at(-1), `${formId} (version tag ${binding.versionTag})`);
      }
    }
  }

  /**
   * The form deployed from a resource of that name as the process definition was deployed: the latest deployed with
   * it or before it (a form deployed again unchanged keeps the deployment that introduced it). Without a process, the
   * latest.
   */
  private byResourceName(resourceName: string, processDefinitionId: string | undefined): FormDefinition | undefined {
    const named = this.registry.listForms().filter((form) => form.resourceName === resourceName);
    return processDefinitionId === undefined ? this.latestOf(named) : this.asDeployedWith(named, processDefinitionId);
  }

  /** Of these forms, the one current when the process definition was deployed (Camunda's `deployment` binding). */
  private asDeployedWith(forms: readonly FormDefinition[], processDefinitionId: string): FormDefinition | undefined {
    const deploymentId = this.registry.get(processDefinitionId)?.deploymentId;
    const order = new Map(this.registry.deployments().map((deployment, index) => [deployment.id, index]));
    const until = deploymentId === undefined ? undefined : order.get(deploymentId);
    if (until === undefined) return undefined;
    return this.latestOf(forms.filter((form) => (order.get(form.deploymentId) ?? Infinity) <= until));
  }

  /** The most recently deployed of these forms (the highest version of its id when deployed together). */
  private latestOf(forms: readonly FormDefinition[]): FormDefinition | undefined {
    const order = new Map(this.registry.deployments().map((deployment, index) => [deployment.id, index]));
    const rank = (form: FormDefinition) => order.get(form.deploymentId) ?? -1;
    return forms.reduce<FormDefinition | undefined>(
      (latest, form) => (latest === undefined || rank(form) > rank(latest) || (rank(form) === rank(latest) && form.version > latest.version) ? form : latest),
      undefined,
    );
  }

  private schemaOf(definition: FormDefinition): FormSchema | undefined {
    let schema = this.schemas.get(definition.id);
    if (schema === undefined) {
      const parsed = parseFormSchema(this.registry.formContent(definition.id) ?? '');
      if (!parsed.ok) return undefined;
      schema = parsed.schema;
      this.schemas.set(definition.id, schema);
    }
    return schema;
  }

  private deployed(definition: FormDefinition | undefined, reference: string): UserTaskFormResolution {
    if (definition === undefined) return { kind: 'missing', reference };
    const schema = this.schemaOf(definition);
    // The deployment checked the form; one recorded before these checks that fails them is treated as not deployed.
    return schema === undefined ? { kind: 'missing', reference } : { kind: 'deployed', definition, schema };
  }
}

/** The violations in one line: `amount must be at most 5000; spentOn is required`. */
export const describeViolations = (violations: readonly FormViolation[]): string =>
  violations.map((violation) => `${violation.field} ${violation.message}`).join('; ');

function formValidationFailed(task: UserTaskView, form: FormDefinition, violations: readonly FormViolation[]): ProblemError {
  const listed = describeViolations(violations);
  const problem: ProblemDetails & { readonly violations: readonly FormViolation[] } = {
    type: FORM_VALIDATION_FAILED,
    title: 'Form validation failed',
    status: 400,
    detail: `The variables break the rules of the form ${form.id} of user task ${task.id}: ${listed}. The task stays open.`,
    violations,
    // The fields also as the `errors` every other 400 of the API lists.
    errors: violations.map((violation) => ({ field: `variables.${violation.field}`, code: violation.rule, message: violation.message })),
    details: { userTaskId: task.id, formDefinitionId: form.id },
  };
  return new ProblemError(problem);
}
