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

type TemporalLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** The Temporal SDK's logger interface, writing into the same JSON log stream. */
export function temporalLogger(logger: pino.Logger) {
  const write = (level: TemporalLogLevel, message: string, meta?: Record<string, unknown>) =>
    logger[level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error']({ temporal: meta ?? {} }, message);
  return {
    log: write,
    trace: (message: string, meta?: Record<string, unknown>) => write('TRACE', message, meta),
    debug: (message: string, meta?: Record<string, unknown>) => write('DEBUG', message, meta),
    info: (message: string, meta?: Record<string, unknown>) => write('INFO', message, meta),
    warn: (message: string, meta?: Record<string, unknown>) => write('WARN', message, meta),
    error: (message: string, meta?: Record<string, unknown>) => write('ERROR', message, meta),
  };
}
