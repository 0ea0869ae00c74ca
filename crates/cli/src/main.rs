//! `armscan`: screen X-ray scans for firearms, their parts and ammunition.
//!
//! Exit codes: 0 every scan clear, 1 a scan alarmed or needs review, 2 a scan failed or the
//! command could not run.

mod args;
mod eval_cmd;
mod progress;
mod scan_cmd;
mod serve_cmd;
mod stats_cmd;
mod submit_cmd;
mod synth_cmd;
mod watch_cmd;
mod worker_cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("armscan: error: {}", armscan::error_chain_text(e.as_ref()));
            ExitCode::from(2)
        }
    }
}

fn run(cli: args::Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        args::Command::Scan(a) => scan_cmd::run(&a),
        args::Command::Synth(a) => synth_cmd::run(&a),
        args::Command::Eval(a) => eval_cmd::run(&a),
        args::Command::Watch(a) => watch_cmd::run(&a),
        args::Command::Worker(a) => worker_cmd::run(&a),
        args::Command::Submit(a) => submit_cmd::run(&a),
        args::Command::Serve(a) => serve_cmd::run(&a),
        args::Command::Stats(a) => stats_cmd::run(&a),
    }
}
