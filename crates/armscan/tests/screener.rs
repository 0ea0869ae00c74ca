//! The front door on the shipped model and samples (tract backend, nothing to set up): every
//! entry point gives a record, failures are error records that name the input and never clear,
//! the options reach the verdict, and batches keep their order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use armscan::{
    BackendChoice, ScanInput, ScreenRequest, Screener, ScreenerError, Status, ThresholdOverrides,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample(name: &str) -> PathBuf {
    repo().join("datasets/samples").join(name)
}

fn screener() -> &'static Screener {
    static SCREENER: OnceLock<Screener> = OnceLock::new();
    SCREENER.get_or_init(|| {
        Screener::builder()
            .with_backend(BackendChoice::Tract)
            .with_threads(Some(2))
            .commit()
            .expect("the shipped default model starts")
    })
}

#[test]
fn the_default_model_is_the_shipped_one_and_firearm_samples_alarm() {
    let s = screener();
    assert_eq!(s.model_id(), "armscan-threat-v12");
    let record = s.screen_path(sample("B0046_0160.jpg"));
    assert_eq!(record.status, Status::Alarm, "{record:?}");
    assert_eq!(record.schema, "armscan.scan/2");
    assert_eq!(record.model, "armscan-threat-v12");
    assert_eq!(record.backend, "tract");
    assert!(record.error.is_none());
    let top = record.top_detection().expect("a detection");
    assert_eq!(top.category, armscan::Category::Firearm);
    assert!(top.score >= s.thresholds().alarm_score);
}

#[test]
fn bytes_and_path_give_the_same_detections() {
    let s = screener();
    let path = sample("B0079_0020.jpg");
    let by_path = s.screen_path(&path);
    let by_bytes = s.screen_bytes("belt-7/0001.jpg", &std::fs::read(&path).unwrap());
    assert_eq!(by_bytes.scan, "belt-7/0001.jpg");
    assert_eq!(by_bytes.status, by_path.status);
    assert_eq!(by_bytes.detections, by_path.detections);
    assert_eq!(
        (by_bytes.width, by_bytes.height),
        (by_path.width, by_path.height)
    );
}

#[test]
fn a_scan_in_memory_is_screened_under_its_source_name() {
    let s = screener();
    let path = sample("B0046_0160.jpg");
    let scan =
        armscan::ingest::load_scan(&path, &armscan::ingest::IngestOptions::default()).unwrap();
    let record = s.screen_scan(&scan);
    assert_eq!(record.scan, path.display().to_string());
    assert_eq!(record.detections, s.screen_path(&path).detections);
}

#[test]
fn bad_input_gives_an_error_record_naming_it_never_clear() {
    let s = screener();
    let corrupt = s.screen_bytes("parcel-42.png", b"\x89PNG\r\n\x1a\n not really a png");
    assert_eq!(corrupt.status, Status::Error);
    let message = corrupt.error.as_deref().unwrap();
    assert!(message.contains("parcel-42.png"), "{message}");
    assert!(corrupt.detections.is_empty() && corrupt.width.is_none());

    let jpeg = std::fs::read(sample("B0046_0160.jpg")).unwrap();
    let truncated = s.screen_bytes("cut.jpg", &jpeg[..jpeg.len() / 2]);
    assert_eq!(truncated.status, Status::Error);
    assert!(
        truncated.error.as_deref().unwrap().contains("truncated"),
        "{truncated:?}"
    );

    let empty = s.screen_bytes("empty.png", b"");
    assert_eq!(empty.status, Status::Error);

    let missing = s.screen_path("/nonexistent/scan.png");
    assert_eq!(missing.status, Status::Error);
    assert!(missing
        .error
        .as_deref()
        .unwrap()
        .contains("/nonexistent/scan.png"));
}

