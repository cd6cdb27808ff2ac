// Breaks @typescript-eslint/no-floating-promises on purpose: test/lint/lint-rules.spec.ts checks that npm run lint refuses it.
export async function save(): Promise<void> {}

export function caller(): void {
  save();
}
