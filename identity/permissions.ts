/**
 * What each role may see and do: ONE table for the API's operations and one for the web app's pages.
 * `api/route.ts` checks every request against {@link OPERATIONS} (by the route's operationId), the web
 * app checks every page against {@link PAGES}, and `docs/roles.md` is generated from both
 * (`npm run docs:roles`; test/unit/identity/identity.test.ts fails when the document drifts).
 *
 * The roles a municipality recognises (the names its identity provider's groups map to, see
 * identity/config.ts):
 * - `admin`: functioneel beheerder, every municipality, the policy, dead letters, corrections;
 * - `team-lead`: coördinator, a caseworker who also hands anyone's task to a colleague and assigns journeys;
 * - `caseworker`: klantmanager / regisseur, works the tasks and journeys of their municipalities;
 * - `reader`: raadpleger (a quality officer, an auditor): reads journeys and tasks, never writes;
 * - `privacy-officer`: looks journeys up and erases them (AVG art. 17), reads the erasure records and the
 *   processing log (who processed a person's data, AVG art. 15);
 * - `partner`: a machine (BRP, DUO, a training provider) that reports events; API key only, never a person.
 */
export const ROLES = ['admin', 'team-lead', 'caseworker', 'reader', 'privacy-officer', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** The roles a person can have (a partner is a machine with an API key, never a signed-in person). */
export const PERSON_ROLES = ['admin', 'team-lead', 'caseworker', 'reader', 'privacy-officer'] as const satisfies readonly Role[];
export type PersonRole = (typeof PERSON_ROLES)[number];

/** Dutch names of the roles, as the municipality's staff know them (docs/roles.md). */
export const ROLE_NAMES_NL: Record<Role, string> = {
  admin: 'functioneel beheerder',
  'team-lead': 'coördinator (teamleider)',
  caseworker: 'klantmanager / regisseur',
  reader: 'raadpleger',
  'privacy-officer': 'privacy officer (FG-ondersteuning)',
  partner: 'ketenpartner (systeem)',
};

const WORKERS = ['admin', 'team-lead', 'caseworker'] as const satisfies readonly Role[];
const READERS = [...WORKERS, 'reader'] as const satisfies readonly Role[];

/**
 * Per API operation (its operationId): `public` (no credentials) or the roles allowed; every other
 * role is answered 403. A route whose operationId is missing here falls back to the `roles` its spec
 * declares (routes written before this table) and the permissions test names it, so it is added here.
 */
export const OPERATIONS: Record<string, readonly Role[] | 'public'> = {
  // meta
  getOpenApiDocument: 'public',
  getDocumentation: 'public',
  getHealth: 'public',
  getMetrics: 'public',
  getCalendarFeed: 'public',
  // journeys
  createJourney: WORKERS,
  lookupJourney: [...READERS, 'privacy-officer'],
  getJourney: [...READERS, 'privacy-officer', 'partner'],
  getJourneyTimeline: [...READERS, 'privacy-officer'],
  getJourneyLive: ['admin'],
  listJourneys: ['admin'],
  countJourneys: ['admin'],
  assignCaseworker: ['admin', 'team-lead'],
  moveJourney: ['admin'],
  // persons (issue 21; api/persons.ts)
  checkDuplicateJourney: WORKERS,
  searchJourneys: [...READERS, 'privacy-officer', 'partner'],
  // Issue 25: the search page's results as CSV, to the roles of the search page.
  exportJourneySearch: [...READERS, 'privacy-officer'],
  getJourneyPerson: [...READERS, 'privacy-officer'],
  // Issue 25: the persons of a list page in one request (the inbox, the administrators' list)
  listJourneyPersons: [...READERS, 'privacy-officer'],
  correctJourneyPerson: ['admin'],
  // the person from the BRP (issue 23; api/brp.ts): a registration's lookup, and the facts that change a journey, for those who work journeys
  lookupBrpPerson: WORKERS,
  getBrpProposal: WORKERS,
  confirmBrpProposal: WORKERS,
  withdrawJourneyEnd: ['admin'],
  // events: partners report theirs, staff what arrives by letter or portal (contract v1.2; domain/reporting.ts narrows per type)
  reportMilestone: [...WORKERS, 'partner'],
  // caseworker commands
  requestExtension: WORKERS,
  assessLadder: WORKERS,
  startInstrument: WORKERS,
  endInstrument: WORKERS,
  // tasks
  listMyTasks: READERS,
  // A privacy officer reads a journey's tasks with the journey (its page lists them; AVG art. 15 requests).
  listTeamTasks: [...READERS, 'privacy-officer'],
  getTask: [...READERS, 'privacy-officer'],
  claimTask: WORKERS,
  unclaimTask: WORKERS,
  reassignTask: WORKERS,
  completeTask: WORKERS,
  // the reminders and escalations the outbox keeps for the key's municipalities and teams (api/notifications.ts)
  listMyNotifications: READERS,
  issueCalendarToken: WORKERS,
  revokeCalendarToken: WORKERS,
  // the staff directory and the team lead's tools (staff/, api/staff.ts)
  getTaskHistory: READERS,
  listColleagues: READERS,
  redistributeTasks: ['admin', 'team-lead'],
  // offboarding: a colleague who left is no longer offered work (issue 20, finding 8)
  deactivateColleague: ['admin', 'team-lead'],
  // administration
  getStatistics: ['admin'],
  getStatisticsSteps: ['admin'],
  // Issue 25: every list and the dashboard as CSV, to whoever may read the list.
  exportJourneys: ['admin'],
  exportMyTasks: READERS,
  exportTeamTasks: READERS,
  exportStatistics: ['admin'],
  exportStatisticsWorkbook: ['admin'],
  exportStatisticsSteps: ['admin'],
  amendPolicy: ['admin'],
  getPolicyAmendment: ['admin'],
  // a municipality's current policy: staff read their own municipalities' (the web app's policy page)
  getMunicipalityPolicy: READERS,
  listDeadLetters: ['admin'],
  retryDeadLetter: ['admin'],
  // erasure (AVG art. 17)
  getJourneyErasure: ['admin', 'privacy-officer'],
  eraseJourney: ['admin', 'privacy-officer'],
  // the processing log (issue 23, api/processing-log.ts): the privacy officer answers who processed a person's data
  searchProcessingLog: ['privacy-officer'],
  exportProcessingLog: ['privacy-officer'],
};

/**
 * What a role may do inside an operation it is allowed, beyond the operation itself. Checked by the
 * handlers through {@link may}.
 */
export const ABILITIES = {
  /** Every municipality's journeys and tasks (others: only the municipalities of their key or groups). */
  allMunicipalities: ['admin'],
  /** Hand any task of their municipalities to a colleague (others: only a task they hold). */
  reassignAnyTask: ['admin', 'team-lead'],
  /** Read a journey's BSN. */
  readBsn: ['admin', 'team-lead', 'caseworker', 'reader', 'privacy-officer'],
  /**
   * See the person's name as the BRP has it now, fetched per view under the municipality's doelbinding
   * for the inburgering (issue 23). The privacy officer's work (lookups, erasure) needs no BRP request:
   * they see the name recorded at registration.
   */
  readBrpName: ['admin', 'team-lead', 'caseworker', 'reader'],
} as const satisfies Record<string, readonly Role[]>;
export type Ability = keyof typeof ABILITIES;

/** Per web page (`METHOD /path` under /app): the roles that may open or post it; others get a 403 page. */
export const PAGES: Record<string, readonly Role[]> = {
  'GET /inbox': READERS,
  'GET /tasks/:taskId': READERS,
  'POST /tasks/:taskId/claim': WORKERS,
  'POST /tasks/:taskId/unclaim': WORKERS,
  'POST /tasks/:taskId/reassign': WORKERS,
  'POST /tasks/:taskId/complete': WORKERS,
  'POST /tasks/redistribution': ['admin', 'team-lead'],
  'POST /staff/deactivation': ['admin', 'team-lead'],
  'GET /journeys/:journeyId': [...READERS, 'privacy-officer'],
  'POST /journeys/:journeyId/ladder': WORKERS,
  'POST /journeys/:journeyId/extension': WORKERS,
  'POST /journeys/:journeyId/instrument': WORKERS,
  'POST /journeys/:journeyId/instruments/:instrumentId/end': WORKERS,
  'GET /process': [...READERS, 'privacy-officer'],
  'GET /process/:file': [...READERS, 'privacy-officer'],
  'GET /journeys/:journeyId/process': [...READERS, 'privacy-officer'],
  'GET /admin': ['admin'],
  'GET /dashboard': ['admin'],
  // Issue 21: the person, registering, milestones, search, admin actions on the journey page.
  'POST /journeys/:journeyId/bsn': [...READERS, 'privacy-officer'],
  'GET /journeys/:journeyId/milestones': WORKERS,
  'POST /journeys/:journeyId/milestones': WORKERS,
  'GET /register': WORKERS,
  'POST /register': WORKERS,
  // Issue 23: the registration's BRP lookup (a prefill to confirm) and a BRP proposal confirmed on the journey page.
  'POST /register/brp': WORKERS,
  'POST /journeys/:journeyId/brp-proposal': WORKERS,
  'POST /journeys/:journeyId/end-withdrawal': ['admin'],
  'GET /search': [...READERS, 'privacy-officer'],
  'POST /search': [...READERS, 'privacy-officer'],
  'POST /search/export.csv': [...READERS, 'privacy-officer'],
  'GET /policies/:municipality': READERS,
  'POST /journeys/:journeyId/dates': ['admin'],
  'POST /journeys/:journeyId/move': ['admin'],
  'POST /journeys/:journeyId/caseworker': ['admin', 'team-lead'],
  'POST /journeys/:journeyId/erase': ['admin', 'privacy-officer'],
  // Issue 25: the downloads of the lists and the dashboard (the API's export operations check again).
  'GET /exports/journeys.csv': ['admin'],
  'GET /exports/tasks-mine.csv': READERS,
  'GET /exports/tasks-team.csv': READERS,
  'GET /exports/dashboard.csv': ['admin'],
  'GET /exports/dashboard.xlsx': ['admin'],
  'GET /exports/process-steps.csv': ['admin'],
  // Issue 23: the processing log (the API's operations check again).
  'GET /processing-log': ['privacy-officer'],
  'POST /processing-log': ['privacy-officer'],
  'POST /processing-log/export.csv': ['privacy-officer'],
};

/**
 * The role whose rights a staff member has where the law's own rules name roles (domain/reporting.ts,
 * an event's actor): a team lead is a caseworker there.
 */
export const domainRole = (role: Role): 'admin' | 'caseworker' | 'partner' | undefined =>
  role === 'admin' || role === 'caseworker' || role === 'partner' ? role : role === 'team-lead' ? 'caseworker' : undefined;

/** Where each role lands after signing in. */
export const HOME_PAGE: Record<PersonRole, string> = {
  admin: '/admin',
  'team-lead': '/inbox',
  caseworker: '/inbox',
  reader: '/inbox',
  'privacy-officer': '/search',
};

/** The roles an operation allows: the table's row, else (a route not yet in the table) what its spec declares. */
export function operationRoles(operationId: string, declared?: readonly Role[] | 'public'): readonly Role[] | 'public' | undefined {
  return OPERATIONS[operationId] ?? declared;
}

/** The roles a web page allows; undefined for a page not in the table (refused to everyone: a page must be listed). */
export const pageRoles = (method: string, path: string): readonly Role[] | undefined => PAGES[`${method.toUpperCase()} ${path}`];

/**
 * Whether a page may offer this role a link or form to `METHOD /path` (a route pattern of {@link PAGES},
 * e.g. `post`, `/tasks/:taskId/claim`): the same row the web app checks when it is followed, so no page
 * offers an action that ends in a 403 (trial finding 7).
 */
export const mayOpen = (principal: { role: Role }, method: string, path: string): boolean => pageRoles(method, path)?.includes(principal.role) === true;

/** Whether a role has an ability ({@link ABILITIES}). */
export const may = (principal: { role: Role }, ability: Ability): boolean => (ABILITIES[ability] as readonly Role[]).includes(principal.role);

/** The table as Markdown (docs/roles.md), generated so the document cannot drift from the code. */
export function permissionsMarkdown(): string {
  const mark = (roles: readonly Role[] | 'public', role: Role) => (roles === 'public' || roles.includes(role) ? 'yes' : '—');
  const header = (first: string) => [`| ${first} | ${ROLES.join(' | ')} |`, `|---|${ROLES.map(() => '---').join('|')}|`];
  const lines = [
    '# Roles and what each may see and do',
    '',
    '<!-- Generated from identity/permissions.ts by `npm run docs:roles`; test/unit/identity/identity.test.ts checks it. Do not edit by hand. -->',
    '',
    "Six roles. A member of staff gets theirs from their groups at the municipality's identity provider",
    '(see [identity.md](identity.md)); a chain partner is a system with an API key.',
    '',
    '| role | in the municipality |',
    '|---|---|',
    ...ROLES.map((role) => `| \`${role}\` | ${ROLE_NAMES_NL[role]} |`),
    '',
    '## API operations',
    '',
    'Per operationId of the OpenAPI document (`/v1/openapi.json`). A role without "yes" is answered 403; `public`: no credentials.',
    '',
    ...header('operation'),
    ...Object.entries(OPERATIONS).map(([operationId, roles]) => `| \`${operationId}\`${roles === 'public' ? ' (public)' : ''} | ${ROLES.map((r) => mark(roles, r)).join(' | ')} |`),
    '',
    '## Abilities inside an operation',
    '',
    ...header('ability'),
    ...Object.entries(ABILITIES).map(([ability, roles]) => `| ${ability} | ${ROLES.map((r) => mark(roles, r)).join(' | ')} |`),
    '',
    '## Web app pages (/app)',
    '',
    'Another role gets a 403 page before anything is read or changed.',
    '',
    ...header('page'),
    ...Object.entries(PAGES).map(([page, roles]) => `| \`${page}\` | ${ROLES.map((r) => mark(roles, r)).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}
