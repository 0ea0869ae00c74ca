//! `armscan synth`.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use armscan_synth::{generate, SynthOptions};

use crate::args::SynthArgs;

pub fn run(args: &SynthArgs) -> anyhow::Result<ExitCode> {
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build_global().context("starting the worker threads")?;
    }
    let options = SynthOptions::default()
        .with_count(args.n)
        .with_seed(args.seed)
        .with_size(args.width, args.height)
        .with_pixel_spacing_mm(args.pixel_spacing_mm)
        .with_clean_fraction(args.clean_fraction)
        .with_max_threats(args.max_threats);
    // `generate` checks the options before it writes anything.
    let progress = crate::progress::bar(args.n, "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} scenes", std::io::stderr().is_terminal());
    let summary = generate(&options, &args.out, |done| progress.set_position(done as u64))
        .with_context(|| format!("generating scenes into {}", args.out.display()))?;
    progress.finish_and_clear();
    let per_class: Vec<String> = summary.per_class.iter().map(|(c, n)| format!("{c} {n}")).collect();
    eprintln!(
        "armscan: {} scenes ({} clean, {} threats) in {}: {}",
        summary.scenes,
        summary.clean_scenes,
        summary.threats,
        args.out.display(),
        per_class.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