#[test]
fn a_batch_keeps_its_order_and_an_error_does_not_stop_it() {
    let s = screener();
    let names = [
        "B0046_0190.jpg",
        "no-such-file.png",
        "B0046_0160.jpg",
        "B0082_0004.jpg",
        "B0079_0020.jpg",
    ];
    let requests: Vec<ScreenRequest> = names
        .iter()
        .map(|n| ScreenRequest::new(ScanInput::File(sample(n))))
        .collect();
    let mut seen = Vec::new();
    s.screen_all(&requests, |screened| -> Result<(), ()> {
        seen.push(screened.record);
        Ok(())
    })
    .unwrap();
    assert_eq!(seen.len(), names.len());
    for (record, name) in seen.iter().zip(names) {
        assert!(record.scan.ends_with(name), "{} for {name}", record.scan);
    }
    assert_eq!(seen[1].status, Status::Error);
    assert_eq!(seen[2].status, Status::Alarm);
    assert_eq!(seen[4].status, Status::Alarm);

    // on_each's error stops the run at once
    let mut calls = 0;
    let stopped = s.screen_all(&requests, |_| {
        calls += 1;
        if calls == 2 {
            Err("stop")
        } else {
            Ok(())
        }
    });
    assert_eq!(stopped, Err("stop"));
    assert_eq!(calls, 2);
}

#[test]
fn display_images_come_only_when_asked_for() {
    let s = screener();
    let input = ScanInput::DualPair {
        high: sample("B0079_0017_high.png"),
        low: sample("B0079_0017_low.png"),
    };
    let with = s.screen(&ScreenRequest::new(input.clone()).with_display(true));
    let without = s.screen(&ScreenRequest::new(input));
    let display = with.display.expect("a display image");
    assert_eq!(
        (Some(display.width()), Some(display.height())),
        (with.record.width, with.record.height)
    );
    assert!(without.display.is_none());
    assert!(with.record.scan.ends_with("B0079_0017_{high,low}.png"));
}

