//! Server-rendered pages (maud) and the page's script and style, embedded in the binary.

use maud::{html, Markup, DOCTYPE};

use armscan_core::taxonomy::KNOWN_FINE_CLASSES;
use armscan_core::Category;

use crate::db::ShiftReport;
use crate::seizures::{PeriodKind, SeizureStats};

/// The page's script: plain JavaScript, no build step, nothing fetched from elsewhere.
pub const APP_JS: &str = include_str!("assets/app.js");
/// The page's style.
pub const APP_CSS: &str = include_str!("assets/app.css");

pub(crate) fn shell(
    title: &str,
    operator: Option<&str>,
    view: &str,
    data: &str,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " · armscan console" }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body data-view=(view) data-id=(data) {
                header {
                    a href="/" { "armscan console" }
                    @if let Some(op) = operator {
                        span.who { "operator " b { (op) } }
                        a href="/report" { "shift report" }
                        a href="/stats" { "seizures" }
                        a href="/trainer" { "trainer" }
                        button #logout type="button" { "log out" }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The login form.
#[must_use]
pub fn login() -> Markup {
    shell(
        "Log in",
        None,
        "login",
        "",
        html! {
            form #login {
                label for="operator" { "Operator name" }
                input #operator name="operator" autocomplete="username" maxlength="64" required autofocus;
                button type="submit" { "Log in" }
                p #message {}
            }
        },
    )
}

/// The queue.
#[must_use]
pub fn queue(operator: &str) -> Markup {
    shell(
        "Queue",
        Some(operator),
        "queue",
        "",
        html! {
            div.filters {
                label { "verdict "
                    select #verdict {
                        option value="all" { "all" }
                        option value="flagged" { "alarm + review" }
                        option value="alarm" { "alarm" }
                        option value="review" { "review" }
                        option value="clear" { "clear" }
                        option value="error" { "failed" }
                    }
                }
                label { "state "
                    select #state {
                        option value="undecided" { "undecided" }
                        option value="decided" { "decided" }
                        option value="all" { "all" }
                    }
                }
                span #count {}
            }
            p.keys { kbd { "j" } "/" kbd { "k" } " move · " kbd { "Enter" } " open · "
                kbd { "f" } " next undecided flagged · " kbd { "r" } " report" }
            table #queue {
                thead { tr { th { "#" } th { "scan" } th { "verdict" } th { "categories" }
                    th { "top score" } th { "decision" } } }
                tbody {}
            }
        },
    )
}

