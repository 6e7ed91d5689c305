import pino from 'pino';

/**
 * Structured JSON logs. Personal data never goes in: callers log journey ids and event types,
 * and the redact list is a second line of defence for fields that must never leak.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'koers' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['bsn', '*.bsn', 'birthDate', '*.birthDate', 'name', '*.name', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination,
  );
}

export type Logger = pino.Logger;
