//! Criterion benchmark of synthetic scene rendering (issue #3's speed target: 20 scenes per
//! second at about 1000x800 on 2 cores). `render_scene` is the physics and rasterisation of one
//! scene without PNG encoding; `render 8 scenes in parallel` is what `armscan synth` does per
//! batch before writing.
//!
//! `generate 16 scenes, all planes written` is the whole `armscan synth` job: render, encode the
//! four PNGs per scene, labels and COCO, on all cores; scenes per second = 16 / its time.
//!
//! Run: `cargo bench -p armscan-benches --bench synth`

use armscan_synth::{generate, render_scene, SynthOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;

fn bench_render(c: &mut Criterion) {
    let opts = SynthOptions::default().with_size(1000, 800).with_seed(11);
    let mut group = c.benchmark_group("synth");
    group.sample_size(10);
    group.bench_function("render_scene 1000x800", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i += 1;
            render_scene(&opts, i).threats.len()
        })
    });
    group.bench_function("render 8 scenes in parallel 1000x800", |b| {
        b.iter(|| {
            (0..8usize)
                .into_par_iter()
                .map(|i| render_scene(&opts, i).threats.len())
                .sum::<usize>()
        })
    });
    let out = std::env::temp_dir().join(format!("armscan-synth-bench-{}", std::process::id()));
    let job = SynthOptions::default()
        .with_size(1000, 800)
        .with_seed(11)
        .with_count(16)
        .with_contact_sheet(0);
    group.bench_function("generate 16 scenes, all planes written, 1000x800", |b| {
        b.iter(|| generate(&job, &out, |_| {}).map(|s| s.threats).unwrap_or(0))
    });
    let _ = std::fs::remove_dir_all(&out);
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
