/** Workflow bundle entry: export only workflow functions. */
export { botWorkflow } from './bot';
export { botPreflightWorkflow } from './preflight';
