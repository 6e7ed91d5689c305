import { addWorkingDays, dutchPublicHolidays, isPublicHoliday, isWorkingDay } from '../../../store/working-days';

describe('working days', () => {
  it('skip Koningsdag', () => {
    expect(isWorkingDay('2026-04-27')).toBe(false); // Monday, Koningsdag
    expect(addWorkingDays('2026-04-24', 1)).toBe('2026-04-28'); // Friday → Tuesday
    // 2025: the 27th is a Sunday, so Koningsdag is Saturday the 26th.
    expect(isPublicHoliday('2025-04-26')).toBe(true);
    expect(isPublicHoliday('2025-04-28')).toBe(false);
  });

  it('skip both Christmas days and the weekend', () => {
    expect(addWorkingDays('2025-12-24', 1)).toBe('2025-12-29'); // Thu 25, Fri 26, weekend
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-28'); // Fri 25, Sat 26, Sun 27
    expect(addWorkingDays('2026-12-29', -2)).toBe('2026-12-24');
  });

  it('follow Easter, Ascension and Whit Monday, and count 5 May (Algemene termijnenwet) but not Good Friday', () => {
    expect(isWorkingDay('2026-04-06')).toBe(false); // tweede paasdag
    expect(isWorkingDay('2026-05-14')).toBe(false); // Hemelvaartsdag
    expect(isWorkingDay('2026-05-25')).toBe(false); // tweede pinksterdag
    expect(isWorkingDay('2026-05-05')).toBe(false); // Bevrijdingsdag
    expect(isWorkingDay('2026-04-03')).toBe(true); // Goede Vrijdag
    expect(isWorkingDay('2026-01-01')).toBe(false);
    expect(isWorkingDay('2026-04-25')).toBe(false); // Saturday
    expect(isWorkingDay('2026-04-28')).toBe(true);
  });

  it('count ten working days across a holiday week', () => {
    // 24 Apr (Fri) + 10: 28, 29, 30 Apr, 1, 4, (not 5,) 6, 7, 8, 11, 12 May.
    expect(addWorkingDays('2026-04-24', 10)).toBe('2026-05-12');
    expect(addWorkingDays('2026-05-12', -10)).toBe('2026-04-24');
    expect(addWorkingDays('2026-04-27', 0)).toBe('2026-04-27');
  });

  it('list the holidays as data for workflows, across years', () => {
    const days = dutchPublicHolidays(2025, 2026);
    expect(days).toEqual(expect.arrayContaining(['2025-04-26', '2025-12-25', '2025-12-26', '2026-04-27', '2026-05-05', '2026-12-25']));
    expect(days).toEqual([...days].sort());
    expect(days.every((d) => d.startsWith('2025') || d.startsWith('2026'))).toBe(true);
  });

  it('refuse what is not a date', () => {
    expect(() => isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => addWorkingDays('2026-04-27', 1.5)).toThrow(RangeError);
  });
});
