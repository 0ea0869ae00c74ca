//! Seizure statistics by the UN Firearms Protocol's categories, from the operators' decisions
//! (schema `armscan.seizures/1`, documented field by field in `crates/serve/SEIZURES.md`, JSON
//! Schema in `crates/serve/seizures.schema.json`).
//!
//! What counts: the **latest** decision of each scan among the decisions made within the
//! window (a correction supersedes; one made after the window does not change it), then only
//! those of the site and lane asked for. A `threat` decision is an operator-confirmed seizure,
//! counted by period, site, lane, category (the Protocol's `firearm`, `part`, `ammunition`;
//! `other` kept apart) and fine class. A `search` (the parcel referred to a hand search) is its
//! own figure, never a seizure; a `clear` is counted as decided only. The engine's alarms are
//! never counted: a scan without an operator's decision is not in the statistics. Rounds of
//! ammunition are summed where the decision gives them; the ammunition decisions that give
//! none are counted, never guessed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::db::{csv_field, DecisionRow, ShiftWindow};

/// The export's schema id.
pub const SEIZURES_SCHEMA: &str = "armscan.seizures/1";

/// The decision categories in report order: the Protocol's three, then `other`.
pub const SEIZURE_CATEGORIES: [&str; 4] = ["firearm", "part", "ammunition", "other"];

/// The bucket a decision's UTC time falls in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// A UTC day: `2026-03-01`.
    Day,
    /// An ISO 8601 week (Monday to Sunday, week 1 holds the year's first Thursday):
    /// `2026-W09`; the first days of January can belong to the year before (`2020-W53`).
    Week,
    /// A calendar month: `2026-03`.
    #[default]
    Month,
    /// A calendar quarter: `2026-Q1`.
    Quarter,
    /// A calendar year: `2026`.
    Year,
}

impl PeriodKind {
    /// Every kind, shortest first.
    pub const ALL: [Self; 5] = [
        Self::Day,
        Self::Week,
        Self::Month,
        Self::Quarter,
        Self::Year,
    ];

    /// Parses the API's word.
    #[must_use]
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == word)
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    /// The period holding a UTC time (`YYYY-MM-DD...`, only the date is read): its label and
    /// its first day (`YYYY-MM-DD`). `None` when the time does not start with a valid date.
    #[must_use]
    pub fn period_of(self, utc: &str) -> Option<(String, String)> {
        let (y, m, d) = parse_date(utc)?;
        let day = |y: i64, m: u32, d: u32| format!("{y:04}-{m:02}-{d:02}");
        Some(match self {
            Self::Day => (day(y, m, d), day(y, m, d)),
            Self::Week => {
                let z = days_from_civil(y, m, d);
                let weekday = (z + 3).rem_euclid(7); // 0 Monday .. 6 Sunday
                let monday = z - weekday;
                let thursday = monday + 3;
                let (iso_year, _, _) = civil_from_days(thursday);
                let week = (thursday - days_from_civil(iso_year, 1, 1)) / 7 + 1;
                let (my, mm, md) = civil_from_days(monday);
                (format!("{iso_year:04}-W{week:02}"), day(my, mm, md))
            }
            Self::Month => (format!("{y:04}-{m:02}"), day(y, m, 1)),
            Self::Quarter => {
                let q = (m - 1) / 3 + 1;
                (format!("{y:04}-Q{q}"), day(y, (q - 1) * 3 + 1, 1))
            }
            Self::Year => (format!("{y:04}"), day(y, 1, 1)),
        })
    }
}

impl std::fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `YYYY-MM-DD` at the start of `s`, a real calendar day.
fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (y, m, d) = (i64::from(num(0..4)?), num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    // the day must exist: a round trip through the day count keeps it
    (civil_from_days(days_from_civil(y, m, d)) == (y, m, d)).then_some((y, m, d))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Which decisions the statistics cover and how they are bucketed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SeizureQuery {
    /// Decisions made within this window (its latest decision per scan counts).
    pub window: ShiftWindow,
    /// The period of each row.
    pub period: PeriodKind,
    /// Only decisions made at this site (`None`: every site, and none).
    pub site: Option<String>,
    /// Only decisions made at this lane (`None`: every lane, and none).
    pub lane: Option<String>,
}

impl SeizureQuery {
    #[must_use]
    pub fn with_window(mut self, window: ShiftWindow) -> Self {
        self.window = window;
        self
    }

    #[must_use]
    pub fn with_period(mut self, period: PeriodKind) -> Self {
        self.period = period;
        self
    }

    /// Keeps one site (an empty name: every site).
    #[must_use]
    pub fn with_site(mut self, site: Option<String>) -> Self {
        self.site = site.filter(|s| !s.is_empty());
        self
    }

    /// Keeps one lane (an empty name: every lane).
    #[must_use]
    pub fn with_lane(mut self, lane: Option<String>) -> Self {
        self.lane = lane.filter(|s| !s.is_empty());
        self
    }
}

/// Seizures of one category, over the whole window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CategoryTotals {
    /// Parcels (scans) whose decision is a seizure of this category.
    pub scans: u64,
    /// Items recorded: one per seizure decision (a decision records one item class; rounds of
    /// ammunition are counted apart, in `rounds`).
    pub items: u64,
}

