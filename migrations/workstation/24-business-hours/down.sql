DROP TRIGGER peak_days_bounded;
DROP TABLE peak_days;
DROP TABLE business_hours;
DROP TABLE business_calendar;