/// The scan view.
#[must_use]
pub fn scan(operator: &str, id: &str) -> Markup {
    shell(
        "Scan",
        Some(operator),
        "scan",
        id,
        html! {
            div.scanview {
                div #viewport tabindex="0" {
                    div #stage {
                        img #image alt="scan image";
                        div #boxes {}
                    }
                }
                aside {
                    h2 #title {}
                    p #verdict {}
                    p #state {}
                    h3 { "Tools" }
                    ul.tools {
                        li { kbd { "n" } " negative " span #t-negative {} }
                        li { kbd { "h" } " high penetration " span #t-high {} }
                        li { kbd { "l" } " low penetration " span #t-low {} }
                        li { kbd { "o" } " organic strip " span #t-organic-strip {} }
                        li { kbd { "i" } " inorganic strip " span #t-inorganic-strip {} }
                        li { kbd { "e" } " edge enhance " span #t-edges {} }
                        li { kbd { "[" } kbd { "]" } " contrast " span #t-contrast {} }
                        li { kbd { "," } kbd { "." } " gamma " span #t-gamma {} }
                        li { kbd { "b" } " boxes " span #t-boxes {} }
                        li { kbd { "+" } kbd { "-" } " zoom (to 8x), " kbd { "arrows" }
                            " / drag pan, " kbd { "0" } " reset " span #t-zoom {} }
                        li { kbd { "x" } " all tools off" }
                    }
                    h3 { "Decide" }
                    ul.decide {
                        li { kbd { "c" } " clear" }
                        li { kbd { "t" } " threat, then " kbd { "1" } " firearm " kbd { "2" }
                            " part " kbd { "3" } " ammunition " kbd { "4" } " other" }
                        li.threat-detail {
                            select #threat-category aria-label="threat category" {
                                option value="" { "category…" }
                                @for c in ["firearm", "part", "ammunition", "other"] { option value=(c) { (c) } }
                            }
                            " "
                            select #fine-class aria-label="fine class" {
                                option value="" { "fine class…" }
                                @for cat in [Category::Firearm, Category::Part, Category::Ammunition, Category::Accessory] {
                                    @let word = if cat == Category::Accessory { "other" } else { cat.as_str() };
                                    optgroup label=(word) data-category=(word) {
                                        @for (name, _) in KNOWN_FINE_CLASSES.iter().filter(|(_, c)| *c == cat) {
                                            option value=(name) data-category=(word) { (name.replace('_', " ")) }
                                        }
                                    }
                                }
                            }
                        }
                        li.threat-detail {
                            span #rounds-field.hidden { "rounds " input #rounds type="number" min="0" step="1" inputmode="numeric" size="6"; " " }
                            button #record-threat type="button" { "record threat" }
                        }
                        li { kbd { "s" } " hand search" }
                        li { kbd { "m" } " note: " input #note maxlength="2000"; }
                        li { kbd { "Esc" } " queue · " kbd { "j" } "/" kbd { "k" } " next / previous" }
                    }
                    p #message {}
                    h3 { "Detections" }
                    ul #detections {}
                    h3 { "History" }
                    ul #history {}
                }
            }
        },
    )
}

/// The shift report page.
#[must_use]
pub fn report(operator: &str, r: &ShiftReport, queued: usize, query: &str) -> Markup {
    let from = r.window.from_utc.as_deref().unwrap_or("the first decision");
    let to = r.window.to_utc.as_deref().unwrap_or("now");
    shell(
        "Shift report",
        Some(operator),
        "report",
        "",
        html! {
            h1 { "Shift report" }
            p #window { "Decisions from " strong { (from) } " to " strong { (to) } " (UTC)." }
            form.window method="get" action="/report" {
                label { "from " input type="text" name="from" placeholder="YYYY-MM-DD[THH:MM:SSZ]"
                    value=[r.window.from_utc.as_deref()]; }
                " "
                label { "to " input type="text" name="to" placeholder="YYYY-MM-DD[THH:MM:SSZ]"
                    value=[r.window.to_utc.as_deref()]; }
                " " button type="submit" { "show" }
                " · " a href="/report?hours=8" { "last 8 h" }
                " · " a href="/report?hours=12" { "last 12 h" }
                " · " a href="/report" { "all" }
            }
            p { "Export: " a href="/api/decisions.csv" { "decisions.csv" } " (all) · "
                a href={ "/api/report.csv" (query) } { "shift-report.csv" } " · "
                a href={ "/api/report.json" (query) } { "report.json" } }
            table.report {
                tr { th { "scans queued" } td { (queued) } }
                tr { th { "scans decided" } td { (r.scans_decided) } }
                tr { th { "decision rows (corrections included)" } td { (r.rows) } }
                tr { th { "corrections" } td { (r.corrections) } }
                @for (k, v) in &r.by_decision { tr { th { "decision: " (k) } td { (v) } } }
                @for (k, v) in &r.by_category { tr { th { "threat category: " (k) } td { (v) } } }
                @for (k, v) in &r.by_operator { tr { th { "operator: " (k) } td { (v) } } }
                tr { th { "compared with the engine" } td { (r.compared) } }
                tr { th { "agreed with the engine" } td { (r.agreed)
                    @if let Some(a) = r.agreement { " (" (format!("{:.1}", a * 100.0)) " %)" } } }
                tr { th { "engine flagged, operator cleared" } td { (r.engine_flagged_operator_cleared) } }
                tr { th { "engine clear, operator flagged" } td { (r.engine_clear_operator_flagged) } }
                tr { th { "mean display to decision" } td {
                    @if let Some(ms) = r.mean_display_to_decision_ms { (format!("{:.0} ms", ms)) } } }
            }
        },
    )
}

/// The seizure statistics page: the filters, the totals, and the rows by period, site, lane,
/// category and fine class.
#[must_use]
pub fn stats(operator: &str, s: &SeizureStats, query: &str) -> Markup {
    let from = s.window.from_utc.as_deref().unwrap_or("the first decision");
    let to = s.window.to_utc.as_deref().unwrap_or("now");
    let t = &s.totals;
    let none = "–";
    shell(
        "Seizures",
        Some(operator),
        "stats",
        "",
        html! {
            h1 { "Seizures by Protocol category" }
            p #window { "Operators' decisions from " strong { (from) } " to " strong { (to) }
                " (UTC), the latest of each scan; a " em { "threat" } " decision is a seizure, "
                "a hand search is counted apart, the engine's alarms never." }
            form.window method="get" action="/stats" {
                label { "from " input type="text" name="from" placeholder="YYYY-MM-DD[THH:MM:SSZ]"
                    value=[s.window.from_utc.as_deref()]; }
                " "
                label { "to " input type="text" name="to" placeholder="YYYY-MM-DD[THH:MM:SSZ]"
                    value=[s.window.to_utc.as_deref()]; }
                " "
                label { "period "
                    select #period name="period" {
                        @for k in PeriodKind::ALL {
                            option value=(k.as_str()) selected[k == s.period] { (k.as_str()) }
                        }
                    }
                }
                " "
                label { "site " input type="text" name="site" value=[s.filters.site.as_deref()]; }
                " "
                label { "lane " input type="text" name="lane" value=[s.filters.lane.as_deref()]; }
                " " button type="submit" { "show" }
                " · " a href="/stats" { "all" }
            }
            p { "Export (" code { "armscan.seizures/1" } "): "
                a href={ "/api/stats" (query) "&format=json" } { "seizures.json" } " · "
                a href={ "/api/stats" (query) "&format=csv" } { "seizures.csv" } }
            table.report #totals {
                tr { th { "scans decided" } td { (t.scans_decided) } }
                tr { th { "decision rows (corrections included)" } td { (t.decision_rows) } }
                tr { th { "seizures (threat decisions)" } td { (t.seizure_scans) } }
                tr { th { "of which in Protocol categories" } td { (t.protocol_scans) } }
                @for (name, c) in [("firearm", t.firearm), ("part", t.part), ("ammunition", t.ammunition), ("other (not Protocol)", t.other)] {
                    tr { th { "seizures: " (name) } td { (c.scans) } }
                }
                tr { th { "ammunition rounds (where given)" } td { (t.ammunition_rounds) } }
                tr { th { "ammunition seizures without rounds" } td { (t.ammunition_decisions_without_rounds) } }
                tr { th { "referred to hand search (not seizures)" } td { (t.search_scans) } }
                tr { th { "cleared" } td { (t.clear_scans) } }
            }
            h2 { "By " (s.period) ", site, lane, category and fine class" }
            table.report #seizures {
                thead { tr { th { "period" } th { "site" } th { "lane" } th { "category" }
                    th { "fine class" } th { "scans" } th { "items" } th { "rounds" }
                    th { "without rounds" } } }
                tbody {
                    @for r in &s.rows {
                        tr {
                            td { (r.period) } td { (r.site.as_deref().unwrap_or(none)) }
                            td { (r.lane.as_deref().unwrap_or(none)) }
                            td { (r.category) @if !r.protocol { " (not Protocol)" } }
                            td { (r.fine_class.as_deref().unwrap_or(none)) }
                            td { (r.scans) } td { (r.items) }
                            td { @if let Some(n) = r.rounds { (n) } }
                            td { @if let Some(n) = r.rounds_missing { (n) } }
                        }
                    }
                }
            }
            @if s.rows.is_empty() { p.empty { "No seizures in this window." } }
            h2 { "Referred to hand search" }
            table.report #searches {
                thead { tr { th { "period" } th { "site" } th { "lane" } th { "scans" } } }
                tbody {
                    @for r in &s.searches {
                        tr { td { (r.period) } td { (r.site.as_deref().unwrap_or(none)) }
                            td { (r.lane.as_deref().unwrap_or(none)) } td { (r.scans) } }
                    }
                }
            }
        },
    )
}
