/**
 * Finding 1 of the second trial: every list and page says a journey's state in the same words, and a
 * journey that ended for a reason (the BRP's death or emigration) says so, not "loopt" or "afgerond".
 */
import { END_REASONS } from '../../../domain/journey-end';
import { JOURNEY_STATUSES } from '../../../api/temporal';
import { journeyStateText } from '../../../web/format';
import { LANGS, translator } from '../../../web/messages';

describe('the state a list shows', () => {
  it('says an end for a reason with its reason, whatever the run status', () => {
    const t = translator('nl');
    expect(journeyStateText(t, 'COMPLETED', { reason: 'deceased' })).toBe('beëindigd: overleden');
    expect(journeyStateText(t, 'running', { reason: 'emigrated' })).toBe('beëindigd: naar het buitenland vertrokken');
    expect(journeyStateText(translator('en'), 'completed', { reason: 'deceased' })).toBe('ended: died');
    for (const lang of LANGS) for (const reason of END_REASONS) expect(journeyStateText(translator(lang), 'completed', { reason })).not.toMatch(/journey|\{|\./);
  });

  it("says the run status in the same words whether the read model (completed) or the list (COMPLETED) spells it", () => {
    const t = translator('nl');
    expect(journeyStateText(t, 'RUNNING')).toBe('loopt');
    expect(journeyStateText(t, 'COMPLETED')).toBe('afgerond');
    for (const status of JOURNEY_STATUSES) {
      const listed = status.toUpperCase().replace(/-/g, '_');
      expect(journeyStateText(t, listed)).toBe(journeyStateText(t, status));
      expect(journeyStateText(t, status)).toBe(t(`journeyStatus.${status}`));
    }
    expect(journeyStateText(t, 'CANCELLED')).toBe(t('journeyStatus.canceled'));
  });
});
