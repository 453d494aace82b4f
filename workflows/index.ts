/** Workflow bundle entry: export only workflow functions. */
export {};
