import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layer boundaries of functions/. Each block below says what one layer must not
// import; runtime/ (wiring) and lambda/ (entry points) may import anything.
// `layers(...)` matches a relative import of those sibling folders at any depth
// ('../adapters/x', '../../adapters/x') and nothing else (not npm packages).
// A pattern with allowTypeImports still lets `import type` through.
// Not checked: dynamic import() (only used inside a layer today).
const layers = (...names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;
const noBoundaries = (...patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', '.gatekeeper/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // domain: pure TypeScript, so only sibling domain modules and node: built-ins.
    files: ['functions/domain/**/*.ts'],
    rules: noBoundaries({
      regex: '^(?!\\./|node:)',
      message: 'functions/domain is pure TypeScript: import only sibling domain modules (./x) and node: built-ins (no AWS SDK, hono, Kubernetes client, zod or other functions/ folder).',
    }),
  },
  {
    // usecases: platform-free application logic, called by api/, steps/ and runtime/; adapters only as types.
    files: ['functions/usecases/**/*.ts'],
    rules: noBoundaries(
      {
        group: ['hono', '@hono/*', '@aws-sdk/*', '@smithy/*', '@kubernetes/*'],
        message: 'functions/usecases must not depend on the HTTP framework, the AWS SDK or the Kubernetes client: go through a port in deps.ts.',
      },
      {
        regex: layers('api', 'steps', 'runtime', 'lambda'),
        message: 'functions/usecases is called by api/, steps/ and runtime/, never the other way round.',
      },
      {
        regex: layers('adapters'),
        allowTypeImports: true,
        message: 'functions/usecases may import adapters only as types (import type); runtime/ wires the implementations.',
      },
    ),
  },
  {
    // adapters: implement the ports; they know nothing of the layers that use them.
    files: ['functions/adapters/**/*.ts'],
    rules: noBoundaries({
      regex: layers('api', 'usecases', 'steps', 'views', 'runtime', 'lambda'),
      message: 'functions/adapters may import domain/, config/, observability/ and other adapters only, never the layers that use them.',
    }),
  },
  {
    // api: HTTP only; it calls use cases and receives adapters (as types) through ApiDeps.
    files: ['functions/api/**/*.ts'],
    rules: noBoundaries(
      {
        group: ['@aws-sdk/*', '@smithy/*', '@kubernetes/*'],
        message: 'functions/api is HTTP only: reach AWS and Kubernetes through use cases or the ports in ApiDeps.',
      },
      {
        regex: layers('runtime', 'lambda', 'steps'),
        message: 'functions/api must not import wiring (runtime/), entry points (lambda/) or step handlers (steps/).',
      },
      {
        regex: layers('adapters'),
        allowTypeImports: true,
        message: 'functions/api may import adapters only as types (import type); runtime/ wires the implementations into ApiDeps.',
      },
    ),
  },
  {
    // steps: Step Functions task handlers; adapters only as types, through their deps.
    files: ['functions/steps/**/*.ts'],
    rules: noBoundaries(
      {
        group: ['hono', '@hono/*', '@aws-sdk/*', '@smithy/*', '@kubernetes/*'],
        message: 'functions/steps are Step Functions tasks: no hono, and AWS and Kubernetes only through the ports in their deps.',
      },
      {
        regex: layers('api', 'runtime', 'lambda'),
        message: 'functions/steps must not import the HTTP layer (api/), wiring (runtime/) or entry points (lambda/).',
      },
      {
        regex: layers('adapters'),
        allowTypeImports: true,
        message: 'functions/steps may import adapters only as types (import type); runtime/ wires the implementations.',
      },
    ),
  },
  {
    // views: rendering of plain data only.
    files: ['functions/views/**/*.ts'],
    rules: noBoundaries(
      {
        group: ['@aws-sdk/*', '@kubernetes/*'],
        message: 'functions/views renders plain data: no AWS SDK or Kubernetes client.',
      },
      {
        regex: layers('adapters', 'runtime', 'lambda', 'steps'),
        message: 'functions/views renders plain data: no adapters, wiring (runtime/), entry points (lambda/) or step handlers (steps/).',
      },
    ),
  },
);
