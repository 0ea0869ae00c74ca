//! `armscan synth`.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use armscan_synth::{generate_with, Plane, SynthOptions, ThreatMix};

use crate::args::SynthArgs;

pub fn run(args: &SynthArgs) -> anyhow::Result<ExitCode> {
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global()
            .context("starting the worker threads")?;
    }
    let planes = args
        .planes
        .iter()
        .map(|p| {
            Plane::parse(p).ok_or_else(|| {
                anyhow::anyhow!("--planes: unknown plane `{p}` (high, low, grey, colour)")
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mix = ThreatMix::parse(&args.mix).map_err(|e| anyhow::anyhow!("--mix {e}"))?;
    let options = SynthOptions::default()
        .with_count(args.n)
        .with_seed(args.seed)
        .with_size(args.width, args.height)
        .with_pixel_spacing_mm(args.pixel_spacing_mm)
        .with_clean_fraction(args.clean_fraction)
        .with_max_threats(args.max_threats)
        .with_clutter(args.clutter)
        .with_mix(mix)
        .with_real_threat_fraction(args.real_threat_fraction)
        .with_real_bag_fraction(args.real_bag_fraction)
        .with_exclude_variants(args.exclude_variants.clone())
        .with_part_families(args.part_families)
        .with_light_frame_fraction(args.light_frame_fraction)
        .with_silencer_fraction(args.silencer_fraction)
        .with_palette(args.palette.palette())
        .with_planes(planes);
    options.validate()?;
    let sources = args.tip.load(args.pixel_spacing_mm)?;
    let progress = crate::progress::bar(
        args.n,
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} scenes",
        std::io::stderr().is_terminal(),
    );
    let summary = generate_with(&options, &sources, &args.out, |done| {
        progress.set_position(done as u64)
    })
    .with_context(|| format!("generating scenes into {}", args.out.display()))?;
    progress.finish_and_clear();
    let per_class: Vec<String> = summary
        .per_class
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
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
