//! Trainer mode's pages (maud), in the console's page style; the script is the console's
//! `app.js` (views `trainer`, `trial`).

use maud::{html, Markup};

use super::{CertificateRow, CourseKind, TraineeScores};
use crate::page::shell;

/// The trainer hub: the courses (loaded by the page), a trainee's start buttons, and for a
/// trainer the form that builds a course.
#[must_use]
pub fn hub(operator: &str, is_trainer: bool, library: (usize, usize, usize)) -> Markup {
    shell(
        "Trainer",
        Some(operator),
        "trainer",
        if is_trainer { "trainer" } else { "trainee" },
        html! {
            h1 { "Trainer" }
            p { "Courses of trials made on the spot: a threat projected into a clean bag, or the bag
                alone. Answer " kbd { "click" } " on the threat, then " kbd { "1" } " firearm "
                kbd { "2" } " part " kbd { "3" } " ammunition (or " kbd { "t" } " threat), or "
                kbd { "n" } " no threat. Scores: " a href="/trainer/report" { "report" } "." }
            table #courses {
                thead { tr { th { "course" } th { "kind" } th { "trials" } th { "threat share" }
                    th { "categories" } th { "pass mark d'" } th {} } }
                tbody {}
            }
            p #message {}
            @if is_trainer {
                h2 { "New course" }
                form #new-course {
                    label { "name " input #c-name name="name" maxlength="80" required; }
                    label { "kind "
                        select #c-kind name="kind" {
                            option value="training" { "training (adaptive)" }
                            option value="exam" { "exam (fixed set, certificate)" }
                        }
                    }
                    label { "trials " input #c-trials name="trials" type="number" min="1" max="500" value="20"; }
                    label { "threat share " input #c-share name="share" type="number" min="0" max="1" step="0.05" value="0.5"; }
                    label { "categories "
                        input #c-firearm type="checkbox" checked; " firearm "
                        input #c-part type="checkbox" checked; " part "
                        input #c-ammunition type="checkbox" checked; " ammunition" }
                    p { "Library: " (library.0) " real threat crops, " (library.1) " real bags, "
                        (library.2) " labelled scans (set with --tip-threats, --tip-bags, --replay)." }
                    label { "replayed labelled scans (share of trials) "
                        input #c-replay type="number" min="0" max="1" step="0.05" value="0"; }
                    label { "real threat crops (share of threat trials) "
                        input #c-real-threat type="number" min="0" max="1" step="0.05" value="0"; }
                    label { "real bags (share of projected trials) "
                        input #c-real-bag type="number" min="0" max="1" step="0.05" value="0"; }
                    label { "pass mark d' (exam) " input #c-pass name="pass" type="number" min="0" max="5" step="0.1" value="1.5"; }
                    label { "set version (exam) " input #c-version name="version" maxlength="40" value="1"; }
                    button type="submit" { "create" }
                }
            }
        },
    )
}

/// A session's trial runner.
#[must_use]
pub fn session(operator: &str, token: &str, course: &str, kind: CourseKind) -> Markup {
    shell(
        "Training session",
        Some(operator),
        "trial",
        token,
        html! {
            div.scanview {
                div #viewport.trial tabindex="0" {
                    div #stage {
                        img #image alt="trial image";
                        div #marks {}
                    }
                }
                aside {
                    h2 { (course) }
                    p #kind data-kind=(kind.as_str()) { (kind.as_str()) }
                    p #progress {}
                    h3 { "Answer" }
                    ul.decide {
                        li { kbd { "click" } " mark the threat" }
                        li { kbd { "1" } " firearm " kbd { "2" } " part " kbd { "3" } " ammunition"
                            " (a marked threat)" }
                        li { kbd { "t" } " threat, category not named" }
                        li { kbd { "n" } " no threat" }
                        li { kbd { "Space" } " next trial (after feedback)" }
                    }
                    p #message {}
                    p #feedback {}
                }
            }
        },
    )
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{x:.digits$}"))
}

/// An SVG line chart of a trainee's d' per session (training and exam), 0 to 4.
fn progress_svg(t: &TraineeScores) -> Markup {
    let (w, h, pad) = (520.0f64, 180.0f64, 30.0f64);
    let n = t.sessions.len().max(2) as f64 - 1.0;
    let y = |d: f64| h - pad - (d.clamp(-1.0, 4.0) + 1.0) / 5.0 * (h - 2.0 * pad);
    let x = |i: usize| pad + i as f64 / n * (w - 2.0 * pad);
    let points: Vec<String> = t
        .sessions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.overall
                .d_prime
                .map(|d| format!("{:.1},{:.1}", x(i), y(d)))
        })
        .collect();
    let hits: Vec<String> = t
        .sessions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.overall
                .hit_rate
                .map(|r| format!("{:.1},{:.1}", x(i), h - pad - r * (h - 2.0 * pad)))
        })
        .collect();
    html! {
        svg.progress width=(w) height=(h) viewBox={ "0 0 " (w) " " (h) } role="img"
            aria-label={ "d' and hit rate per session of " (t.trainee) } {
            @for d in [0.0f64, 1.0, 2.0, 3.0] {
                line x1=(pad) x2=(w - pad) y1=(y(d)) y2=(y(d)) class="grid" {}
                text x="2" y=(y(d) + 4.0) class="axis" { (format!("{d:.0}")) }
            }
            polyline points=(points.join(" ")) class="dprime" {}
            polyline points=(hits.join(" ")) class="hitrate" {}
            @for (i, s) in t.sessions.iter().enumerate() {
                @if let Some(d) = s.overall.d_prime {
                    circle cx=(x(i)) cy=(y(d)) r="3" class="dprime" {}
                }
            }
            text x=(w - pad - 150.0) y="14" class="legend dprime" { "d' (left scale)" }
            text x=(w - pad - 150.0) y="28" class="legend hitrate" { "hit rate (0 to 1)" }
        }
    }
}