/// The statistics' totals over the window (and site and lane, when asked for).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeizureTotals {
    /// Decision rows in the window, corrections included, of the site and lane asked for.
    pub decision_rows: u64,
    /// Scans counted: those with a decision in the window (their latest one).
    pub scans_decided: u64,
    /// Scans whose latest decision is `clear`.
    pub clear_scans: u64,
    /// Scans referred to a hand search (`search`): not seizures.
    pub search_scans: u64,
    /// Scans whose latest decision is a seizure (`threat`), every category.
    pub seizure_scans: u64,
    /// Items seized, every category.
    pub seizure_items: u64,
    /// Seizures in the Protocol's categories (firearm, part, ammunition): scans.
    pub protocol_scans: u64,
    /// Seizures in the Protocol's categories: items.
    pub protocol_items: u64,
    pub firearm: CategoryTotals,
    pub part: CategoryTotals,
    pub ammunition: CategoryTotals,
    /// Not a Protocol category: kept apart, in no Protocol total.
    pub other: CategoryTotals,
    /// Rounds of ammunition, summed over the ammunition seizures that give them.
    pub ammunition_rounds: u64,
    /// Ammunition seizures that give their rounds.
    pub ammunition_decisions_with_rounds: u64,
    /// Ammunition seizures that do not: their rounds are unknown, not zero.
    pub ammunition_decisions_without_rounds: u64,
}

impl SeizureTotals {
    /// The totals of a category word (`firearm`, `part`, `ammunition`, `other`).
    #[must_use]
    pub fn category(&self, category: &str) -> Option<&CategoryTotals> {
        match category {
            "firearm" => Some(&self.firearm),
            "part" => Some(&self.part),
            "ammunition" => Some(&self.ammunition),
            "other" => Some(&self.other),
            _ => None,
        }
    }

    fn category_mut(&mut self, category: &str) -> &mut CategoryTotals {
        match category {
            "firearm" => &mut self.firearm,
            "part" => &mut self.part,
            "ammunition" => &mut self.ammunition,
            _ => &mut self.other,
        }
    }
}

/// Seizures of one period × site × lane × category × fine class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeizureRow {
    /// The period's label (`2026-03-01`, `2026-W09`, `2026-03`, `2026-Q1`, `2026`).
    pub period: String,
    /// The period's first day, `YYYY-MM-DD`.
    pub period_start: String,
    pub site: Option<String>,
    pub lane: Option<String>,
    /// `firearm`, `part`, `ammunition` or `other`.
    pub category: String,
    /// Whether `category` is one of the Protocol's three.
    pub protocol: bool,
    /// The fine class, `None` where the decision gave none.
    pub fine_class: Option<String>,
    pub scans: u64,
    pub items: u64,
    /// Ammunition only: rounds summed over the decisions that give them.
    pub rounds: Option<u64>,
    /// Ammunition only: decisions that give no rounds.
    pub rounds_missing: Option<u64>,
}

/// Hand-search referrals of one period × site × lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SearchRow {
    pub period: String,
    pub period_start: String,
    pub site: Option<String>,
    pub lane: Option<String>,
    /// Scans referred to a hand search.
    pub scans: u64,
}

/// The site and lane asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeizureFilters {
    pub site: Option<String>,
    pub lane: Option<String>,
}

/// The export `armscan.seizures/1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeizureStats {
    /// [`SEIZURES_SCHEMA`].
    pub schema: String,
    /// When the statistics were made, UTC.
    pub generated_utc: String,
    /// The decisions counted.
    pub window: ShiftWindow,
    /// The period of each row.
    pub period: PeriodKind,
    pub filters: SeizureFilters,
    pub totals: SeizureTotals,
    /// Seizures, by period, site, lane, category (report order), fine class.
    pub rows: Vec<SeizureRow>,
    /// Hand-search referrals, by period, site and lane.
    pub searches: Vec<SearchRow>,
}

