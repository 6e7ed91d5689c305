/**
 * The amended versions of each municipality's policy. An amendment (api/admin.ts) builds on the
 * municipality's current policy and is recorded here before it is applied, so the next amendment keeps
 * it and a journey started afterwards starts with it. Until the first amendment the current policy is
 * the shipped one (domain/policies.ts), version 1.
 */
import { findPolicy } from '../domain/policies';
import { PolicySchema, type Policy } from '../domain/policy';
import type { Db } from './db';

export class PolicyVersions {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The municipality's policy as last amended, else as shipped; undefined for a municipality without one. */
  async current(municipality: string): Promise<Policy | undefined> {
    const shipped = findPolicy(municipality);
    if (!shipped) return undefined;
    const row = await this.db.selectFrom('policy_versions').select('policy').where('policy_id', '=', shipped.id).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? PolicySchema.parse(JSON.parse(row.policy)) : shipped;
  }

  /** The municipality's amendments, oldest first: each version with its reason, who amended it and when (an ISO instant). */
  async amendments(municipality: string): Promise<Array<{ version: number; effectiveFrom: string; reason: string; amendedBy: string; at: string }>> {
    const rows = await this.db
      .selectFrom('policy_versions')
      .select(['version', 'policy', 'reason', 'amended_by', 'created_at'])
      .where('policy_id', '=', municipality)
      .orderBy('version', 'asc')
      .execute();
    return rows.map((r) => ({ version: r.version, effectiveFrom: PolicySchema.parse(JSON.parse(r.policy)).effectiveFrom, reason: r.reason, amendedBy: r.amended_by, at: r.created_at }));
  }

  /** Records an amended policy; the same id and version again changes nothing (a retried request). */
  async record(policy: Policy, reason: string, amendedBy: string): Promise<void> {
    await this.db
      .insertInto('policy_versions')
      .values({ policy_id: policy.id, version: policy.version, policy: JSON.stringify(policy), reason, amended_by: amendedBy, created_at: this.now().toISOString() })
      .onConflict((oc) => oc.columns(['policy_id', 'version']).doNothing())
      .execute();
  }
}
