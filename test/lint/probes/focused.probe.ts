// Breaks jest/no-focused-tests on purpose: test/lint/lint-rules.spec.ts checks that npm run lint refuses it.
it.only('runs alone', () => {
  expect(1).toBe(1);
});
