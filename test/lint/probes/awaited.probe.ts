// The floating probe made right: test/lint/lint-rules.spec.ts checks that npm run lint accepts it.
export async function save(): Promise<void> {}

export async function caller(): Promise<void> {
  await save();
}
