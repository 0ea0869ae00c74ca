//! Every input path of ingest on files written here by real encoders.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use armscan_core::Planes;
use armscan_ingest::{
    collect_inputs, detector_grey, load_input, load_scan, DecodeLimits, IngestError, IngestOptions,
    ScanInput, Windowing,
};
use image::{GrayImage, ImageBuffer, Luma, Rgb, RgbImage};
use tiff::encoder::{colortype, TiffEncoder};
use tiff::tags::{PhotometricInterpretation, SampleFormat};

fn opts() -> IngestOptions {
    IngestOptions::default()
}

fn gradient8(w: u32, h: u32) -> GrayImage {
    GrayImage::from_fn(w, h, |x, y| Luma([((x * 7 + y * 3) % 256) as u8]))
}

fn gradient16(w: u32, h: u32) -> ImageBuffer<Luma<u16>, Vec<u16>> {
    ImageBuffer::from_fn(w, h, |x, y| Luma([((x * 977 + y * 311) % 65536) as u16]))
}

#[test]
fn grey_8_bit_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let img = gradient8(37, 23);
    for ext in ["png", "bmp", "tif"] {
        let p = dir.path().join(format!("g.{ext}"));
        img.save(&p).unwrap();
        let scan = load_scan(&p, &opts()).unwrap();
        let Planes::Grey(plane) = &scan.planes else {
            panic!("{ext}: {:?}", scan.planes)
        };
        assert_eq!(
            (plane.width(), plane.height(), plane.bit_depth()),
            (37, 23, 8),
            "{ext}"
        );
        let expect: Vec<u16> = img.as_raw().iter().map(|&v| u16::from(v)).collect();
        assert_eq!(
            plane.samples(),
            &expect[..],
            "{ext}: lossless formats give the same samples"
        );
    }
    let p = dir.path().join("g.jpg");
    img.save(&p).unwrap();
    let scan = load_scan(&p, &opts()).unwrap();
    assert!(matches!(scan.planes, Planes::Grey(_)));
}

#[test]
fn grey_16_bit_png_and_tiff() {
    let dir = tempfile::tempdir().unwrap();
    let img = gradient16(40, 30);
    for ext in ["png", "tif"] {
        let p = dir.path().join(format!("g16.{ext}"));
        img.save(&p).unwrap();
        let scan = load_scan(&p, &opts()).unwrap();
        let Planes::Grey(plane) = &scan.planes else {
            panic!()
        };
        assert_eq!(plane.bit_depth(), 16, "{ext}");
        assert_eq!(plane.samples(), img.as_raw().as_slice(), "{ext}");
    }
}

#[test]
fn rgb_grey_is_grey_and_colour_is_pseudo_colour() {
    let dir = tempfile::tempdir().unwrap();
    let grey_rgb = RgbImage::from_fn(20, 10, |x, _| {
        Rgb([x as u8 * 10, x as u8 * 10, x as u8 * 10])
    });
    let p = dir.path().join("grey_as_rgb.png");
    grey_rgb.save(&p).unwrap();
    assert!(matches!(
        load_scan(&p, &opts()).unwrap().planes,
        Planes::Grey(_)
    ));

    let colour = RgbImage::from_fn(20, 10, |x, y| {
        if (x + y) % 2 == 0 {
            Rgb([230, 140, 30])
        } else {
            Rgb([40, 90, 220])
        }
    });
    let p = dir.path().join("pseudo.png");
    colour.save(&p).unwrap();
    let scan = load_scan(&p, &opts()).unwrap();
    assert!(matches!(scan.planes, Planes::PseudoColour(_)));
    // Luma of orange (230,140,30) is about 155.
    let g = detector_grey(&scan, &Windowing::Full);
    assert!((150..=160).contains(&g.get_pixel(0, 0)[0]));
}

#[test]
fn extension_does_not_matter_content_does() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("really_a_png.jpg");
    gradient8(8, 8)
        .save_with_format(&p, image::ImageFormat::Png)
        .unwrap();
    assert!(load_scan(&p, &opts()).is_ok());
}

/// Two samples per pixel, 16-bit: the high- and low-energy planes interleaved.
struct Dual16;
impl colortype::ColorType for Dual16 {
    type Inner = u16;
    const TIFF_VALUE: PhotometricInterpretation = PhotometricInterpretation::BlackIsZero;
    const BITS_PER_SAMPLE: &'static [u16] = &[16, 16];
    const SAMPLE_FORMAT: &'static [SampleFormat] = &[SampleFormat::Uint, SampleFormat::Uint];
    fn horizontal_predict(row: &[u16], result: &mut Vec<u16>) {
        result.extend_from_slice(row);
    }
}

