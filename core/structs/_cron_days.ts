/**
 * The days of a given month a cron schedule runs on, combining the day-of-month and
 * day-of-week fields as cronexpr does: when both are restricted, a day matching either runs.
 *
 * @module
 */
import type { CronSchedule } from "./cron.ts";

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The weekday (Monday-Friday) nearest `day`, staying inside the month. */
function nearestWorkday(year: number, month: number, day: number, lastDay: number): number {
  const weekday = weekdayOf(year, month, day);
  if (weekday === 6) return day > 1 ? day - 1 : day + 2;
  if (weekday === 0) return day < lastDay ? day + 1 : day - 2;
  return day;
}

/**
 * The sorted days (1-31) of `month` (1-12) in `year` that `schedule` runs on.
 */
export function cronDaysOfMonth(schedule: CronSchedule, year: number, month: number): number[] {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const s = schedule;
  if (!s.daysOfMonthRestricted && !s.daysOfWeekRestricted) {
    return Array.from({ length: lastDay }, (_, i) => i + 1);
  }
  const days = new Set<number>();
  if (s.daysOfMonthRestricted) {
    if (s.lastDayOfMonth) days.add(lastDay);
    if (s.lastWorkdayOfMonth) days.add(nearestWorkday(year, month, lastDay, lastDay));
    for (const d of s.daysOfMonth) if (d <= lastDay) days.add(d);
    for (const d of s.workdaysOfMonth) {
      if (d <= lastDay) days.add(nearestWorkday(year, month, d, lastDay));
    }
  }
  if (s.daysOfWeekRestricted) {
    const first = weekdayOf(year, month, 1);
    const firstOf = (weekday: number) => 1 + ((weekday - first + 7) % 7);
    for (const weekday of s.daysOfWeek) {
      for (let d = firstOf(weekday); d <= lastDay; d += 7) days.add(d);
    }
    for (const { weekday, nth } of s.nthDaysOfWeek) {
      const d = firstOf(weekday) + 7 * (nth - 1);
      if (d <= lastDay) days.add(d);
    }
    const lastWeekStart = lastDay - 6;
    const lastWeekFirst = weekdayOf(year, month, lastWeekStart);
    for (const weekday of s.lastDaysOfWeek) {
      days.add(lastWeekStart + ((weekday - lastWeekFirst + 7) % 7));
    }
  }
  return [...days].sort((a, b) => a - b);
}
