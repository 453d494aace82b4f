// Lint fixture (tests/unit/lint-rules.test.ts): a floating promise, a misused one, a value import used only as a type.
import { Decimal } from 'decimal.js';

async function save(): Promise<void> {}

export function floating(): void {
  save();
}

export function misused(on: (listener: () => void) => void): void {
  on(async () => save());
}

export function typeOnly(x: Decimal): string {
  return x.toString();
}
