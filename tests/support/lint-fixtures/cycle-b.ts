// Lint fixture (tests/unit/lint-rules.test.ts): the other half of the cycle.
import { a } from './cycle-a';

export const b = (): number => (Math.abs(1) > 2 ? a() : 0);
