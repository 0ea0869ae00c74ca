//! Writes a small synthetic dataset and prints the summary and the rate.
//! `cargo run --release -p armscan-synth --example synth_demo -- OUT_DIR [COUNT] [SEED]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;

use armscan_synth::{generate, SynthOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "out/synth-demo".into()));
    let count: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(16);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let opts = SynthOptions::default().with_count(count).with_seed(seed);
    let t0 = Instant::now();
    let summary = generate(&opts, &out, |_| {}).expect("generate");
    let s = t0.elapsed().as_secs_f64();
    println!("{}", serde_json::to_string_pretty(&summary).unwrap());
    // optional: TIP of a real crop (B0049-style handgun on an empty belt) into scene 0's clean
    // background: ARMSCAN_TIP_CROP=path:x,y,w,h:scale
    if let Ok(spec) = std::env::var("ARMSCAN_TIP_CROP") {
        let parts: Vec<&str> = spec.split(':').collect();
        let r: Vec<u32> = parts[1].split(',').map(|v| v.parse().unwrap()).collect();
        let scale: f32 = parts[2].parse().unwrap();
        let crop = armscan_synth::tip::crop_from_image(
            std::path::Path::new(parts[0]),
            [r[0], r[1], r[2], r[3]],
            scale,
            6.1,
        )
        .unwrap();
        let clean = armscan_synth::render_scene(&opts.clone().with_clean_fraction(1.0), 0);
        let mut t = clean.ideal.clone();
        armscan_synth::project_mut(&mut t, &crop, 300, 250);
        let m = opts
            .detector
            .measure(&t, &mut armscan_synth::rng::Rng::new(9));
        let rgb = armscan_core::colour::pseudo_colour_image(&m.high, &m.low);
        image::RgbImage::from_raw(opts.width, opts.height, rgb)
            .unwrap()
            .save(out.join("tip_demo_colour.png"))
            .unwrap();
        let g: Vec<u8> = m
            .grey()
            .iter()
            .map(|v| armscan_synth::physics::to_u8(*v))
            .collect();
        image::GrayImage::from_raw(opts.width, opts.height, g)
            .unwrap()
            .save(out.join("tip_demo_grey.png"))
            .unwrap();
    }
    println!(
        "{count} scenes of {}x{} in {s:.2} s: {:.2} scenes/s on {} threads",
        opts.width,
        opts.height,
        count as f64 / s,
        rayon::current_num_threads()
    );
}
