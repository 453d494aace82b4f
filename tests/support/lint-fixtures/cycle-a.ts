// Lint fixture (tests/unit/lint-rules.test.ts): a runtime import cycle a → b → a.
import { b } from './cycle-b';

export const a = (): number => b() + 1;