/// The scores page: per trainee, a chart of progress and a table per session and category.
#[must_use]
pub fn report(operator: &str, scores: &[TraineeScores], certificates: &[CertificateRow]) -> Markup {
    shell(
        "Trainer report",
        Some(operator),
        "trainer-report",
        "",
        html! {
            h1 { "Trainer report" }
            p { "Export: " a href="/api/trainer/scores.csv" { "trainer-scores.csv" } " · "
                a href="/api/trainer/scores" { "scores.json" }
                ". Hit rate and false-alarm rate are raw; d' and c use the 1/(2N) correction for
                rates of 0 and 1. A hit needs the mark on the threat. Per category: that
                category's threat trials with all the session's clean trials." }
            @if scores.is_empty() { p { "No answered trials yet." } }
            @for t in scores {
                section.trainee {
                    h2 { (t.trainee) }
                    (progress_svg(t))
                    p { "Next training levels (view / superposition / complexity): "
                        @for (cat, l) in &t.levels {
                            (cat) " " (l.view) "/" (l.superposition) "/" (l.complexity) " · "
                        }
                    }
                    table.report {
                        thead { tr { th { "session" } th { "course" } th { "category" } th { "trials" }
                            th { "hit rate" } th { "false alarms" } th { "d'" } th { "c" }
                            th { "mean response" } th { "category named right" } } }
                        tbody {
                            @for s in &t.sessions {
                                @for (cat, sc) in std::iter::once(("all", &s.overall)).chain(s.by_category.iter().map(|(k, v)| (k.as_str(), v))) {
                                    tr {
                                        td { (s.session_id) " · " (s.started_utc) }
                                        td { (s.course) " (" (s.kind.as_str()) ")" }
                                        td { (cat) }
                                        td { (sc.trials) }
                                        td { (num(sc.hit_rate, 2)) }
                                        td { (num(sc.false_alarm_rate, 2)) }
                                        td { (num(sc.d_prime, 2)) }
                                        td { (num(sc.criterion_c, 2)) }
                                        td { (num(sc.mean_response_ms, 0)) " ms" }
                                        td { (sc.category_correct) " of " (sc.category_named) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Certificates" }
            table.report #certificates {
                thead { tr { th { "#" } th { "trainee" } th { "course" } th { "set" } th { "issued (UTC)" }
                    th { "trials" } th { "d'" } th { "pass mark" } th { "result" } } }
                tbody {
                    @for c in certificates {
                        tr {
                            td { (c.id) } td { (c.trainee) } td { (c.course) } td { (c.set_version) }
                            td { (c.issued_utc) } td { (c.trials) } td { (num(c.d_prime, 2)) }
                            td { (format!("{:.2}", c.pass_mark_d_prime)) }
                            td { @if c.passed { "passed" } @else { "not passed" } }
                        }
                    }
                }
            }
        },
    )
}
