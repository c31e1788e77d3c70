// Lint rules, including the layer rules of docs/architecture.md: only src/aws imports the AWS SDK,
// only src/slack imports the Slack SDK, and lower layers never import higher ones.
import tseslint from 'typescript-eslint';

const sdkOnlyIn = (allowedDir, pattern, what) => ({
  files: ['src/**/*.ts'],
  ignores: [`src/${allowedDir}/**`],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: [pattern], message: `only src/${allowedDir}/ may import ${what}` }] },
    ],
  },
});

const layer = (dir, forbidden) => ({
  files: [`src/${dir}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['@aws-sdk/*', '@smithy/*'], message: 'only src/aws/ may import the AWS SDK' },
          { group: ['@slack/*'], message: 'only src/slack/ may import the Slack SDK' },
          ...forbidden.map((f) => ({
            group: [`**/${f}/*`, `../${f}`, `./${f}`],
            message: `src/${dir} must not depend on src/${f}`,
          })),
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      'bin/**',
      'jest.config.js',
      'dist/**',
      'node_modules/**',
      'infra/cdk.out/**',
      'cdk.out/**',
      'workloads/**',
      '.venv/**',
      'bench/results/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  sdkOnlyIn('aws', '@aws-sdk/*', 'the AWS SDK'),
  sdkOnlyIn('slack', '@slack/*', 'the Slack SDK'),
  layer('checks', ['runbook', 'actions', 'cli', 'slack', 'handlers', 'aws', 'sim']),
  layer('runbook', ['actions', 'cli', 'slack', 'handlers', 'aws', 'sim']),
  layer('actions', ['cli', 'slack', 'handlers', 'aws', 'sim']),
  layer('sim', ['runbook', 'actions', 'cli', 'slack', 'handlers', 'checks', 'aws']),
  {
    files: ['src/aws/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*'], message: 'only src/slack/ may import the Slack SDK' },
            ...['runbook', 'actions', 'cli', 'slack', 'handlers', 'checks', 'sim'].map((f) => ({
              group: [`../${f}`, `../${f}/*`],
              message: `src/aws must not depend on src/${f}`,
            })),
          ],
        },
      ],
    },
  },
);
