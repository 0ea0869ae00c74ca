//! Hostile inputs, made here in a temporary folder (nothing fetched): each gives a clear record
//! within bounded time and memory, nothing panics, and the batch goes on to screen the good scans.
//! Extends `bad_files_give_error_records_and_the_batch_goes_on` in cli/fixture.rs (empty, text,
//! the 100000x100000 PNG bomb, a missing path) with the cases below.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use image::{GrayImage, ImageBuffer, Luma, Rgb};

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &d in data {
        a = (a + u32::from(d)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[][..]]
    } else {
        data.chunks(65_535).collect()
    };
    for (i, c) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = c.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// A PNG of `w` x `h` at any bit depth / colour type, from unfiltered scanlines `rows`.
fn png_raw(w: u32, h: u32, depth: u8, colour: u8, rows: &[Vec<u8>]) -> Vec<u8> {
    let mut raw = Vec::new();
    for r in rows {
        raw.push(0); // filter: none
        raw.extend_from_slice(r);
    }
    png_with_idat(w, h, depth, colour, &zlib_stored(&raw))
}

/// A grey PNG of 1, 2 or 4 bits per pixel: white with a dark block in the middle.
fn low_depth_png(w: u32, h: u32, depth: u8) -> Vec<u8> {
    let max = (1u16 << depth) - 1;
    let rows: Vec<Vec<u8>> = (0..h)
        .map(|y| {
            let mut row = vec![0u8; (w as usize * depth as usize).div_ceil(8)];
            for x in 0..w {
                let dark = (w / 4..w * 3 / 4).contains(&x) && (h / 4..h * 3 / 4).contains(&y);
                let v = if dark { 0 } else { max } as u8;
                let bit = x as usize * depth as usize;
                row[bit / 8] |= v << (8 - depth as usize - bit % 8);
            }
            row
        })
        .collect();
    png_raw(w, h, depth, 0, &rows)
}

