// Breaks jest/no-disabled-tests on purpose: test/lint/lint-rules.spec.ts checks that npm run lint refuses it.
describe.skip('never runs', () => {
  it('hides a failure', () => {
    expect(1).toBe(2);
  });
});
