//! The `armscan` binary's tests over real processes, in one test binary (each test binary links
//! the whole stack: one link instead of nine keeps `.ci/run` short). The parts:
//!
//! | module | what |
//! |---|---|
//! | `fixture` | flags, exit codes and records on the tiny fixture model |
//! | `samples` | the shipped model on the shipped samples against the golden records |
//! | `hostile` | hostile files and folders: a record for each, none clear |
//! | `eval` | `armscan eval` |
//! | `watch` | `armscan watch`: SIGKILL at random moments, SIGTERM, settle, `--tdr` |
//! | `serve` | `armscan serve` over a socket: refusals, logins |
//! | `stats` | `armscan stats` on a database a console made: text, JSON (its JSON Schema), CSV, errors |
//! | `browser` | the console and trainer mode in Debian's Chromium (Playwright) |
//! | `api` | the HTTP API fuzzed from its OpenAPI document (Schemathesis) |
//! | `queue` | `armscan worker`/`submit`/`watch --publish` on a real nats-server: SIGKILLed workers, a server restart |
//! | `dicos` | DICOS in and out against the Stratovan DICOS toolkit (pydicos) and pydicom |
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod cli {
    mod api;
    mod browser;
    mod dicos;
    mod eval;
    mod fixture;
    mod hostile;
    mod queue;
    mod samples;
    mod serve;
    mod stats;
    mod watch;
}
