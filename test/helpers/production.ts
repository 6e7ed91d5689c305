import { PROCESSING_ACTIVITIES } from '../../processing-log';

/**
 * `KOERS_PROCESSING_ACTIVITIES` as a municipality sets it in production mode (which refuses the
 * development register): every processing activity with a URI in a test register.
 */
export const PRODUCTION_PROCESSING_ACTIVITIES = PROCESSING_ACTIVITIES.map((activity) => `${activity}=https://register.gemeente.test/verwerkingen/${activity}`).join(',');
