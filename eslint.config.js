import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import { existsSync } from 'node:fs';

// @nx/enforce-module-boundaries silently skips itself (a console warning) when Nx has not computed the project graph,
// as on a fresh clone: refuse to lint without it, so the boundaries are never unchecked. `npm run lint` computes it.
if (!existsSync(new URL('./.nx/workspace-data/project-graph.json', import.meta.url))) {
  throw new Error('The Nx project graph is missing, so module boundaries cannot be checked: run `npm run lint` (or `npx nx show projects` first).');
}

// Libraries tagged type:pure (the engine, FEEL, DMN) hold no I/O, no clock and no randomness:
// time and ids reach them through the decision context, so replaying a stream gives the same state.
const ioModules = ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', '@electric-sql/*', '@eventstore/*', '@kurrent/*', 'express'];
const nodeIo = ['node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'node:net', 'net', 'node:http', 'http', 'node:child_process', 'child_process'];
const nodeIoButFiles = nodeIo.filter((name) => !name.includes('fs'));

// Which libraries may import which; pure libraries ban I/O modules (`pureNodeIo`: the node modules banned to them).
const moduleBoundaries = (pureNodeIo) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      {
        sourceTag: 'type:pure',
        onlyDependOnLibsWithTags: ['type:pure', 'type:contracts'],
        bannedExternalImports: [...ioModules, ...pureNodeIo],
      },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: [...ioModules, ...nodeIo] },
      { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:pure', 'type:contracts', 'type:adapter'] },
      { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:pure', 'type:contracts', 'type:adapter', 'type:feature'] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:pure', 'type:contracts', 'type:adapter', 'type:feature'] },
    ],
  },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'tmp/**', 'bench/results/**', 'coverage/**', '.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(nodeIo),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Nest's DI needs the runtime class reference in constructor parameters; type-only imports would erase it.
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    // Purity of the engine core, enforced per file so that tests of pure libraries obey it too.
    files: ['libs/engine/**/*.ts', 'libs/feel/**/*.ts', 'libs/dmn/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ioModules, message: 'Pure libraries do no I/O: use a port implemented by an adapter.' },
            { group: nodeIo, message: 'Pure libraries do no I/O: use a port implemented by an adapter.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Pure libraries read no clock: take `now` from the decision context.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Pure libraries read no clock: take `now` from the decision context.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Pure libraries use no randomness: take ids from the decision context.',
        },
        {
          selector: "CallExpression[callee.object.name='crypto'][callee.property.name='randomUUID']",
          message: 'Pure libraries use no randomness: take ids from the decision context.',
        },
        {
          selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']",
          message: 'Pure libraries read no clock.',
        },
        {
          selector: "CallExpression[callee.object.name='DateTime'][callee.property.name=/^(now|local|utc)$/][arguments.length=0]",
          message: 'Pure libraries read no clock: take `now` from the decision context.',
        },
      ],
    },
  },
  {
    // The engine's integration tests read reference models from disk (the BPMN MIWG suite, the shared bench models,
    // the compiler fixtures), and the DMN TCK runner (`@trellis/dmn/tck`, not part of the pure entry) and its spec read
    // the TCK and write results: the only files of pure libraries allowed to use files. Their code and unit tests stay pure.
    files: ['libs/engine/src/**/*.int.spec.ts', 'libs/dmn/src/tck.ts', 'libs/dmn/src/**/*.int.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...ioModules, ...nodeIoButFiles], message: 'Pure libraries do no I/O.' }] }],
      '@nx/enforce-module-boundaries': moduleBoundaries(nodeIoButFiles),
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
