/** Unit (*.spec.ts), integration (*.int-spec.ts) and HTTP (*.e2e-spec.ts) tests, all against a real PostgreSQL. */
const swcFor = (tsx) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true, tsx },
      // Web pages (src/web/**/*.tsx) are Preact components: the automatic runtime imports preact/jsx-runtime.
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false, react: { runtime: 'automatic', importSource: 'preact' } },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const swc = swcFor(false);

/**
 * ES-module-only packages (shacl-engine and what it imports) that @swc/jest must turn into CommonJS:
 * jest loads modules as CommonJS and skips node_modules unless told otherwise. Plain Node (>= 20.19)
 * require()s them as they are.
 */
const ESM_PACKAGES = ['aedes', 'shacl-engine', 'grapoi', 'rdf-validation', '@rdfjs/(data-model|namespace|term-map|term-set|to-ntriples)'];
const swcEsm = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/dcat-profiles', '<rootDir>/harvesters', '<rootDir>/migrations'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': swc, '^.+\\.tsx$': swcFor(true), '^.+\\.m?js$': swcEsm },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
};