type RowKey = (
    String,
    Option<String>,
    Option<String>,
    usize,
    Option<String>,
);
type PlaceKey = (String, Option<String>, Option<String>);

/// The statistics of a list of decision rows (oldest first, e.g. [`crate::DecisionDb::all`]).
/// Pure: the same rows, query and time give the same export.
#[must_use]
pub fn seizure_stats(
    all: &[DecisionRow],
    query: &SeizureQuery,
    generated_utc: &str,
) -> SeizureStats {
    let here = |r: &DecisionRow| {
        query
            .site
            .as_ref()
            .is_none_or(|s| r.site.as_ref() == Some(s))
            && query
                .lane
                .as_ref()
                .is_none_or(|l| r.lane.as_ref() == Some(l))
    };
    let mut latest: BTreeMap<&str, &DecisionRow> = BTreeMap::new();
    for row in all.iter().filter(|r| query.window.contains(&r.decided_utc)) {
        latest.insert(&row.scan_id, row);
    }
    let mut totals = SeizureTotals {
        decision_rows: all
            .iter()
            .filter(|r| query.window.contains(&r.decided_utc) && here(r))
            .count() as u64,
        ..SeizureTotals::default()
    };
    let mut rows: BTreeMap<RowKey, SeizureRow> = BTreeMap::new();
    let mut searches: BTreeMap<PlaceKey, SearchRow> = BTreeMap::new();
    for row in latest.values().filter(|r| here(r)) {
        totals.scans_decided += 1;
        let (period, period_start) = query
            .period
            .period_of(&row.decided_utc)
            .unwrap_or_else(|| ("unknown".into(), String::new()));
        match row.decision.as_str() {
            "threat" => {}
            "search" => {
                totals.search_scans += 1;
                let key = (period.clone(), row.site.clone(), row.lane.clone());
                searches
                    .entry(key)
                    .or_insert_with(|| SearchRow {
                        period,
                        period_start,
                        site: row.site.clone(),
                        lane: row.lane.clone(),
                        scans: 0,
                    })
                    .scans += 1;
                continue;
            }
            _ => {
                totals.clear_scans += 1;
                continue;
            }
        }
        // a threat without a category (never written by the console) is kept apart as other
        let category = row
            .category
            .as_deref()
            .filter(|c| SEIZURE_CATEGORIES.contains(c))
            .unwrap_or("other");
        let order = SEIZURE_CATEGORIES
            .iter()
            .position(|c| *c == category)
            .unwrap_or(3);
        let protocol = category != "other";
        let ammunition = category == "ammunition";
        let fine_class = row.fine_class.clone().filter(|f| !f.is_empty());
        let rounds = row.rounds.and_then(|n| u64::try_from(n).ok());
        totals.seizure_scans += 1;
        totals.seizure_items += 1;
        if protocol {
            totals.protocol_scans += 1;
            totals.protocol_items += 1;
        }
        let cat = totals.category_mut(category);
        cat.scans += 1;
        cat.items += 1;
        if ammunition {
            match rounds {
                Some(n) => {
                    totals.ammunition_rounds += n;
                    totals.ammunition_decisions_with_rounds += 1;
                }
                None => totals.ammunition_decisions_without_rounds += 1,
            }
        }
        let key = (
            period.clone(),
            row.site.clone(),
            row.lane.clone(),
            order,
            fine_class.clone(),
        );
        let r = rows.entry(key).or_insert_with(|| SeizureRow {
            period,
            period_start,
            site: row.site.clone(),
            lane: row.lane.clone(),
            category: category.to_owned(),
            protocol,
            fine_class,
            scans: 0,
            items: 0,
            rounds: ammunition.then_some(0),
            rounds_missing: ammunition.then_some(0),
        });
        r.scans += 1;
        r.items += 1;
        if ammunition {
            match rounds {
                Some(n) => r.rounds = Some(r.rounds.unwrap_or(0) + n),
                None => r.rounds_missing = Some(r.rounds_missing.unwrap_or(0) + 1),
            }
        }
    }
    SeizureStats {
        schema: SEIZURES_SCHEMA.to_owned(),
        generated_utc: generated_utc.to_owned(),
        window: query.window.clone(),
        period: query.period,
        filters: SeizureFilters {
            site: query.site.clone(),
            lane: query.lane.clone(),
        },
        totals,
        rows: rows.into_values().collect(),
        searches: searches.into_values().collect(),
    }
}