#[test]
fn threshold_overrides_change_the_verdict_and_bad_ones_are_refused() {
    let strict = Screener::builder()
        .with_backend(BackendChoice::Tract)
        .with_threads(Some(1))
        .with_thresholds(
            ThresholdOverrides::default()
                .with_review_score(Some(0.999))
                .with_alarm_score(Some(1.0)),
        )
        .commit()
        .unwrap();
    let t = strict.thresholds();
    assert_eq!((t.review_score, t.alarm_score), (0.999, 1.0));
    let default_min = screener().thresholds().min_score;
    assert_eq!(
        t.min_score, default_min,
        "what is not overridden is the manifest's"
    );
    let record = strict.screen_path(sample("B0046_0160.jpg"));
    assert_eq!(
        record.status,
        Status::Clear,
        "no score reaches 0.999: {record:?}"
    );

    let err = Screener::builder()
        .with_thresholds(ThresholdOverrides::default().with_alarm_score(Some(1.5)))
        .commit()
        .unwrap_err();
    assert!(
        matches!(
            err,
            ScreenerError::Option {
                option: "alarm_score",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_missing_model_is_an_error_naming_its_path() {
    let err = Screener::builder()
        .with_backend(BackendChoice::Tract)
        .with_model("/nonexistent/model.manifest.json")
        .commit()
        .unwrap_err();
    assert!(matches!(err, ScreenerError::Model { .. }));
    let text = armscan::error_chain_text(&err);
    assert!(text.contains("/nonexistent/model.manifest.json"), "{text}");
}

#[test]
fn single_view_is_named_in_records() {
    let one = Screener::builder()
        .with_backend(BackendChoice::Tract)
        .with_threads(Some(1))
        .with_mirror_view(false)
        .commit()
        .unwrap();
    let record = one.screen_path(sample("B0046_0160.jpg"));
    assert_eq!(record.model, "armscan-threat-v12+single-view");
    assert_eq!(record.status, Status::Alarm);
}

/// A shipped sample re-encoded as PNG, with a `pHYs` chunk stating `mm` per pixel when given.
fn sample_png(name: &str, mm: Option<f32>) -> Vec<u8> {
    let grey = image::open(sample(name)).unwrap().to_luma8();
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, grey.width(), grey.height());
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_pixel_dims(mm.map(|mm| {
        let ppm = (1000.0 / mm).round() as u32;
        png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }
    }));
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(grey.as_raw()).unwrap();
    writer.finish().unwrap();
    png
}

#[test]
fn records_say_which_spacing_was_used_and_where_it_came_from() {
    use armscan::SpacingSource;
    let s = screener();
    // nothing states a spacing: estimated from the content by default (a bag about 1,300 px
    // long read as 300 mm: near the dev set's 0.16 mm/px), and the gun is found
    let plain = s.screen_bytes("plain.png", &sample_png("B0079_0020.jpg", None));
    assert_eq!(plain.spacing_source, Some(SpacingSource::Estimate));
    let estimated = plain.pixel_spacing_mm.unwrap();
    assert!((0.12..=0.35).contains(&estimated), "{estimated}");
    assert_eq!(plain.status, Status::Alarm);
    // ... or, when asked, the model's assumption
    let assuming = Screener::builder()
        .with_backend(BackendChoice::Tract)
        .with_threads(Some(1))
        .with_unknown_spacing(armscan::UnknownSpacing::ModelAssumption)
        .commit()
        .unwrap();
    let assumed = assuming.manifest().spec.framing.assumed_mm_per_px;
    let plain = assuming.screen_bytes("plain.png", &sample_png("B0079_0020.jpg", None));
    assert_eq!(plain.pixel_spacing_mm, assumed);
    assert_eq!(
        plain.spacing_source,
        assumed.map(|_| SpacingSource::ModelAssumption)
    );

    // the file's pHYs is used: stated at 0.16 mm the gun is found as at the assumption ...
    let stated = s.screen_bytes("stated.png", &sample_png("B0079_0020.jpg", Some(0.16)));
    assert_eq!(stated.spacing_source, Some(SpacingSource::File));
    assert!((stated.pixel_spacing_mm.unwrap() - 0.16).abs() < 1e-3);
    assert_eq!(stated.status, Status::Alarm);
    // ... and stated at 1.6 mm (a bag ten times larger) the scan is screened at that scale
    let coarse = s.screen_bytes("coarse.png", &sample_png("B0079_0020.jpg", Some(1.6)));
    assert_eq!(coarse.spacing_source, Some(SpacingSource::File));
    assert!((coarse.pixel_spacing_mm.unwrap() - 1.6).abs() < 1e-3);
    assert_ne!(
        coarse.detections, stated.detections,
        "another scale, other detections"
    );

    // a spacing given for the scan comes before the file's
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stated.png");
    std::fs::write(&path, sample_png("B0079_0020.jpg", Some(1.6))).unwrap();
    let given = s.screen(
        &ScreenRequest::new(ScanInput::File(path.clone())).with_pixel_spacing_mm(Some(0.16)),
    );
    assert_eq!(given.record.spacing_source, Some(SpacingSource::Given));
    assert_eq!(given.record.detections, stated.detections);

    // a profile's spacing serves scans that state none, not those that do
    let profiled = Screener::builder()
        .with_backend(BackendChoice::Tract)
        .with_threads(Some(1))
        .with_profile(armscan::ScannerProfile::default().with_pixel_spacing_mm(Some(1.6)))
        .commit()
        .unwrap();
    let by_profile = profiled.screen_bytes("plain.png", &sample_png("B0079_0020.jpg", None));
    assert_eq!(by_profile.spacing_source, Some(SpacingSource::Profile));
    assert_eq!(by_profile.detections, coarse.detections);
    let by_file = profiled.screen_path(&path);
    assert_eq!(by_file.spacing_source, Some(SpacingSource::File));
    // a failed scan states no spacing
    let failed = profiled.screen_path("/nonexistent.png");
    assert_eq!(
        (failed.pixel_spacing_mm, failed.spacing_source),
        (None, None)
    );
}

/// A shipped sample shrunk by `factor` (a scanner with a coarser pitch), as
/// PNG bytes with no spacing stated.
fn shrunk_png(name: &str, factor: f32) -> Vec<u8> {
    let grey = image::open(sample(name)).unwrap().to_luma8();
    let (w, h) = grey.dimensions();
    let size = |v: u32| ((v as f32 * factor).round() as u32).max(1);
    let small = image::imageops::resize(
        &grey,
        size(w),
        size(h),
        image::imageops::FilterType::Triangle,
    );
    let mut png = Vec::new();
    small
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

#[test]
fn a_scan_resampled_4x_still_alarms_with_its_spacing_unknown() {
    use armscan::{ScaleSearch, SpacingSource, UnknownSpacing};
    // B0079_0020 is stored at about 0.16 mm; a quarter of the pixels a side is 0.64 mm
    let coarse = shrunk_png("B0079_0020.jpg", 0.25);
    let plain = shrunk_png("B0079_0020.jpg", 1.0);

    // the default: the spacing estimated from the content follows the resampling
    let estimating = screener();
    let at_full = estimating.screen_bytes("plain.png", &plain);
    let found = estimating.screen_bytes("coarse.png", &coarse);
    assert_eq!(found.status, Status::Alarm, "{found:?}");
    assert_eq!(found.spacing_source, Some(SpacingSource::Estimate));
    assert_eq!(
        found.top_detection().unwrap().category,
        armscan::Category::Firearm
    );
    let ratio = found.pixel_spacing_mm.unwrap() / at_full.pixel_spacing_mm.unwrap();
    assert!((3.6..=4.4).contains(&ratio), "{ratio}");

    // searching scales
    let searching = Screener::builder()
        .with_backend(BackendChoice::Tract)
        .with_threads(Some(2))
        .with_unknown_spacing(UnknownSpacing::Search(ScaleSearch::default()))
        .commit()
        .unwrap();
    let found = searching.screen_bytes("coarse.png", &coarse);
    assert_eq!(found.status, Status::Alarm, "{found:?}");
    assert_eq!(found.spacing_source, Some(SpacingSource::Search));
    let top = found.top_detection().unwrap();
    assert_eq!(top.category, armscan::Category::Firearm);
    // the spacing reported is the ladder rung that found the gun best: within the model's scale
    // tolerance (trained for x0.45-2.2) of the true 0.64 mm, not the extremes of the ladder
    let mm = found.pixel_spacing_mm.unwrap();
    assert!((0.25..=1.6).contains(&mm), "{mm}");

    // a spacing the file states is used as it is: no search
    let stated = searching.screen_bytes("stated.png", &sample_png("B0079_0020.jpg", Some(0.16)));
    assert_eq!(stated.spacing_source, Some(SpacingSource::File));
    assert_eq!(stated.status, Status::Alarm);

    // bad searches and priors are refused when the screener is built
    let err = Screener::builder()
        .with_unknown_spacing(UnknownSpacing::Search(
            ScaleSearch::default().with_spacings_mm(vec![]),
        ))
        .commit()
        .unwrap_err();
    assert!(
        armscan::error_chain_text(&err).contains("scale search"),
        "{err}"
    );
    let err = Screener::builder()
        .with_unknown_spacing(UnknownSpacing::Estimate(
            armscan::ContentPrior::default().with_content_long_side_mm(0.0),
        ))
        .commit()
        .unwrap_err();
    assert!(
        armscan::error_chain_text(&err).contains("content long side"),
        "{err}"
    );
}

#[test]
fn unix_seconds_to_utc() {
    use armscan::utc_from_unix_seconds;
    assert_eq!(utc_from_unix_seconds(0), "1970-01-01T00:00:00Z");
    assert_eq!(utc_from_unix_seconds(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(utc_from_unix_seconds(1_796_547_723), "2026-12-06T09:02:03Z");
    // and back, for every form it writes
    for secs in [0, 951_782_400, 1_796_547_723, 4_102_444_799] {
        assert_eq!(
            armscan::unix_seconds_from_utc(&utc_from_unix_seconds(secs)),
            Some(secs)
        );
    }
    for bad in [
        "2026-12-06 09:02:03Z",
        "2026-13-06T09:02:03Z",
        "1969-12-31T23:59:59Z",
        "x",
    ] {
        assert_eq!(armscan::unix_seconds_from_utc(bad), None, "{bad}");
    }
}
