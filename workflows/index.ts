// The worker's workflow bundle entry: every workflow type Koers runs.
export { journeyWorkflow } from './journey';
export { instrumentWorkflow } from './instrument';
export { dailyDigestWorkflow } from './digest';
export { policyAmendmentWorkflow } from './policy-amendment';
export { retentionWorkflow } from './retention';