/// The CSV's header: one row per period × site × lane × category × fine class × measure.
pub const SEIZURES_CSV_HEADER: &str =
    "period,period_start,site,lane,category,protocol,fine_class,measure,value";

/// The statistics as long-format CSV ([`SEIZURES_CSV_HEADER`]): for each seizure row the
/// measures `scans` and `items`, and for ammunition `rounds` and `rounds_missing`; for each
/// hand-search row the measure `search_scans` (category and fine class empty, protocol
/// `false`). Empty fields are "none" (no site, lane or fine class given).
#[must_use]
pub fn seizures_csv(stats: &SeizureStats) -> String {
    let mut out = String::from(SEIZURES_CSV_HEADER);
    out.push('\n');
    let mut line =
        |place: [&str; 4], category: &str, protocol: bool, fine: &str, m: &str, v: u64| {
            let fields = [
                csv_field(place[0]),
                csv_field(place[1]),
                csv_field(place[2]),
                csv_field(place[3]),
                csv_field(category),
                protocol.to_string(),
                csv_field(fine),
                m.to_owned(),
                v.to_string(),
            ];
            out.push_str(&fields.join(","));
            out.push('\n');
        };
    for r in &stats.rows {
        let place = [
            r.period.as_str(),
            r.period_start.as_str(),
            r.site.as_deref().unwrap_or(""),
            r.lane.as_deref().unwrap_or(""),
        ];
        let fine = r.fine_class.as_deref().unwrap_or("");
        line(place, &r.category, r.protocol, fine, "scans", r.scans);
        line(place, &r.category, r.protocol, fine, "items", r.items);
        if let Some(n) = r.rounds {
            line(place, &r.category, r.protocol, fine, "rounds", n);
        }
        if let Some(n) = r.rounds_missing {
            line(place, &r.category, r.protocol, fine, "rounds_missing", n);
        }
    }
    for s in &stats.searches {
        let place = [
            s.period.as_str(),
            s.period_start.as_str(),
            s.site.as_deref().unwrap_or(""),
            s.lane.as_deref().unwrap_or(""),
        ];
        line(place, "", false, "", "search_scans", s.scans);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(d: &str) -> (String, String) {
        PeriodKind::Week.period_of(d).unwrap()
    }

    #[test]
    fn iso_weeks_across_year_boundaries() {
        // 2021-01-03 is a Sunday: the last day of 2020's week 53
        assert_eq!(week("2021-01-03"), ("2020-W53".into(), "2020-12-28".into()));
        assert_eq!(week("2021-01-04"), ("2021-W01".into(), "2021-01-04".into()));
        // 2024-12-30 is a Monday: week 1 of 2025
        assert_eq!(week("2024-12-30"), ("2025-W01".into(), "2024-12-30".into()));
        assert_eq!(week("2025-01-05T23:59:59Z").0, "2025-W01");
        // 2026 starts on a Thursday: it has 53 weeks and 2027-01-01..03 are in its week 53
        assert_eq!(week("2026-01-01"), ("2026-W01".into(), "2025-12-29".into()));
        assert_eq!(week("2026-12-31").0, "2026-W53");
        assert_eq!(week("2027-01-03"), ("2026-W53".into(), "2026-12-28".into()));
        assert_eq!(week("2027-01-04").0, "2027-W01");
        assert_eq!(week("2008-12-29").0, "2009-W01");
        assert_eq!(week("2026-03-01T12:00:00Z").0, "2026-W09");
        // a leap day
        assert_eq!(week("2024-02-29"), ("2024-W09".into(), "2024-02-26".into()));
    }

    #[test]
    fn days_months_quarters_years() {
        let p = |k: PeriodKind, d: &str| k.period_of(d).unwrap();
        let t = "2026-03-31T23:59:59Z";
        assert_eq!(
            p(PeriodKind::Day, t),
            ("2026-03-31".into(), "2026-03-31".into())
        );
        assert_eq!(
            p(PeriodKind::Month, t),
            ("2026-03".into(), "2026-03-01".into())
        );
        assert_eq!(
            p(PeriodKind::Quarter, t),
            ("2026-Q1".into(), "2026-01-01".into())
        );
        assert_eq!(
            p(PeriodKind::Quarter, "2026-04-01"),
            ("2026-Q2".into(), "2026-04-01".into())
        );
        assert_eq!(
            p(PeriodKind::Quarter, "2026-12-31"),
            ("2026-Q4".into(), "2026-10-01".into())
        );
        assert_eq!(p(PeriodKind::Year, t), ("2026".into(), "2026-01-01".into()));
        for bad in [
            "",
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "26-01-01",
            "2026-1-01x",
        ] {
            assert_eq!(PeriodKind::Day.period_of(bad), None, "{bad}");
        }
        for k in PeriodKind::ALL {
            assert_eq!(PeriodKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(PeriodKind::parse("fortnight"), None);
        // the day count agrees with the Unix epoch and with a known date
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 3, 1), 20_513);
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
    }

    fn row(
        scan: &str,
        t: &str,
        decision: &str,
        category: Option<&str>,
        fine: Option<&str>,
        rounds: Option<i64>,
        site: Option<&str>,
    ) -> DecisionRow {
        DecisionRow {
            id: 0,
            decided_utc: t.into(),
            operator: "ana".into(),
            scan_id: scan.into(),
            scan_name: format!("{scan}.png"),
            scan_sha256: None,
            engine_status: "alarm".into(),
            engine_top_score: None,
            decision: decision.into(),
            category: category.map(Into::into),
            note: None,
            tools: String::new(),
            display_to_decision_ms: None,
            fine_class: fine.map(Into::into),
            rounds,
            site: site.map(Into::into),
            lane: None,
        }
    }

    #[test]
    fn latest_threats_are_seizures_searches_apart() {
        let d = "2026-03-02T10:00:00Z";
        let rows = vec![
            row(
                "a",
                d,
                "threat",
                Some("firearm"),
                Some("pistol"),
                None,
                Some("north"),
            ),
            // a corrected to ammunition with 20 rounds
            row(
                "a",
                d,
                "threat",
                Some("ammunition"),
                Some("cartridge"),
                Some(20),
                Some("north"),
            ),
            row(
                "b",
                d,
                "threat",
                Some("ammunition"),
                Some("cartridge"),
                None,
                Some("north"),
            ),
            row("c", d, "search", None, None, None, Some("north")),
            row("d", d, "threat", Some("other"), None, None, Some("south")),
            // e was a threat, then cleared: not a seizure
            row(
                "e",
                d,
                "threat",
                Some("part"),
                Some("barrel"),
                None,
                Some("north"),
            ),
            row("e", d, "clear", None, None, None, Some("north")),
            // outside the window
            row(
                "f",
                "2026-05-01T00:00:00Z",
                "threat",
                Some("firearm"),
                None,
                None,
                None,
            ),
        ];
        let rows: Vec<DecisionRow> = rows
            .into_iter()
            .zip(1..)
            .map(|(r, id)| DecisionRow { id, ..r })
            .collect();
        let window = ShiftWindow::parse(Some("2026-03-01"), Some("2026-04-01")).unwrap();
        let q = SeizureQuery::default().with_window(window);
        let s = seizure_stats(&rows, &q, "2026-04-01T00:00:00Z");
        let t = &s.totals;
        assert_eq!((t.decision_rows, t.scans_decided), (7, 5));
        assert_eq!(
            (
                t.seizure_scans,
                t.protocol_scans,
                t.search_scans,
                t.clear_scans
            ),
            (3, 2, 1, 1)
        );
        assert_eq!(
            (
                t.firearm.scans,
                t.ammunition.scans,
                t.other.scans,
                t.part.scans
            ),
            (0, 2, 1, 0)
        );
        assert_eq!(t.ammunition_rounds, 20);
        assert_eq!(
            (
                t.ammunition_decisions_with_rounds,
                t.ammunition_decisions_without_rounds
            ),
            (1, 1)
        );
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].category, "ammunition");
        assert_eq!(
            (s.rows[0].rounds, s.rows[0].rounds_missing),
            (Some(20), Some(1))
        );
        assert_eq!(
            (s.rows[1].category.as_str(), s.rows[1].protocol),
            ("other", false)
        );
        assert_eq!(s.rows[1].rounds, None);
        assert_eq!(s.searches.len(), 1);
        let csv = seizures_csv(&s);
        assert_eq!(csv.lines().next(), Some(SEIZURES_CSV_HEADER));
        assert!(
            csv.contains("\n2026-03,2026-03-01,north,,ammunition,true,cartridge,rounds,20\n"),
            "{csv}"
        );
        assert!(
            csv.contains("\n2026-03,2026-03-01,north,,,false,,search_scans,1\n"),
            "{csv}"
        );
        // one site
        let north = seizure_stats(&rows, &q.clone().with_site(Some("north".into())), "x");
        assert_eq!(
            (north.totals.seizure_scans, north.totals.other.scans),
            (2, 0)
        );
        assert_eq!(north.totals.decision_rows, 6);
    }
}
