//! `armscan stats`: seizure statistics by UN Firearms Protocol category from a console's
//! decisions database (`armscan.seizures/1`; counted by `armscan_serve::seizures`, the same
//! figures as the console's `/stats` page and `GET /api/stats`). The database is opened
//! read-only: nothing in it is created or changed.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use armscan_serve::seizures::SeizureStats;
use armscan_serve::{seizures_csv, DecisionDb, PeriodKind, SeizureQuery, ShiftWindow};

use crate::args::{StatsArgs, StatsFormat, StatsPeriod};

impl From<StatsPeriod> for PeriodKind {
    fn from(p: StatsPeriod) -> Self {
        match p {
            StatsPeriod::Day => PeriodKind::Day,
            StatsPeriod::Week => PeriodKind::Week,
            StatsPeriod::Month => PeriodKind::Month,
            StatsPeriod::Quarter => PeriodKind::Quarter,
            StatsPeriod::Year => PeriodKind::Year,
        }
    }
}

pub fn run(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    // the window's message names its end (`from: ...`): the flag is `--from`
    let window = ShiftWindow::parse(args.from.as_deref(), args.to.as_deref())
        .map_err(|e| anyhow::anyhow!("--{e}"))?;
    let db = DecisionDb::open_read_only(&args.db)?;
    let query = SeizureQuery::default()
        .with_window(window)
        .with_period(args.period.into())
        .with_site(args.site.clone())
        .with_lane(args.lane.clone());
    let stats = db.seizures(&query, &armscan::now_utc())?;
    let body = match args.format {
        StatsFormat::Text => text(&stats),
        StatsFormat::Json => {
            let mut json = serde_json::to_string_pretty(&stats)?;
            json.push('\n');
            json
        }
        StatsFormat::Csv => seizures_csv(&stats),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, body).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "armscan: {} seizures ({} scans decided) written to {}",
                stats.totals.seizure_scans,
                stats.totals.scans_decided,
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(body.as_bytes())
                .and_then(|()| out.flush())
                .context("writing to stdout")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The statistics for a terminal: the window and totals, then one line per row.
fn text(s: &SeizureStats) -> String {
    let t = &s.totals;
    let mut out = format!(
        "Seizures by Protocol category ({schema}), from the operators' decisions\n\
         window: {from} to {to} (UTC) · period: {period} · site: {site} · lane: {lane}\n\
         scans decided: {decided} ({rows} decision rows) · cleared: {clear} · \
         referred to hand search (not seizures): {search}\n\
         seizures: {seized} · firearm {firearm} · part {part} · ammunition {ammunition} · \
         Protocol total {protocol} · other (not Protocol) {other}\n\
         ammunition rounds: {rounds} (decisions giving rounds: {with}; giving none: {without})\n",
        schema = s.schema,
        from = s.window.from_utc.as_deref().unwrap_or("the first decision"),
        to = s.window.to_utc.as_deref().unwrap_or("now"),
        period = s.period,
        site = s.filters.site.as_deref().unwrap_or("all"),
        lane = s.filters.lane.as_deref().unwrap_or("all"),
        decided = t.scans_decided,
        rows = t.decision_rows,
        clear = t.clear_scans,
        search = t.search_scans,
        seized = t.seizure_scans,
        firearm = t.firearm.scans,
        part = t.part.scans,
        ammunition = t.ammunition.scans,
        protocol = t.protocol_scans,
        other = t.other.scans,
        rounds = t.ammunition_rounds,
        with = t.ammunition_decisions_with_rounds,
        without = t.ammunition_decisions_without_rounds,
    );
    if s.rows.is_empty() {
        out.push_str("\nno seizures in this window\n");
        return out;
    }
    let dash = |v: Option<&str>| v.unwrap_or("-").to_owned();
    let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut table = vec![[
        "period".to_owned(),
        "site".into(),
        "lane".into(),
        "category".into(),
        "fine class".into(),
        "scans".into(),
        "items".into(),
        "rounds".into(),
        "without rounds".into(),
    ]];
    for r in &s.rows {
        table.push([
            r.period.clone(),
            dash(r.site.as_deref()),
            dash(r.lane.as_deref()),
            r.category.clone(),
            dash(r.fine_class.as_deref()),
            r.scans.to_string(),
            r.items.to_string(),
            num(r.rounds),
            num(r.rounds_missing),
        ]);
    }
    let mut widths = [0usize; 9];
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    out.push('\n');
    for row in &table {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i >= 5 {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