/// A little-endian, uncompressed, one-strip TIFF with one sample per pixel.
fn tiff_raw(w: u32, h: u32, bits: u16, sample_format: u16, data: &[u8]) -> Vec<u8> {
    let entries: [(u16, u16, u32); 10] = [
        (256, 4, w),
        (257, 4, h),
        (258, 3, u32::from(bits)),
        (259, 3, 1),
        (262, 3, 1),
        (273, 4, 0), // strip offset, set below
        (277, 3, 1),
        (278, 4, h),
        (279, 4, data.len() as u32),
        (339, 3, u32::from(sample_format)),
    ];
    let data_offset = 8 + 2 + entries.len() as u32 * 12 + 4;
    let mut out = b"II*\x00".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        let value = if tag == 273 { data_offset } else { value };
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// A BMP header declaring `w` x `h` 24-bit pixels, followed by `pixels` bytes of data.
fn bmp_declaring(w: i32, h: i32, pixels: usize) -> Vec<u8> {
    let mut out = b"BM".to_vec();
    out.extend_from_slice(&(54 + pixels as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&54u32.to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&w.to_le_bytes());
    out.extend_from_slice(&h.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    out.extend_from_slice(&[0u8; 24]);
    out.extend(std::iter::repeat_n(0xFFu8, pixels));
    out
}

fn block_png(w: u32, h: u32) -> Vec<u8> {
    let img = GrayImage::from_fn(w, h, |x, y| {
        if (10..30).contains(&x) && (20..50).contains(&y) {
            Luma([0])
        } else {
            Luma([255])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn block_jpeg() -> Vec<u8> {
    let img = GrayImage::from_fn(64, 64, |x, y| {
        if (10..30).contains(&x) && (20..50).contains(&y) {
            Luma([0])
        } else {
            Luma([255])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// Runs `armscan scan . --jsonl` in `dir` under a 3 GiB address-space limit and a deadline.
fn scan_bounded(dir: &Path, deadline: Duration) -> std::process::Output {
    let model = fixture_model();
    let exe = env!("CARGO_BIN_EXE_armscan");
    let script = format!(
        "ulimit -v 3145728 && exec '{exe}' scan . --model '{}' --backend tract --threads 2 --jsonl",
        model.display()
    );
    let mut child = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir)
        .env_remove("ARMSCAN_MODEL")
        .env_remove("ORT_DYLIB_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("armscan scan took longer than {deadline:?} on the hostile corpus");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// True when this process can read a file whose mode is 000 (root, CAP_DAC_OVERRIDE).
fn can_read_mode_000(path: &Path) -> bool {
    std::fs::File::open(path).is_ok()
}

#[test]
fn hostile_corpus_gives_clear_records_and_the_batch_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = block_png(64, 64);
    let jpeg = block_jpeg();

    // zero bytes, in every format's clothing
    for ext in ["tif", "bmp", "jpg"] {
        std::fs::write(d.join(format!("a_zero.{ext}")), b"").unwrap();
    }
    // truncated at several points
    std::fs::write(d.join("b_trunc_sig.png"), &good[..8]).unwrap();
    std::fs::write(d.join("b_trunc_ihdr.png"), &good[..20]).unwrap();
    std::fs::write(d.join("b_trunc_idat.png"), &good[..good.len() - 20]).unwrap();
    std::fs::write(d.join("b_trunc_jpeg.jpg"), &jpeg[..jpeg.len() / 2]).unwrap();
    let tiff8 = tiff_raw(64, 64, 8, 1, &[200u8; 64 * 64]);
    std::fs::write(d.join("b_trunc.tif"), &tiff8[..tiff8.len() / 2]).unwrap();
    let bmp_ok = bmp_declaring(8, 8, 8 * 8 * 3);
    std::fs::write(d.join("b_trunc.bmp"), &bmp_ok[..60]).unwrap();
    // bit-flipped: a PNG with a bad CRC, a TIFF with its IFD scrambled
    let mut flipped = good.clone();
    flipped[40] ^= 0x55;
    std::fs::write(d.join("c_flipped.png"), &flipped).unwrap();
    let mut flipped_tiff = tiff8.clone();
    for b in &mut flipped_tiff[8..60] {
        *b ^= 0xA5;
    }
    std::fs::write(d.join("c_flipped.tif"), &flipped_tiff).unwrap();
    // wrong extension: readable ones are read by content, text is refused
    std::fs::write(d.join("d_png_named.jpg"), &good).unwrap();
    std::fs::write(d.join("d_jpeg_named.tif"), &jpeg).unwrap();
    std::fs::write(d.join("d_text_named.bmp"), b"GIF89a but really just text").unwrap();
    // decompression bombs: declared sizes far over the limits, a few hundred bytes each
    std::fs::write(d.join("e_bomb.png"), png_declaring(100_000, 100_000)).unwrap();
    std::fs::write(d.join("e_bomb_60k.png"), png_declaring(60_000, 60_000)).unwrap();
    std::fs::write(
        d.join("e_bomb.tif"),
        tiff_raw(100_000, 100_000, 8, 1, &[0u8; 16]),
    )
    .unwrap();
    std::fs::write(d.join("e_bomb.bmp"), bmp_declaring(100_000, 100_000, 16)).unwrap();
    // tiny and extreme shapes: screened, not refused
    std::fs::write(d.join("f_1x1.png"), png_raw(1, 1, 8, 0, &[vec![128]])).unwrap();
    std::fs::write(
        d.join("f_1x20000.png"),
        png_raw(1, 20_000, 8, 0, &vec![vec![255]; 20_000]),
    )
    .unwrap();
    std::fs::write(
        d.join("f_20000x1.png"),
        png_raw(20_000, 1, 8, 0, &[vec![255; 20_000]]),
    )
    .unwrap();
    // unusual bit depths
    for depth in [1u8, 2, 4] {
        std::fs::write(
            d.join(format!("g_grey{depth}bit.png")),
            low_depth_png(64, 64, depth),
        )
        .unwrap();
    }
    let rgb16: ImageBuffer<Rgb<u16>, Vec<u16>> = ImageBuffer::from_fn(64, 64, |x, y| {
        if (10..30).contains(&x) && (20..50).contains(&y) {
            Rgb([0, 0, 0])
        } else {
            Rgb([65_535; 3])
        }
    });
    rgb16.save(d.join("g_rgb16.png")).unwrap();
    let float_bytes: Vec<u8> = (0..16 * 16)
        .flat_map(|i| (i as f32 / 256.0).to_le_bytes())
        .collect();
    std::fs::write(
        d.join("g_float32.tif"),
        tiff_raw(16, 16, 32, 3, &float_bytes),
    )
    .unwrap();
    // a dual-energy pair whose sizes differ
    std::fs::write(d.join("h_pair_high.png"), block_png(64, 64)).unwrap();
    std::fs::write(d.join("h_pair_low.png"), block_png(64, 48)).unwrap();
    // a folder symlink loop
    std::fs::create_dir_all(d.join("i_loop/inner")).unwrap();
    std::os::unix::fs::symlink("..", d.join("i_loop/inner/back")).unwrap();
    // a FIFO and a device named like scans: never read (a FIFO would block the batch forever)
    let fifo = Command::new("mkfifo")
        .arg(d.join("j_fifo.png"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    std::os::unix::fs::symlink("/dev/zero", d.join("j_zero_device.png")).unwrap();
    // an unreadable file
    std::fs::write(d.join("k_unreadable.png"), &good).unwrap();
    std::fs::set_permissions(
        d.join("k_unreadable.png"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let root_reads_anyway = can_read_mode_000(&d.join("k_unreadable.png"));
    // and the good scan last: the batch must reach it
    std::fs::write(d.join("z_good.png"), &good).unwrap();

    let out = scan_bounded(d, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "failed scans exit 2: {stderr}");
    let recs = records(&out);
    let by_name = |n: &str| {
        recs.iter()
            .find(|r| r["scan"].as_str().unwrap().ends_with(n))
            .unwrap_or_else(|| panic!("no record for {n}: {recs:#?}"))
    };
    let expect_error = |name: &str, faults: &[&str]| {
        let r = by_name(name);
        assert_eq!(check_contract(r), "error", "{name}: {r}");
        let e = r["error"].as_str().unwrap();
        assert!(
            e.contains(name.trim_start_matches("i_loop/")),
            "the error names the file: {e}"
        );
        assert!(
            faults
                .iter()
                .any(|f| e.to_lowercase().contains(&f.to_lowercase())),
            "{name}: `{e}` should say one of {faults:?}"
        );
    };
    for ext in ["tif", "bmp", "jpg"] {
        expect_error(&format!("a_zero.{ext}"), &["empty"]);
    }
    for name in [
        "b_trunc_sig.png",
        "b_trunc_ihdr.png",
        "b_trunc_idat.png",
        "b_trunc_jpeg.jpg",
        "b_trunc.tif",
        "b_trunc.bmp",
    ] {
        expect_error(
            name,
            &[
                "truncated",
                "ends early",
                "corrupt",
                "eof",
                "unexpected end",
            ],
        );
    }
    expect_error("c_flipped.png", &["crc", "checksum", "corrupt"]);
    expect_error(
        "c_flipped.tif",
        &["tiff", "corrupt", "unsupported", "truncated"],
    );
    assert_eq!(
        check_contract(by_name("d_png_named.jpg")),
        "alarm",
        "read by content, not by name"
    );
    assert_eq!(
        check_contract(by_name("d_jpeg_named.tif")),
        "alarm",
        "read by content, not by name"
    );
    expect_error(
        "d_text_named.bmp",
        &["not a recognised image format", "unsupported"],
    );
    for name in ["e_bomb.png", "e_bomb_60k.png", "e_bomb.tif", "e_bomb.bmp"] {
        expect_error(name, &["limit"]);
    }
    for name in ["f_1x1.png", "f_1x20000.png", "f_20000x1.png"] {
        assert_eq!(
            check_contract(by_name(name)),
            "clear",
            "{name} is screened: {}",
            by_name(name)
        );
        assert!(by_name(name)["width"].as_u64().unwrap() >= 1);
    }
    for depth in [1, 2, 4] {
        let name = format!("g_grey{depth}bit.png");
        assert_eq!(
            check_contract(by_name(&name)),
            "alarm",
            "{name}: {}",
            by_name(&name)
        );
    }
    assert_eq!(
        check_contract(by_name("g_rgb16.png")),
        "alarm",
        "16-bit RGB grey is read as grey"
    );
    expect_error("g_float32.tif", &["unsupported", "floating"]);
    let pair = by_name("h_pair_{high,low}.png");
    assert_eq!(check_contract(pair), "error");
    let e = pair["error"].as_str().unwrap();
    assert!(
        e.contains("h_pair_high.png") && e.contains("h_pair_low.png") && e.contains("sizes differ"),
        "{e}"
    );
    expect_error("i_loop/inner/back", &["symlink loop"]);
    if fifo {
        expect_error("j_fifo.png", &["not a regular file"]);
    } else {
        eprintln!("hostile: mkfifo unavailable, FIFO case skipped");
    }
    expect_error("j_zero_device.png", &["not a regular file"]);
    if root_reads_anyway {
        eprintln!(
            "hostile: running as root (mode 000 does not stop reads): \
             the unreadable file is screened instead"
        );
        assert_eq!(check_contract(by_name("k_unreadable.png")), "alarm");
    } else {
        expect_error("k_unreadable.png", &["permission denied"]);
    }
    assert_eq!(
        check_contract(by_name("z_good.png")),
        "alarm",
        "the batch went on to the good scan"
    );
    let _ = std::fs::set_permissions(
        d.join("k_unreadable.png"),
        std::fs::Permissions::from_mode(0o644),
    );
}

#[test]
fn a_tiny_file_is_refused_over_the_limits_set_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.png"), block_png(64, 64)).unwrap();
    let m = fixture_model();
    let out = armscan(
        &[
            "scan",
            "a.png",
            "--model",
            m.to_str().unwrap(),
            "--backend",
            "tract",
            "--jsonl",
            "--max-megapixels",
            "0.001",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let r = &records(&out)[0];
    assert_eq!(check_contract(r), "error");
    assert!(r["error"].as_str().unwrap().contains("limit"), "{r}");
}
