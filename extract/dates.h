/* dates.h - calendar dates as day numbers (proleptic Gregorian), for period arithmetic:
 * parsing and writing ISO dates, adding months and years, and the month-end rules statement
 * periods follow ("year ended December 31, 2023" starts on January 1, 2023).
 * Owns nothing. Threading: reentrant, no state.
 */
#ifndef DS_EXTRACT_DATES_H
#define DS_EXTRACT_DATES_H

/* Days since 1970-01-01 of a valid y-m-d (month 1..12, day 1..days in month). */
long ds_date_from_ymd(int y, int m, int d);
void ds_date_to_ymd(long days, int *y, int *m, int *d);
/* Parses "YYYY-MM-DD" (exactly); 0 on success with *days set, -1 when not a valid date. */
int ds_date_parse(const char *iso, long *days);
/* Writes "YYYY-MM-DD" into out (11 bytes). */
void ds_date_format(long days, char out[11]);
int ds_date_days_in_month(int y, int m);
/* The first day of a period of `months` months that ends on `end` (inclusive): one day after
 * the same day `months` months earlier, or the first of the month when end is a month end
 * (March 31 back 3 months is January 1; September 30 back 12 months is October 1). */
long ds_date_period_start(long end, int months);

#endif
