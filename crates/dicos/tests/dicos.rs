//! armscan-dicos on files made by others (`tests/data/`, from `make_fixtures.py`: one written by
//! the Stratovan DICOS toolkit, one by pydicom), on hostile bytes, and its reports read back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use armscan_core::{BoxInImage, Category, Detection, DicosImageRef, Status};
use armscan_dicos::{
    read_dx, sop_class, uid, Algorithm, Assessment, DicosError, DxLimits, DxPixels, Energy,
    TdrReport, ThreatObject,
};
use dicom_core::Tag;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, InMemDicomObject, OpenFileOptions};
use proptest::prelude::*;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

fn limits() -> DxLimits {
    DxLimits::new(16_384, 100_000_000)
}

fn grey(pixels: &DxPixels) -> (u8, &[u16]) {
    match pixels {
        DxPixels::Grey { bit_depth, samples } => (*bit_depth, samples),
        other => panic!("not grey: {other:?}"),
    }
}

#[test]
fn the_toolkits_jpeg_lossless_dx_reads_to_its_pixels() {
    let image = read_dx(&data("toolkit_dx_64x48.dcs"), &limits()).unwrap();
    assert_eq!((image.width, image.height), (64, 48));
    let (bit_depth, samples) = grey(&image.pixels);
    assert_eq!(bit_depth, 16);
    for r in 0..48u16 {
        for c in 0..64u16 {
            assert_eq!(
                samples[usize::from(r) * 64 + usize::from(c)],
                1000 * r + 7 * c
            );
        }
    }
    assert_eq!(image.kvp, Some(160.0));
    assert_eq!(image.energy, Energy::Unstated);
    assert_eq!(image.spacing_mm, None);
    assert_eq!(
        image.reference.sop_class_uid,
        sop_class::DICOS_DX_FOR_PROCESSING
    );
    assert!(!image.reference.sop_instance_uid.is_empty());
    assert!(image.reference.study_instance_uid.is_some());
}

#[test]
fn a_monochrome1_12_bit_dx_is_inverted_masked_and_described() {
    let image = read_dx(&data("native_mono1_12bit.dcs"), &limits()).unwrap();
    let (bit_depth, samples) = grey(&image.pixels);
    assert_eq!(bit_depth, 12);
    for r in 0..48u16 {
        for c in 0..64u16 {
            // the overlay bits above bit 11 are dropped; MONOCHROME1 is turned bright-is-air
            let stored = (37 * r + 11 * c) % 4096;
            assert_eq!(samples[usize::from(r) * 64 + usize::from(c)], 4095 - stored);
        }
    }
    assert_eq!(image.spacing_mm, Some(0.5));
    assert_eq!(image.energy, Energy::High);
    assert_eq!(image.kvp, Some(140.0));
    let expected = DicosImageRef::new(sop_class::DICOS_DX_FOR_PROCESSING, "2.25.1234567890")
        .with_study_instance_uid(Some("2.25.42".into()))
        .with_series_instance_uid(Some("2.25.43".into()))
        .with_ooi_id(Some("BAG-0001".into()));
    assert_eq!(image.reference, expected);
}

#[test]
fn limits_are_checked_before_decoding() {
    let bytes = data("toolkit_dx_64x48.dcs");
    for small in [DxLimits::new(63, 1_000_000), DxLimits::new(1_000, 3_071)] {
        let err = read_dx(&bytes, &small).unwrap_err();
        assert!(matches!(err, DicosError::Limits { .. }), "{err}");
        assert!(err.to_string().contains("64x48"), "{err}");
    }
    assert!(read_dx(&bytes, &DxLimits::new(64, 3_072)).is_ok());
}

#[test]
fn other_bytes_and_other_dicos_objects_are_refused_by_name() {
    assert!(matches!(
        read_dx(b"\x89PNG\r\n\x1a\n", &limits()),
        Err(DicosError::NotDicom)
    ));
    let report = TdrReport::new("bag.dcs", Status::Clear, Algorithm::new("armscan", "0"))
        .encode()
        .unwrap();
    let err = read_dx(&report, &limits()).unwrap_err();
    assert!(matches!(err, DicosError::Unsupported { .. }));
    assert!(err.to_string().contains("threat detection report"), "{err}");
}

#[test]
fn reports_carry_any_scan_name_in_utf_8() {
    let name = "colis/été 袋 ✓.dcs";
    let bytes = TdrReport::new(name, Status::Clear, Algorithm::new("armscan", "0"))
        .encode()
        .unwrap();
    let file = parse(&bytes);
    assert_eq!(text(&file, 0x0008, 0x0005), "ISO_IR 192");
    assert_eq!(text(&file, 0x0010, 0x0020), name);
}

