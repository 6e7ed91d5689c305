/**
 * The pure domain of Koers: the journey rules as data and pure functions (dates in, dates out).
 * No I/O, no clock, no randomness, no Node built-ins: workflow code imports it inside Temporal's
 * deterministic sandbox. `today` is always a parameter.
 */
export * from './types';
export * from './vocabulary';
export * from './dates';
export * from './policy';
export * from './policies';
export * from './events';
export * from './facts';
export * from './clocks';
export * from './phase';
export * from './schedule';
export * from './tasks';
export * from './ladder';
export * from './instruments';
export * from './extensions';
export * from './inburgeringsplicht';
export * from './participatiewet';
export * from './journey-end';
export * from './task-forms';
export * from './admission';
export * from './termijnenwet';
export * from './reporting';
