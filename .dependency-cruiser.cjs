/**
 * The parts of src/ and the arrows allowed between them (STYLE.md §1, ARCHITECTURE.md). `npm run lint`
 * runs this; a forbidden import fails `npm test` and names the rule it breaks.
 */
/** Tests put the whole service together, so they may import across parts. */
const SPECS = '\\.(spec|int-spec|e2e-spec)\\.ts$';
const DOMAIN = '^src/(auth|catalog|search|datastore|sensors|dcat|harvest|audit|web|storage|site|jobs)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other cannot be read, tested or moved alone.',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { pathNot: '^src/.*\\.module\\.ts$' } },
    },
    {
      name: 'api-knows-no-domain',
      severity: 'error',
      comment: 'src/api is the action machinery (registry, dispatcher, context, errors); domains register on it, never the reverse.',
      from: { path: '^src/api/', pathNot: SPECS },
      to: { path: DOMAIN },
    },
    {
      name: 'database-knows-no-domain',
      severity: 'error',
      comment: 'src/database connects, migrates and listens; each module owns its entities and constraint messages.',
      from: { path: '^src/database/' },
      to: { path: [DOMAIN, '^src/api/'] },
    },
    {
      name: 'common-and-config-know-nothing',
      severity: 'error',
      comment: 'Small helpers and settings that everything may use, so they use nothing of ours.',
      from: { path: '^src/(common|config)/' },
      to: { path: '^src/', pathNot: '^src/(common|config)/' },
    },
    {
      name: 'jobs-know-no-domain',
      severity: 'error',
      comment: 'The job queue runs handlers that modules register; it knows none of them.',
      from: { path: '^src/jobs/' },
      to: { path: [DOMAIN, '^src/api/'], pathNot: '^src/jobs/' },
    },
    {
      name: 'catalog-knows-no-later-parts',
      severity: 'error',
      comment: 'Search, DCAT, the DataStore, sensors and harvesting register on the catalog\'s write hook or call actions.',
      from: { path: '^src/catalog/' },
      to: { path: '^src/(search|datastore|sensors|dcat|harvest|audit|web)/' },
    },
    {
      name: 'no-foreign-tables',
      severity: 'error',
      comment: 'A module reads and writes another module\'s tables only through its actions or its exported services, never its entities or repositories.',
      from: { path: '^src/(dcat|harvest|web|datastore|sensors|search|audit)/' },
      to: { path: '^src/(catalog|auth)/.*\\.(entity|repository)\\.ts$' },
    },
    {
      name: 'web-reads-and-writes-through-actions',
      severity: 'error',
      comment: 'Pages call actions through the dispatcher (same permission rule as the API); they know no domain module\'s services, entities or repositories. The DCAT part lends its HTML hook, auth its Authenticator (who calls) and WebSessions (log in, log out).',
      from: { path: '^src/web/', pathNot: SPECS },
      to: {
        path: '^src/(auth|catalog|search|datastore|sensors|dcat|harvest|audit|storage|site|jobs|database)/',
        pathNot: ['^src/auth/(authenticator|auth\\.module|web-sessions)\\.ts$', '^src/dcat/(dataset-html|dcat\\.module)\\.ts$'],
      },
    },
    {
      name: 'profiles-import-only-the-profile-api',
      severity: 'error',
      comment: 'DCAT profiles are data plus small functions on src/dcat/profile.ts.',
      from: { path: '^dcat-profiles/', pathNot: SPECS },
      to: { path: '^src/', pathNot: '^src/dcat/profile\\.ts$' },
    },
    {
      name: 'harvesters-import-only-the-harvester-api',
      severity: 'error',
      comment: 'A harvester fetches and transforms; the runner owns persistence.',
      from: { path: '^harvesters/', pathNot: SPECS },
      to: { path: '^src/', pathNot: '^src/harvest/harvester\\.ts$' },
    },
    {
      name: 'production-code-not-from-tests',
      severity: 'error',
      comment: 'The service never loads test helpers (or ../shared, which a user\'s clone lacks).',
      from: { path: '^(src|dcat-profiles|harvesters|migrations)/', pathNot: SPECS },
      to: { path: ['^test/', '^bench/', '(^|/)shared/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-undeclared-deps',
      severity: 'error',
      comment: 'A package used but not in package.json works only while another package happens to bring it.',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-dev-deps-in-production',
      severity: 'error',
      comment: 'npm ci --omit=dev must still run the service.',
      from: { path: '^(src|dcat-profiles|harvesters|migrations)/', pathNot: SPECS },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.json', '.d.ts'], mainFields: ['main', 'types', 'typings'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
