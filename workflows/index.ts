/** Workflow bundle entry: export only workflow functions. */
export { botWorkflow } from './bot';
export { optimizeWorkflow } from './optimize';
export { accountBalanceWorkflow } from './account';
export { botPreflightWorkflow } from './preflight';
export { futuresSlotWorkflow } from './futures-slot';
