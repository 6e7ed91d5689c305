/**
 * The benchmark's baseline: a workflow that does nothing, so its rate on a server is what Temporal
 * itself costs per workflow (one workflow task). Bench-only; never registered by Koers's worker.
 */
export async function noopWorkflow(): Promise<void> {}
