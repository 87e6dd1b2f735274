// Reads the deployment artefacts (deploy/compose, deploy/helm) without Docker or Kubernetes, and says what each
// service would be given: the environment variables, with their values. deploy-config.spec.ts then holds every one to
// the service's settings schema. The chart is rendered by a deliberately small subset of Helm's template language
// (value references and a few functions, listed at `renderTemplate`); anything else fails the render, so the check never
// passes on a template it did not understand.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse, parseAllDocuments, stringify } from 'yaml';

import { type Env, type SettingsSchema, unknownSettings, validateSettings } from '@trellis/platform';

/** What one service is given by one artefact. */
export interface ServiceEnvironment {
  /** `compose`, `helm`, `start:distributed`. */
  readonly source: string;
  /** The compose service, or the Deployment's container. */
  readonly service: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Problems of a service's environment against its schema, each naming the variable; none when it would start. `load`
 * is how the service reads its settings (its own defaults, then validation); by default plain validation.
 */
export function environmentProblems(
  schema: SettingsSchema,
  environment: ServiceEnvironment,
  load: (env: Env) => unknown = (env) => validateSettings(schema, env),
): string[] {
  const where = `${environment.source} ${environment.service}`;
  const problems: string[] = [];
  for (const key of Object.keys(environment.env).sort()) {
    if (!(key in schema)) {
      const near = /\(did you mean ([A-Z0-9_]+)\?\)/.exec(unknownSettings({ [key]: 'x' }, schema)[0] ?? '')?.[1];
      problems.push(`${where}: ${key} is not a setting of ${environment.service}${near === undefined ? '' : ` (did you mean ${near}?)`}`);
    }
  }
  for (const [key, setting] of Object.entries(schema)) {
    const required = setting.default === undefined && setting.fallback === undefined && setting.requiredWhen === undefined;
    if (required && (environment.env[key] ?? '').trim() === '') problems.push(`${where}: ${key} is required (it has no default) and is not set`);
  }
  try {
    load(environment.env as Env);
  } catch (error) {
    // Duck-typed: a ConfigurationError lists every problem (a value breaking its rule, a setting another requires).
    const listed = (error as { problems?: unknown }).problems;
    if (!Array.isArray(listed)) throw error;
    problems.push(...listed.map((problem) => `${where}: ${String(problem)}`));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// docker compose

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A compose file as data, with YAML anchors and merge keys (`<<: *x`) resolved as compose resolves them. */
export function parseCompose(text: string): Record<string, Json> {
  const document = parse(text, { merge: true, maxAliasCount: -1 }) as unknown;
  if (!isObject(document) || !isObject(document.services)) throw new Error('the compose file has no services mapping');
  return document;
}

/**
 * Compose's interpolation of one value with no variable set: `${NAME:-default}` and `${NAME-default}` give the default,
 * `$$` a dollar sign. A variable without a default (`${NAME}`, `$NAME`, `${NAME:?message}`) is a problem: what the
 * service would get depends on the shell that runs compose.
 */
export function interpolate(value: string): { readonly value: string; readonly unset: readonly string[] } {
  const unset: string[] = [];
  const result = value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced, dash, fallback, _question, _message, bare) => {
    if (match === '$$') return '$';
    if (dash !== undefined) return fallback as string;
    unset.push((braced ?? bare) as string);
    return '';
  });
  return { value: result, unset };
}

/** What compose gives one service: its `environment` (a mapping or `KEY=value` list), interpolated. */
export function composeEnvironment(compose: Record<string, Json>, service: string): { readonly env: Record<string, string>; readonly problems: string[] } {
  const definition = (compose.services as Record<string, Json>)[service];
  const problems: string[] = [];
  const env: Record<string, string> = {};
  if (!isObject(definition)) return { env, problems: [`compose ${service}: no such service`] };
  if (definition.env_file !== undefined) problems.push(`compose ${service}: env_file is not checked; set variables under environment`);
  const raw = definition.environment ?? {};
  const pairs: [string, Json][] = Array.isArray(raw)
    ? raw.map((item) => {
        const text = String(item);
        const equals = text.indexOf('=');
        return equals < 0 ? [text, null] : [text.slice(0, equals), text.slice(equals + 1)];
      })
    : isObject(raw)
      ? Object.entries(raw)
      : [];
  for (const [key, value] of pairs) {
    if (value === null) {
      problems.push(`compose ${service}: ${key} is passed through from the shell running compose, so its value is not known`);
      continue;
    }
    const interpolated = interpolate(String(value));
    for (const name of interpolated.unset) problems.push(`compose ${service}: ${key} uses \${${name}}, which has no default`);
    env[key] = interpolated.value;
  }
  return { env, problems };
}

// ---------------------------------------------------------------------------------------------------------------
// helm

/** The objects `renderTemplate` can see: `.Values`, `.Release`, `.Chart`. */
export interface TemplateContext {
  readonly Values: Json;
  readonly Release: { readonly Name: string; readonly Namespace: string; readonly Service: string };
  readonly Chart: { readonly Name: string; readonly Version: string; readonly AppVersion: string };
}

const NO_VALUE = Symbol('no value');

/**
 * Renders the subset of Helm's templates the Trellis chart uses: `{{ .Values.a.b }}`, `.Release.Name|Namespace|Service`,
 * `.Chart.Name|Version|AppVersion`, pipelines through `quote`, `toYaml`, `indent N` and `nindent N` (also called as
 * functions: `toYaml .Values.x | nindent 12`), `{{-`/`-}}` whitespace trimming and `{{/* comments *\/}}`. A missing
 * value or anything else (`if`, `range`, `include`, ...) throws, naming the expression.
 */
export function renderTemplate(template: string, context: TemplateContext, file = 'template'): string {
  let output = '';
  let rest = template;
  for (let open = rest.indexOf('{{'); open >= 0; open = rest.indexOf('{{')) {
    const close = rest.indexOf('}}', open);
    if (close < 0) throw new Error(`${file}: {{ without }}`);
    let inner = rest.slice(open + 2, close);
    output += rest.slice(0, open);
    rest = rest.slice(close + 2);
    // Helm's trim markers: `{{-` drops the white space (new lines included) before, `-}}` the white space after.
    if (inner.startsWith('-')) {
      output = output.trimEnd();
      inner = inner.slice(1);
    }
    if (inner.endsWith('-')) {
      rest = rest.trimStart();
      inner = inner.slice(0, -1);
    }
    const expression = inner.trim();
    if (expression.startsWith('/*')) {
      if (!expression.endsWith('*/')) throw new Error(`${file}: unterminated comment {{${inner}}}`);
      continue;
    }
    output += evaluate(expression, context, file);
  }
  return output + rest;
}

const FUNCTIONS = ['quote', 'toYaml', 'indent', 'nindent'];

function evaluate(expression: string, context: TemplateContext, file: string): string {
  let value: unknown = NO_VALUE;
  for (const stage of expression.split('|')) {
    const words = stage.trim().split(/\s+/);
    const [head, ...args] = words;
    if (head.startsWith('.')) {
      if (args.length > 0 || value !== NO_VALUE) throw new Error(`${file}: cannot render {{ ${expression} }}: a value in the middle of a pipeline`);
      value = lookup(head, context, file, expression);
      continue;
    }
    if (!FUNCTIONS.includes(head)) {
      throw new Error(`${file}: cannot render {{ ${expression} }}: ${head} is not among the functions the check renders (${FUNCTIONS.join(', ')})`);
    }
    const values = args.map((arg) => argument(arg, context, file, expression));
    if (value !== NO_VALUE) values.push(value);
    value = call(head, values, file, expression);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${file}: {{ ${expression} }} renders a ${value === null ? 'null' : typeof value}, not text (pipe it through toYaml)`);
}

function argument(word: string, context: TemplateContext, file: string, expression: string): unknown {
  if (word.startsWith('.')) return lookup(word, context, file, expression);
  if (/^-?\d+$/.test(word)) return Number(word);
  if (/^"(?:[^"\\]|\\.)*"$/.test(word)) return JSON.parse(word) as string;
  throw new Error(`${file}: cannot render {{ ${expression} }}: ${word} is not a value, a number or a string`);
}

function lookup(path: string, context: TemplateContext, file: string, expression: string): unknown {
  let value: unknown = context;
  for (const key of path.slice(1).split('.')) {
    if (!isObject(value) || !(key in value)) throw new Error(`${file}: {{ ${expression} }}: ${path} is not set (values.yaml or Chart.yaml)`);
    value = value[key];
  }
  return value;
}

function call(name: string, args: readonly unknown[], file: string, expression: string): unknown {
  const indentBy = (count: unknown, text: unknown): string =>
    String(text)
      .split('\n')
      .map((line) => (line === '' ? line : ' '.repeat(Number(count)) + line))
      .join('\n');
  switch (name) {
    case 'quote':
      if (args.length !== 1) break;
      return JSON.stringify(String(args[0]));
    case 'toYaml':
      if (args.length !== 1) break;
      return stringify(args[0]).trimEnd();
    case 'indent':
      if (args.length !== 2) break;
      return indentBy(args[0], args[1]);
    case 'nindent':
      if (args.length !== 2) break;
      return `\n${indentBy(args[0], args[1])}`;
  }
  throw new Error(`${file}: cannot render {{ ${expression} }}: ${name} takes ${name.endsWith('indent') ? 2 : 1} argument(s)`);
}

/** A Kubernetes object as the chart renders it. */
export type Manifest = Record<string, Json>;

/** Renders every template of a chart directory with its values.yaml (release `trellis` in namespace `default`). */
export function renderChart(directory: string, release = 'trellis'): { readonly manifests: Manifest[]; readonly notes: string } {
  const chart = parse(readFileSync(join(directory, 'Chart.yaml'), 'utf8')) as Record<string, string>;
  const values = parse(readFileSync(join(directory, 'values.yaml'), 'utf8')) as Json;
  const context: TemplateContext = {
    Values: values,
    Release: { Name: release, Namespace: 'default', Service: 'Helm' },
    Chart: { Name: chart.name, Version: String(chart.version), AppVersion: String(chart.appVersion) },
  };
  const templates = join(directory, 'templates');
  const manifests: Manifest[] = [];
  let notes = '';
  for (const file of readdirSync(templates).sort()) {
    const text = readFileSync(join(templates, file), 'utf8');
    if (file.startsWith('_')) throw new Error(`${file}: named templates are not rendered by the check; keep keys literal in each template`);
    const rendered = renderTemplate(text, context, file);
    if (file === 'NOTES.txt') notes = rendered;
    else if (/\.ya?ml$/.test(file)) manifests.push(...parseManifests(rendered, file));
  }
  return { manifests, notes };
}

/** The objects of a rendered template (several documents separated by `---`); YAML errors throw, naming the file. */
export function parseManifests(rendered: string, file = 'manifest'): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(rendered)) {
    if (document.errors.length > 0) throw new Error(`${file}: the rendered template is not valid YAML: ${document.errors[0].message}`);
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (!isObject(value) || typeof value.kind !== 'string') throw new Error(`${file}: a document without kind`);
    manifests.push(value);
  }
  return manifests;
}

function named(manifests: readonly Manifest[], kind: string, name: string): Manifest | undefined {
  return manifests.find((manifest) => manifest.kind === kind && isObject(manifest.metadata) && manifest.metadata.name === name);
}

/** A Secret's or ConfigMap's keys and values (`stringData` as is, `data` decoded from base64). */
function entries(manifest: Manifest): Record<string, string> {
  const decoded: Record<string, string> = {};
  if (isObject(manifest.data)) {
    for (const [key, value] of Object.entries(manifest.data)) {
      decoded[key] = manifest.kind === 'Secret' ? Buffer.from(String(value), 'base64').toString('utf8') : String(value);
    }
  }
  if (isObject(manifest.stringData)) for (const [key, value] of Object.entries(manifest.stringData)) decoded[key] = String(value);
  return decoded;
}

export interface ContainerEnvironment {
  readonly deployment: string;
  readonly container: Record<string, Json>;
  readonly env: Record<string, string>;
  readonly problems: string[];
}

/**
 * What each container of each Deployment is given: `envFrom` ConfigMaps and Secrets (every key), then `env` (a value,
 * or a `secretKeyRef` / `configMapKeyRef` resolved against the rendered objects). A reference to something the chart
 * does not render is a problem.
 */
export function containerEnvironments(manifests: readonly Manifest[]): ContainerEnvironment[] {
  const result: ContainerEnvironment[] = [];
  for (const deployment of manifests.filter((manifest) => manifest.kind === 'Deployment')) {
    const deploymentName = isObject(deployment.metadata) ? String(deployment.metadata.name) : '?';
    const podSpec = isObject(deployment.spec) && isObject(deployment.spec.template) ? deployment.spec.template.spec : undefined;
    const containers = isObject(podSpec) && Array.isArray(podSpec.containers) ? podSpec.containers.filter(isObject) : [];
    for (const container of containers) {
      const where = `helm ${String(container.name)}`;
      const env: Record<string, string> = {};
      const problems: string[] = [];
      for (const source of Array.isArray(container.envFrom) ? container.envFrom.filter(isObject) : []) {
        const reference = isObject(source.configMapRef) ? (['ConfigMap', source.configMapRef] as const) : isObject(source.secretRef) ? (['Secret', source.secretRef] as const) : undefined;
        if (reference === undefined) {
          problems.push(`${where}: an envFrom entry that is neither configMapRef nor secretRef`);
          continue;
        }
        const target = named(manifests, reference[0], String(reference[1].name));
        if (target === undefined) problems.push(`${where}: envFrom ${reference[0]} ${String(reference[1].name)} is not part of the chart`);
        else Object.assign(env, entries(target));
      }
      for (const variable of Array.isArray(container.env) ? container.env.filter(isObject) : []) {
        const name = String(variable.name);
        if (variable.value !== undefined) {
          env[name] = String(variable.value);
          continue;
        }
        const from = isObject(variable.valueFrom) ? variable.valueFrom : {};
        const reference = isObject(from.secretKeyRef) ? (['Secret', from.secretKeyRef] as const) : isObject(from.configMapKeyRef) ? (['ConfigMap', from.configMapKeyRef] as const) : undefined;
        if (reference === undefined) {
          problems.push(`${where}: ${name} has neither a value nor a secretKeyRef/configMapKeyRef`);
          continue;
        }
        const target = named(manifests, reference[0], String(reference[1].name));
        const value = target === undefined ? undefined : entries(target)[String(reference[1].key)];
        if (value === undefined) problems.push(`${where}: ${name} refers to ${reference[0]} ${String(reference[1].name)} key ${String(reference[1].key)}, which the chart does not render`);
        else env[name] = value;
      }
      result.push({ deployment: deploymentName, container, env, problems });
    }
  }
  return result;
}