#[test]
fn a_jpeg_frame_that_disagrees_with_the_image_is_refused_by_name() {
    // the toolkit's lossless JPEG, its frame header (SOF3) made to state 65 columns: dicom-rs's
    // decoder would write past its buffer; the reader says what disagrees instead
    let mut bytes = data("toolkit_dx_64x48.dcs");
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC3])
        .expect("a lossless frame header");
    // FF C3, length (2), precision (1), height (2), width (2)
    assert_eq!(&bytes[sof + 5..sof + 9], &[0, 48, 0, 64]);
    bytes[sof + 8] = 65;
    let err = read_dx(&bytes, &limits()).unwrap_err();
    assert!(matches!(err, DicosError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("the JPEG frame is 65x48"), "{err}");
}

#[test]
fn a_length_past_the_end_is_refused_before_parsing() {
    // Pixel Data (7FE0,0010) OW declaring 4 GB: dicom-rs would zero-fill that much first
    let mut bytes = data("native_mono1_12bit.dcs");
    let at = bytes
        .windows(8)
        .position(|w| w == [0xE0, 0x7F, 0x10, 0x00, b'O', b'W', 0, 0])
        .expect("the pixel data header");
    bytes[at + 8..at + 12].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let err = read_dx(&bytes, &limits()).unwrap_err();
    assert!(matches!(err, DicosError::Invalid { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("(7FE0,0010)") && text.contains("4294967280 bytes, but only 6144 remain"),
        "{text}"
    );
}

#[test]
fn cut_files_give_errors_never_panics() {
    for name in ["toolkit_dx_64x48.dcs", "native_mono1_12bit.dcs"] {
        let whole = data(name);
        // every cut: an error, or (a cut in the closing delimiter of encapsulated pixel data,
        // after the last fragment) exactly the whole image; never a part of one
        let full = read_dx(&whole, &limits()).unwrap();
        for len in (0..whole.len())
            .step_by(7)
            .chain(whole.len() - 8..whole.len())
        {
            let cut = &whole[..len];
            let outcome = std::panic::catch_unwind(|| read_dx(cut, &limits()));
            match outcome {
                Ok(Ok(image)) => assert_eq!(image, full, "{name} cut at {len}"),
                Ok(Err(_)) => {}
                Err(_) => panic!("{name} cut at {len} panicked"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Damaged bytes: any outcome but a panic. Before the length walk, one in ten of these made
    /// dicom-rs zero-fill a declared multi-gigabyte value (0.3 to 7 s each).
    #[test]
    fn damaged_files_give_errors_never_panics(
        native in any::<bool>(),
        damage in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..5),
    ) {
        let name = if native { "native_mono1_12bit.dcs" } else { "toolkit_dx_64x48.dcs" };
        let mut bytes = data(name);
        let body = bytes.len() - 128;
        for (at, value) in damage {
            bytes[128 + at.index(body)] = value;
        }
        let small = DxLimits::new(4_096, 4_000_000);
        let outcome = std::panic::catch_unwind(|| read_dx(&bytes, &small));
        prop_assert!(outcome.is_ok(), "{} damaged: panicked", name);
    }
}

fn parse(bytes: &[u8]) -> DefaultDicomObject {
    OpenFileOptions::new()
        .read_preamble(ReadPreamble::Always)
        .from_reader(bytes)
        .unwrap()
}

fn text(obj: &InMemDicomObject, group: u16, element: u16) -> String {
    obj.element(Tag(group, element))
        .unwrap()
        .to_str()
        .unwrap()
        .trim_end_matches(['\0', ' '])
        .to_owned()
}

fn floats(obj: &InMemDicomObject, group: u16, element: u16) -> Vec<f32> {
    obj.element(Tag(group, element))
        .unwrap()
        .to_multi_float32()
        .unwrap()
}

fn items(obj: &InMemDicomObject, group: u16, element: u16) -> &[InMemDicomObject] {
    obj.element(Tag(group, element)).unwrap().items().unwrap()
}

fn detection_strategy() -> impl Strategy<Value = (Detection, Assessment)> {
    (
        0.0f32..2000.0,
        0.0f32..2000.0,
        1.0f32..800.0,
        1.0f32..800.0,
        0.0f32..=1.0,
        0usize..4,
        0usize..3,
    )
        .prop_map(|(x, y, w, h, score, category, assessment)| {
            let category = Category::ALL[category];
            (
                Detection {
                    class_name: format!("{category:?}").to_lowercase() + "_class",
                    category,
                    score,
                    box_in_image: BoxInImage::new(x, y, x + w, y + h),
                },
                [
                    Assessment::Threat,
                    Assessment::Unknown,
                    Assessment::NoThreat,
                ][assessment],
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// What a report states, read back by dicom-rs: every threat object's region, category,
    /// score and assessment, the references, the decision, the counts; valid UIDs.
    #[test]
    fn reports_read_back_as_written(
        detections in proptest::collection::vec(detection_strategy(), 0..6),
        status in 0usize..4,
        pair in any::<bool>(),
    ) {
        let status = [Status::Clear, Status::Review, Status::Alarm, Status::Error][status];
        let mut images = vec![DicosImageRef::new(sop_class::DICOS_DX_FOR_PROCESSING, "2.25.7")
            .with_study_instance_uid(Some("2.25.8".into()))
            .with_ooi_id(Some("BAG 9".into()))];
        if pair {
            images.push(DicosImageRef::new(sop_class::DICOS_DX_FOR_PROCESSING, "2.25.10"));
        }
        let threats: Vec<ThreatObject> = detections
            .iter()
            .map(|(d, a)| ThreatObject { detection: d.clone(), assessment: *a })
            .collect();
        let bytes = TdrReport::new("in/bag.dcs", status, Algorithm::new("armscan", "9.9").with_parameter("model", "m"))
            .with_images(images.clone())
            .with_threats(threats)
            .with_processing_ms(12.5)
            .with_created_unix_ms(1_796_578_521_123)
            .encode()
            .unwrap();
        let file = parse(&bytes);
        let obj: &InMemDicomObject = &file;
        prop_assert_eq!(file.meta().media_storage_sop_class_uid().trim_end_matches('\0'), sop_class::DICOS_TDR);
        let instance = text(obj, 0x0008, 0x0018);
        prop_assert!(uid::is_valid(&instance), "{}", instance);
        prop_assert_eq!(text(obj, 0x0008, 0x0060), "TDR");
        prop_assert_eq!(text(obj, 0x0020, 0x000D), "2.25.8");
        prop_assert_eq!(text(obj, 0x0010, 0x0020), "BAG 9");
        prop_assert_eq!(text(obj, 0x0008, 0x0023), "20261206");
        let decision = match status {
            Status::Alarm | Status::Review if !detections.is_empty() => "ALARM",
            Status::Clear => "CLEAR",
            _ => "UNKNOWN",
        };
        prop_assert_eq!(text(obj, 0x4010, 0x1031), decision);
        prop_assert_eq!(text(obj, 0x4010, 0x1024), if status == Status::Error { "ABORT" } else { "SUCCESS" });
        let referenced: Vec<String> = items(obj, 0x0008, 0x1110).iter().map(|i| text(i, 0x0008, 0x1155)).collect();
        let uids: Vec<String> = images.iter().map(|i| i.sop_instance_uid.clone()).collect();
        prop_assert_eq!(&referenced, &uids);
        let threats = items(obj, 0x4010, 0x1011);
        prop_assert_eq!(threats.len(), detections.len());
        let alarms = detections.iter().filter(|(_, a)| *a == Assessment::Threat).count();
        prop_assert_eq!(text(obj, 0x4010, 0x1034), alarms.to_string());
        prop_assert_eq!(text(obj, 0x4010, 0x1033), detections.len().to_string());
        for (n, (item, (d, a))) in threats.iter().zip(&detections).enumerate() {
            prop_assert_eq!(text(item, 0x4010, 0x1010), (n + 1).to_string());
            let rep = &items(item, 0x4010, 0x1037)[0];
            let pto_refs: Vec<String> = items(rep, 0x0008, 0x114A).iter().map(|i| text(i, 0x0008, 0x1155)).collect();
            prop_assert_eq!(&pto_refs, &uids);
            let roi = &items(rep, 0x4010, 0x1001)[0];
            let b = &d.box_in_image;
            prop_assert_eq!(floats(roi, 0x4010, 0x1004), vec![b.x1, b.y1, 0.0]);
            let extents = floats(roi, 0x4010, 0x1005);
            prop_assert!((extents[0] - (b.x2 - b.x1)).abs() < 1e-3 && (extents[1] - (b.y2 - b.y1)).abs() < 1e-3);
            prop_assert_eq!(extents[2], 1.0);
            let assessment = &items(item, 0x4010, 0x1038)[0];
            prop_assert_eq!(text(assessment, 0x4010, 0x1012), "PI");
            prop_assert_eq!(floats(assessment, 0x4010, 0x1016), vec![d.score]);
            let flag = match a { Assessment::Threat => "THREAT", Assessment::Unknown => "UNKNOWN", _ => "NO_THREAT" };
            prop_assert_eq!(text(assessment, 0x4010, 0x1015), flag);
            let suffix = format!(": {}", d.class_name);
            let description = text(assessment, 0x4010, 0x1013);
            prop_assert!(description.ends_with(&suffix), "{}", description);
        }
    }
}
