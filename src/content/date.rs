//! Publication dates.
//!
//! Authors write `2023-06-01`, `2023-06-01 09:30` or a full RFC 3339 timestamp. A date
//! without an offset is China time (UTC+8); a timestamp with another offset is converted to
//! it, so every date on the site reads in the time its readers live in.

use jiff::civil::DateTime;
use jiff::tz::Offset;
use std::fmt::Write;

/// A date and time in China time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    time: DateTime,
}

const CHINA_HOURS: i8 = 8;

impl Date {
    /// Parses a front-matter date. The error is a Chinese explanation for the author.
    pub fn parse(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let help = "日期应当写成 2023-06-01，或带时间写成 2023-06-01 09:30";
        if text.is_empty() {
            return Err(format!("日期是空的；{help}"));
        }
        let tail = text.get(10..).unwrap_or("");
        let has_offset = !tail.is_empty()
            && (tail.ends_with(['Z', 'z']) || tail.contains('+') || tail.contains('-'));
        let parsed = if has_offset {
            text.parse::<jiff::Timestamp>()
                .map(|ts| china().to_datetime(ts))
        } else if text.len() == 10 {
            text.parse::<jiff::civil::Date>()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        } else {
            text.parse::<DateTime>()
        };
        match parsed {
            Ok(time) => Ok(Date { time }),
            Err(_) if looks_like_a_date(text) => Err(format!(
                "日期“{text}”不存在，请检查月份和日子（例如 2 月没有 30 日）"
            )),
            Err(_) => Err(format!("看不懂日期“{text}”；{help}")),
        }
    }

    /// Today (or the time given by `SOURCE_DATE_EPOCH`, for reproducible builds), China time.
    pub fn today() -> Date {
        let now = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
            .unwrap_or_else(jiff::Timestamp::now);
        Date {
            time: china().to_datetime(now),
        }
    }

    /// Whether an item that `expires:` at this date is down by `now`: a date alone keeps it up
    /// through that whole day (`expires: 2026-12-31` is gone on January 1st), a date with a
    /// time until that time.
    pub fn expired_by(&self, now: Date) -> bool {
        let end = if self.time.time() == jiff::civil::Time::midnight() {
            self.time
                .date()
                .tomorrow()
                .map_or(self.time, |d| d.to_datetime(jiff::civil::Time::midnight()))
        } else {
            self.time
        };
        now.time >= end
    }

    /// This moment `days` days on.
    pub fn days_later(&self, days: i64) -> Date {
        Date {
            time: self
                .time
                .checked_add(jiff::Span::new().days(days))
                .unwrap_or(self.time),
        }
    }

    /// `2023-06-01`, for lists and machine-readable places.
    pub fn iso(&self) -> String {
        let d = self.time.date();
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    }

    /// `2023年6月1日`, as Chinese readers write it (no zero padding).
    pub fn chinese(&self) -> String {
        let d = self.time.date();
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }

    /// `2023年6月1日`, or `2023年6月1日 09:30` when a time other than midnight was given.
    pub fn chinese_time(&self) -> String {
        let t = self.time.time();
        if t == jiff::civil::Time::midnight() {
            self.chinese()
        } else {
            format!("{} {:02}:{:02}", self.chinese(), t.hour(), t.minute())
        }
    }

    /// `2023-06-01T09:30:00+08:00`, for feeds, sitemaps and structured data.
    pub fn rfc3339(&self) -> String {
        let mut s = self.iso();
        let t = self.time.time();
        let _ = write!(
            s,
            "T{:02}:{:02}:{:02}+{:02}:00",
            t.hour(),
            t.minute(),
            t.second(),
            CHINA_HOURS
        );
        s
    }

    /// `2023-06`, the key of the month the date falls in.
    pub fn month_key(&self) -> String {
        let d = self.time.date();
        format!("{:04}-{:02}", d.year(), d.month())
    }

    /// The civil date and time, China time.
    pub fn civil(&self) -> DateTime {
        self.time
    }
}

fn china() -> Offset {
    Offset::constant(CHINA_HOURS)
}

fn looks_like_a_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Checks a `YYYY-MM` month key.
pub fn parse_month(text: &str) -> Result<String, String> {
    let text = text.trim();
    let ok = text.len() == 7
        && text.as_bytes()[4] == b'-'
        && text[..4].bytes().all(|b| b.is_ascii_digit())
        && matches!(text[5..].parse::<u8>(), Ok(1..=12));
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!("月份“{text}”应当写成 年-月，例如 2023-06"))
    }
}

/// `2023年6月` for a `YYYY-MM` key.
pub fn month_chinese(key: &str) -> String {
    match key.split_once('-') {
        Some((year, month)) => {
            let month = month
                .parse::<u8>()
                .map_or(month.to_string(), |m| m.to_string());
            format!("{year}年{month}月")
        }
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let cases = [
            ("2023-06-01", "2023-06-01T00:00:00+08:00", "2023年6月1日"),
            (
                "2023-06-01 09:30",
                "2023-06-01T09:30:00+08:00",
                "2023年6月1日",
            ),
            (
                "2023-06-01T09:30:15",
                "2023-06-01T09:30:15+08:00",
                "2023年6月1日",
            ),
            (
                "2023-12-04T01:00:00Z",
                "2023-12-04T09:00:00+08:00",
                "2023年12月4日",
            ),
            (
                "2023-05-31T20:00:00-04:00",
                "2023-06-01T08:00:00+08:00",
                "2023年6月1日",
            ),
        ];
        for (input, rfc, zh) in cases {
            let d = Date::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(d.rfc3339(), rfc, "{input}");
            assert_eq!(d.chinese(), zh, "{input}");
        }
    }

    #[test]
    fn rejected_forms_explain_themselves() {
        assert!(Date::parse("2023-02-30").unwrap_err().contains("不存在"));
        assert!(Date::parse("2023-13-01").unwrap_err().contains("不存在"));
        assert!(Date::parse("六月一日").unwrap_err().contains("看不懂"));
        assert!(Date::parse("").unwrap_err().contains("空"));
    }

    #[test]
    fn months() {
        assert_eq!(parse_month("2023-06").unwrap(), "2023-06");
        assert!(parse_month("2023-6").is_err());
        assert!(parse_month("2023-13").is_err());
        assert_eq!(month_chinese("2023-06"), "2023年6月");
        assert_eq!(Date::parse("2023-06-30").unwrap().month_key(), "2023-06");
    }
}