#[test]
fn dual_energy_tiff_two_pages_and_two_samples() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (16u32, 8u32);
    let high: Vec<u16> = (0..w * h).map(|i| 60000 - i as u16 * 100).collect();
    let low: Vec<u16> = (0..w * h).map(|i| 50000 - i as u16 * 150).collect();

    let pages = dir.path().join("pages.tif");
    {
        let mut enc = TiffEncoder::new(std::fs::File::create(&pages).unwrap()).unwrap();
        enc.write_image::<colortype::Gray16>(w, h, &high).unwrap();
        enc.write_image::<colortype::Gray16>(w, h, &low).unwrap();
    }
    let samples = dir.path().join("samples.tif");
    {
        let inter: Vec<u16> = high.iter().zip(&low).flat_map(|(a, b)| [*a, *b]).collect();
        let mut enc = TiffEncoder::new(std::fs::File::create(&samples).unwrap()).unwrap();
        enc.write_image::<Dual16>(w, h, &inter).unwrap();
    }
    for p in [pages, samples] {
        let scan = load_scan(&p, &opts()).unwrap_or_else(|e| panic!("{e}"));
        let Planes::Dual { high: hp, low: lp } = &scan.planes else {
            panic!("{}: {:?}", p.display(), scan.planes)
        };
        assert_eq!(hp.samples(), high.as_slice());
        assert_eq!(lp.samples(), low.as_slice());
    }
}

#[test]
fn dual_energy_pair_of_files_and_size_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    gradient16(30, 20)
        .save(dir.path().join("bag_high.png"))
        .unwrap();
    gradient16(30, 20)
        .save(dir.path().join("bag_low.png"))
        .unwrap();
    gradient16(30, 20)
        .save(dir.path().join("odd_high.png"))
        .unwrap();
    gradient16(31, 20)
        .save(dir.path().join("odd_low.png"))
        .unwrap();
    gradient8(5, 5)
        .save(dir.path().join("lonely_high.png"))
        .unwrap();
    let inputs = collect_inputs(&[dir.path().to_owned()]);
    let names: Vec<String> = inputs
        .iter()
        .map(|i| i.name().rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "bag_{high,low}.png",
            "lonely_high.png",
            "odd_{high,low}.png"
        ]
    );
    let scan = load_input(&inputs[0], &opts()).unwrap();
    assert!(matches!(scan.planes, Planes::Dual { .. }));
    assert!(matches!(
        load_input(&inputs[1], &opts()).unwrap().planes,
        Planes::Grey(_)
    ));
    let err = load_input(&inputs[2], &opts()).unwrap_err();
    assert!(matches!(err, IngestError::Pair { .. }), "{err}");
    assert!(err.to_string().contains("sizes differ"), "{err}");
}

#[test]
fn walk_is_recursive_sorted_and_skips_non_images() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("b/inner")).unwrap();
    std::fs::create_dir_all(d.join("a")).unwrap();
    for p in ["z.png", "a/y.PNG", "b/inner/x.jpg", "b/w.tiff"] {
        gradient8(4, 4)
            .save_with_format(d.join(p), image::ImageFormat::Png)
            .unwrap();
    }
    std::fs::write(d.join("readme.txt"), "x").unwrap();
    let got: Vec<PathBuf> = collect_inputs(&[d.to_owned()])
        .iter()
        .map(|i| i.path().strip_prefix(d).unwrap().to_owned())
        .collect();
    let want: Vec<PathBuf> = ["z.png", "a/y.PNG", "b/w.tiff", "b/inner/x.jpg"]
        .iter()
        .map(PathBuf::from)
        .collect();
    assert_eq!(
        got, want,
        "files of a folder first, then its subfolders, each in name order"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    gradient8(4, 4).save(d.join("sub/a.png")).unwrap();
    std::os::unix::fs::symlink(d, d.join("sub/loop")).unwrap();
    let inputs = collect_inputs(&[d.to_owned()]);
    assert_eq!(
        inputs
            .iter()
            .filter(|i| matches!(i, ScanInput::File(_)))
            .count(),
        1
    );
    assert!(inputs
        .iter()
        .any(|i| matches!(i, ScanInput::Broken { reason, .. } if reason.contains("symlink loop"))));
}

fn expect_err(path: &Path, options: &IngestOptions, needle: &str) -> IngestError {
    let err = load_scan(path, options).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()),
        "error names the file: {text}"
    );
    assert!(text.contains(needle), "`{text}` should contain `{needle}`");
    err
}

#[test]
fn limits_refuse_big_images_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.png");
    gradient8(300, 200).save(&p).unwrap();
    let small = opts().with_limits(DecodeLimits::default().with_max_pixels(10_000));
    expect_err(&p, &small, "60000 pixels exceeds the limit");
    let tiny_files = opts().with_limits(DecodeLimits::default().with_max_file_bytes(100));
    expect_err(&p, &tiny_files, "the limit is 100 bytes");
    let p16 = dir.path().join("big16.tif");
    gradient16(300, 200).save(&p16).unwrap();
    expect_err(&p16, &small, "exceeds the limit");
}

#[test]
fn unsupported_sample_formats_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("float.tif");
    {
        let mut enc = TiffEncoder::new(std::fs::File::create(&p).unwrap()).unwrap();
        enc.write_image::<colortype::Gray32Float>(4, 4, &[0.5f32; 16])
            .unwrap();
    }
    let err = expect_err(&p, &opts(), "unsupported");
    assert!(matches!(err, IngestError::Unsupported { .. }));
}
