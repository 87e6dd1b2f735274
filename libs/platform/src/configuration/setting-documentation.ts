import { ENVIRONMENTS, type Setting } from './setting.js';

/** How docs/configuration.md and .env.example show a setting: the cells its row must have. */
export interface SettingDocumentation {
  readonly type: string;
  /** The default, `none` when the setting is optional; `NODE_ENV, else development` for a fallback. */
  readonly default: string;
  readonly rule: string;
  /** How the setting differs per environment, `-` when it does not. */
  readonly environments: string;
}

export function documentSetting(setting: Setting<unknown>): SettingDocumentation {
  const defaultText = setting.default === undefined ? 'none' : setting.default;
  const environments = ENVIRONMENTS.flatMap((environment) => {
    const rule = setting.environments?.[environment];
    if (rule === undefined) return [];
    const parts = [
      ...(rule.default !== undefined ? [rule.default] : []),
      ...(rule.required ? ['required'] : []),
      ...(rule.forbid !== undefined ? [rule.forbid.rule] : []),
    ];
    return [`${environment}: ${parts.join(', ')}`];
  });
  return {
    type: setting.type,
    default: setting.fallback === undefined ? defaultText : `${setting.fallback}, else ${defaultText}`,
    rule: [
      setting.rule,
      ...(setting.lessThan === undefined ? [] : [`less than ${setting.lessThan}`]),
      ...(setting.requiredWhen === undefined ? [] : [`required when ${setting.requiredWhen.key}=${setting.requiredWhen.equals}`]),
    ].join('; '),
    environments: environments.length === 0 ? '-' : environments.join('; '),
  };
}

/** Compares document text with schema text: backticks and runs of white space do not count. */
export function normalizeDocumentText(text: string): string {
  return text.replace(/`/g, '').replace(/\\\|/g, '|').replace(/\s+/g, ' ').trim();
}
